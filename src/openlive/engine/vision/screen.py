"""Screen understanding for one session: OCR only what changed, then describe the layout.

The reader keeps the last processed frame (grey) and the text lines read from it. A new frame
is compared tile-wise; only the changed rectangles, grown so that no cached line is cut, go
through OCR again, and cached lines inside them are replaced. An identical frame (same bytes,
or no changed tile) returns the previous observation at the cost of a hash or one ``absdiff``.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, replace

import cv2
import numpy as np

from openlive.backends.ocr.base import BgrImage, Box, Ocr, TextLine
from openlive.engine.vision.changes import GreyImage, changed_regions, grow_to_cover
from openlive.engine.vision.layout import Region, analyse_layout, describe_regions

# Past this share of the frame changed, one OCR pass over the whole frame is cheaper than crops.
_FULL_PASS_SHARE = 0.5
# Context around a changed region, so text detection sees whole glyphs at its border.
_CROP_MARGIN = 8


@dataclass(frozen=True)
class ScreenObservation:
    # time.monotonic() when the frame was processed.
    at: float
    description: str
    lines: tuple[TextLine, ...]
    regions: tuple[Region, ...]
    # Processing size (width, height) of the frame the boxes refer to.
    size: tuple[int, int]
    # Share of the frame that went through OCR for this observation (0 for an unchanged frame).
    reprocessed_share: float
    seconds: float


class ScreenReader:
    def __init__(self, ocr: Ocr) -> None:
        self._ocr = ocr
        self._digest: bytes | None = None
        self._grey: GreyImage | None = None
        self._lines: list[TextLine] = []
        self._last: ScreenObservation | None = None

    @property
    def last(self) -> ScreenObservation | None:
        return self._last

    def reset(self) -> None:
        self._digest, self._grey, self._lines, self._last = None, None, [], None

    def unchanged(self, data: bytes) -> ScreenObservation | None:
        """The previous observation, re-stamped, if ``data`` is byte-identical to the last frame."""
        if self._last is None or hashlib.blake2b(data, digest_size=16).digest() != self._digest:
            return None
        self._last = replace(self._last, at=time.monotonic(), reprocessed_share=0.0, seconds=0.0)
        return self._last

    def read(self, image: BgrImage, data: bytes = b"") -> ScreenObservation:
        """Update from a decoded frame (``data``: its encoded bytes, for the identical-frame check)."""
        started = time.perf_counter()
        grey: GreyImage = np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
        if self._grey is not None and self._grey.shape != grey.shape:
            # Another size (a different window or display shared, a new mediaResolution): the
            # cached lines and pixels belong to another picture.
            self.reset()
        self._digest = hashlib.blake2b(data, digest_size=16).digest() if data else None
        height, width = grey.shape
        if self._grey is None or self._last is None:
            regions = [Box(0, 0, width, height)]
        else:
            regions = grow_to_cover(changed_regions(self._grey, grey), [line.box for line in self._lines])
        self._grey = grey
        if not regions and self._last is not None:
            self._last = replace(
                self._last, at=time.monotonic(), reprocessed_share=0.0, seconds=time.perf_counter() - started
            )
            return self._last
        share = sum(region.area for region in regions) / (width * height)
        if share >= _FULL_PASS_SHARE:
            regions = [Box(0, 0, width, height)]
            share = 1.0
        kept = [line for line in self._lines if not any(region.intersects(line.box) for region in regions)]
        for region in regions:
            kept += self._read_region(image, region)
        self._lines = kept
        layout = analyse_layout(image, kept)
        self._last = ScreenObservation(
            at=time.monotonic(),
            description=describe_regions(layout),
            lines=tuple(sorted(kept, key=lambda line: (line.box.top, line.box.left))),
            regions=tuple(layout),
            size=(width, height),
            reprocessed_share=share,
            seconds=time.perf_counter() - started,
        )
        return self._last

    def _read_region(self, image: BgrImage, region: Box) -> list[TextLine]:
        height, width = image.shape[:2]
        crop = region.expanded(_CROP_MARGIN, width, height)
        found = self._ocr.read(np.ascontiguousarray(image[crop.top : crop.bottom, crop.left : crop.right]))
        lines = [replace(line, box=line.box.shifted(crop.left, crop.top)) for line in found]
        # Lines found in the margin belong to the unchanged area and are already cached.
        return [line for line in lines if region.contains_point(*line.box.center)]
