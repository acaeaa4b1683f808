"""Text recognition backends: image in, text lines with positions out."""
