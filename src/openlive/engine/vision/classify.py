"""Screen or camera? For frames whose source the client did not say.

Screens are drawn: large areas of exactly one colour, so most neighbouring pixels are equal
(JPEG keeps flat blocks flat). Camera frames carry sensor noise and soft gradients, so few are.
Measured (JPEG quality 85 and PNG, 320-1280 px): rendered screenshots 0.91-0.97 of neighbouring
pixel pairs equal within ±1 level; the grace_hopper portrait 0.24-0.31; an empty room with
webcam-like noise (σ 4 levels) 0.29-0.60, the most after JPEG has smoothed the noise.
"""

from __future__ import annotations

from enum import Enum

import cv2
import numpy as np

from openlive.backends.ocr.base import BgrImage

_SCREEN_FLAT_SHARE = 0.75


class FrameSource(Enum):
    SCREEN = "screen"
    CAMERA = "camera"


def flat_share(image: BgrImage) -> float:
    """Share of horizontally neighbouring pixels (grey) that differ by at most one level."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).astype(np.int16)
    return float((np.abs(np.diff(grey, axis=1)) <= 1).mean())


def classify_frame(image: BgrImage) -> FrameSource:
    return FrameSource.SCREEN if flat_share(image) >= _SCREEN_FLAT_SHARE else FrameSource.CAMERA
