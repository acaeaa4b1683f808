"""Which parts of a screen changed since the last processed frame, as a few rectangles.

The frame is compared tile by tile (32 × 32 px) in grey. A tile changed when enough of its pixels
moved by more than JPEG noise does. Changed tiles are grown by one tile and joined into
connected rectangles, so a change costs OCR on its neighbourhood only and an unchanged screen
costs one ``absdiff`` and a sum.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from openlive.backends.ocr.base import Box

GreyImage = npt.NDArray[np.uint8]

TILE = 32
# JPEG re-encoding moves unchanged pixels by a few levels; real content changes move them by far more.
_PIXEL_THRESHOLD = 28
_MIN_CHANGED_PIXELS_PER_TILE = 6


def changed_regions(previous: GreyImage, current: GreyImage) -> list[Box]:
    """Rectangles (in pixels) covering every tile that changed; empty when nothing did."""
    if previous.shape != current.shape:
        height, width = current.shape
        return [Box(0, 0, width, height)]
    moved = cv2.absdiff(previous, current) > _PIXEL_THRESHOLD
    height, width = moved.shape
    rows, columns = -(-height // TILE), -(-width // TILE)
    padded = np.zeros((rows * TILE, columns * TILE), dtype=np.uint16)
    padded[:height, :width] = moved
    counts = padded.reshape(rows, TILE, columns, TILE).sum(axis=(1, 3))
    tiles = (counts >= _MIN_CHANGED_PIXELS_PER_TILE).astype(np.uint8)
    if not tiles.any():
        return []
    tiles = cv2.dilate(tiles, np.ones((3, 3), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(tiles, connectivity=8)
    regions = []
    for label in range(1, count):
        x, y, w, h = (int(v) for v in stats[label, :4])
        regions.append(Box(x * TILE, y * TILE, min(width, (x + w) * TILE), min(height, (y + h) * TILE)))
    return regions


def grow_to_cover(regions: Sequence[Box], boxes: Sequence[Box]) -> list[Box]:
    """Grow each region until no box is cut by its border, and merge regions that then overlap.

    A text line half inside a changed region must be read again whole, or its two halves would
    come back as two broken lines.
    """
    grown = list(regions)
    changed = True
    while changed:
        changed = False
        for index, region in enumerate(grown):
            for box in boxes:
                if region.intersects(box) and region.union(box) != region:
                    region = region.union(box)
                    changed = True
            grown[index] = region
        merged: list[Box] = []
        for region in grown:
            for position, other in enumerate(merged):
                if region.intersects(other):
                    merged[position] = other.union(region)
                    changed = True
                    break
            else:
                merged.append(region)
        grown = merged
    return grown
