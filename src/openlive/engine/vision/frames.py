"""Frame intake: check and decode ``image/jpeg`` / ``image/png`` bytes at the processing resolution.

:func:`inspect_frame` is cheap (it reads the header only, tens of microseconds) so the session can
reject wrong mime types and non-images on the event loop and close with 1007 at once;
:func:`decode_frame` does the real decode on the vision executor. Big JPEGs are decoded at a
reduced scale straight from the DCT (``IMREAD_REDUCED_COLOR_*``), which is several times cheaper
than decoding in full and resizing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from enum import Enum

import cv2
import numpy as np
from PIL import Image

from openlive.backends.ocr.base import BgrImage

SUPPORTED_MIME_TYPES = ("image/jpeg", "image/png")
_MAGIC = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}
_PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
# A frame larger than 8K × 8K is refused before decoding: it would only cost memory.
MAX_PIXELS = 8192 * 8192


class FrameDecodeError(ValueError):
    """The frame cannot be used. The session answers with close code 1007 (invalid payload)."""


class UnsupportedMimeTypeError(FrameDecodeError):
    pass


class UndecodableImageError(FrameDecodeError):
    pass


class MediaResolution(Enum):
    """``generationConfig.mediaResolution``: how much detail the engine processes per frame.

    Screens need enough pixels for OCR (text ~10 px high still reads at LOW); camera frames need
    far fewer, because a face at webcam distance is large.
    """

    LOW = "MEDIA_RESOLUTION_LOW"
    MEDIUM = "MEDIA_RESOLUTION_MEDIUM"
    HIGH = "MEDIA_RESOLUTION_HIGH"

    @classmethod
    def parse(cls, value: str | None) -> MediaResolution:
        """Accept the wire names (``MEDIA_RESOLUTION_LOW``) and short ones (``low``); unset is MEDIUM."""
        if value is None or value.upper() in ("", "MEDIA_RESOLUTION_UNSPECIFIED", "UNSPECIFIED"):
            return cls.MEDIUM
        name = value.upper().removeprefix("MEDIA_RESOLUTION_")
        try:
            return cls[name]
        except KeyError:
            raise ValueError(f"unknown mediaResolution {value!r}") from None

    @property
    def screen_max_side(self) -> int:
        return {MediaResolution.LOW: 1024, MediaResolution.MEDIUM: 1280, MediaResolution.HIGH: 1920}[self]

    @property
    def camera_max_side(self) -> int:
        return {MediaResolution.LOW: 320, MediaResolution.MEDIUM: 480, MediaResolution.HIGH: 640}[self]


@dataclass(frozen=True)
class FrameInfo:
    mime_type: str
    width: int
    height: int


@dataclass(frozen=True)
class DecodedFrame:
    # BGR pixels, with the longer side at most the requested maximum (never upscaled).
    image: BgrImage
    original_width: int
    original_height: int

    @property
    def scale(self) -> float:
        """Processing pixels per original pixel."""
        return float(self.image.shape[1] / self.original_width)


def inspect_frame(data: bytes, mime_type: str) -> FrameInfo:
    """Check the mime type, the magic bytes and the header; raise :class:`FrameDecodeError` if unusable."""
    mime = mime_type.split(";", 1)[0].strip().lower()
    if mime == "image/jpg":  # a common misspelling that clients send
        mime = "image/jpeg"
    if mime not in SUPPORTED_MIME_TYPES:
        raise UnsupportedMimeTypeError(
            f"unsupported mime type {mime_type!r} for a video frame; use one of {', '.join(SUPPORTED_MIME_TYPES)}"
        )
    if not data.startswith(_MAGIC[mime]):
        raise UndecodableImageError(f"frame data is not a {mime} image")
    try:
        # Image.open reads the header only; the pixels are decoded later, by OpenCV.
        with Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[mime]]) as image:
            width, height = image.size
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise UndecodableImageError(f"cannot read the {mime} header: {error}") from error
    if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
        raise UndecodableImageError(f"frame size {width}×{height} is out of range")
    return FrameInfo(mime, width, height)


def _reduced_read_flag(info: FrameInfo, max_side: int) -> int:
    """The largest JPEG DCT reduction (1/2, 1/4, 1/8) that still leaves ``max_side`` pixels."""
    if info.mime_type != "image/jpeg":
        return cv2.IMREAD_COLOR
    longest = max(info.width, info.height)
    for factor, flag in (
        (8, cv2.IMREAD_REDUCED_COLOR_8),
        (4, cv2.IMREAD_REDUCED_COLOR_4),
        (2, cv2.IMREAD_REDUCED_COLOR_2),
    ):
        if longest // factor >= max_side:
            return flag
    return cv2.IMREAD_COLOR


def decode_frame(data: bytes, mime_type: str, max_side: int) -> DecodedFrame:
    """Decode to BGR with the longer side at most ``max_side``; raise :class:`FrameDecodeError`."""
    info = inspect_frame(data, mime_type)
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), _reduced_read_flag(info, max_side))
    if image is None or image.ndim != 3 or image.shape[0] == 0 or image.shape[1] == 0:
        raise UndecodableImageError(f"the {info.mime_type} frame could not be decoded")
    height, width = image.shape[:2]
    longest = max(width, height)
    if longest > max_side:
        factor = max_side / longest
        size = (max(1, round(width * factor)), max(1, round(height * factor)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return DecodedFrame(image=np.ascontiguousarray(image), original_width=info.width, original_height=info.height)
