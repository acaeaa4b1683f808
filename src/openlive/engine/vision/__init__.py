"""Video in: frame intake, latest-wins sampling, screen OCR and layout, camera face cues.

Entry points: :class:`VisionEngine` (one per process) and :class:`VisionSession` (one per
connection); what a session has seen is in :attr:`VisionSession.context`.
"""

from openlive.engine.vision.camera import CameraObservation
from openlive.engine.vision.classify import FrameSource, classify_frame
from openlive.engine.vision.context import VisualContext
from openlive.engine.vision.engine import VisionEngine, VisionSession
from openlive.engine.vision.frames import (
    FrameDecodeError,
    MediaResolution,
    UndecodableImageError,
    UnsupportedMimeTypeError,
    decode_frame,
    inspect_frame,
)
from openlive.engine.vision.screen import ScreenObservation, ScreenReader

__all__ = [
    "CameraObservation",
    "FrameDecodeError",
    "FrameSource",
    "MediaResolution",
    "ScreenObservation",
    "ScreenReader",
    "UndecodableImageError",
    "UnsupportedMimeTypeError",
    "VisionEngine",
    "VisionSession",
    "VisualContext",
    "classify_frame",
    "decode_frame",
    "inspect_frame",
]
