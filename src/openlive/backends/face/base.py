"""The narrow interface the vision engine uses to look at faces in a camera frame.

A :class:`FaceAnalyzer` is loaded once per process and shared; ``analyse`` is blocking and runs
on the vision executor. It finds faces and reads cues for affective dialog. It never
identifies anyone: no embeddings, no matching, nothing kept between calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from openlive.backends.ocr.base import BgrImage, Box


class FacePose(Enum):
    FRONTAL = "frontal"
    # Seen in profile: the head is turned away from the camera.
    TURNED = "turned"


@dataclass(frozen=True)
class Face:
    box: Box
    pose: FacePose
    # Detector confidence in the backend's own units; compare only within one backend.
    confidence: float
    # None where the cue was not measured (a turned head shows neither a full smile nor both eyes).
    smiling: bool | None = None
    eyes_found: int | None = None


class FaceAnalyzer(Protocol):
    name: str

    def analyse(self, image: BgrImage) -> list[Face]:
        """Every face in ``image`` (boxes in its pixels), largest first."""
        ...
