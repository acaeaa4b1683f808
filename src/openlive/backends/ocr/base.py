"""The narrow interface the vision engine uses to read text in an image.

An :class:`Ocr` is loaded once per process and shared. ``read`` is blocking and runs on the
vision executor, never on the event loop. Images are BGR ``uint8`` arrays (OpenCV's layout).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

BgrImage = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle in pixels; ``right`` and ``bottom`` are exclusive."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def area(self) -> int:
        return max(0, self.width) * max(0, self.height)

    @property
    def center(self) -> tuple[float, float]:
        return (self.left + self.right) / 2, (self.top + self.bottom) / 2

    def contains_point(self, x: float, y: float) -> bool:
        return self.left <= x < self.right and self.top <= y < self.bottom

    def intersects(self, other: Box) -> bool:
        return (
            self.left < other.right and other.left < self.right and self.top < other.bottom and other.top < self.bottom
        )

    def union(self, other: Box) -> Box:
        return Box(
            min(self.left, other.left),
            min(self.top, other.top),
            max(self.right, other.right),
            max(self.bottom, other.bottom),
        )

    def shifted(self, dx: int, dy: int) -> Box:
        return Box(self.left + dx, self.top + dy, self.right + dx, self.bottom + dy)

    def scaled(self, factor: float) -> Box:
        return Box(
            round(self.left * factor),
            round(self.top * factor),
            round(self.right * factor),
            round(self.bottom * factor),
        )

    def expanded(self, margin: int, width: int, height: int) -> Box:
        """Grown by ``margin`` on every side, clipped to a ``width`` × ``height`` image."""
        return Box(
            max(0, self.left - margin),
            max(0, self.top - margin),
            min(width, self.right + margin),
            min(height, self.bottom + margin),
        )


@dataclass(frozen=True)
class TextLine:
    text: str
    box: Box
    # Recognition confidence, 0-1.
    score: float


class Ocr(Protocol):
    name: str

    def read(self, image: BgrImage) -> list[TextLine]:
        """Every text line found in ``image``, with boxes in ``image``'s pixels."""
        ...
