"""Camera understanding: is someone there, how many, and what their face suggests.

Cues are phrased as hints ("seems to be smiling"): the detectors behind them are simple, and the
LLM should not state them as facts. The eye count is kept on :class:`Face` but not described:
with glasses the eye cascade finds 0, 1 or 2 eyes on the same face. Nobody is identified.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from openlive.backends.face.base import Face, FaceAnalyzer, FacePose
from openlive.backends.ocr.base import BgrImage

# A face wider than this share of the frame is close to the camera.
_CLOSE_FACE_SHARE = 0.35


@dataclass(frozen=True)
class CameraObservation:
    # time.monotonic() when the frame was processed.
    at: float
    faces: tuple[Face, ...]
    size: tuple[int, int]
    seconds: float

    @property
    def person_present(self) -> bool:
        return bool(self.faces)

    @property
    def description(self) -> str:
        if not self.faces:
            return "No person is visible."
        width = self.size[0]
        count = len(self.faces)
        head = "One person is visible" if count == 1 else f"{count} people are visible"
        parts = [_describe_face(face, width) for face in self.faces]
        if count == 1:
            return f"{head}: {parts[0]}."
        return f"{head}. " + " ".join(f"Person {index}: {part}." for index, part in enumerate(parts, start=1))


def _describe_face(face: Face, frame_width: int) -> str:
    cues = []
    if face.pose is FacePose.TURNED:
        cues.append("head turned away from the camera")
    else:
        cues.append("facing the camera")
        if face.smiling:
            cues.append("seems to be smiling")
    centre = face.box.center[0] / frame_width
    cues.append("on the left" if centre < 1 / 3 else "on the right" if centre > 2 / 3 else "in the centre")
    if face.box.width / frame_width >= _CLOSE_FACE_SHARE:
        cues.append("close to the camera")
    return ", ".join(cues)


class CameraReader:
    def __init__(self, faces: FaceAnalyzer) -> None:
        self._faces = faces

    def read(self, image: BgrImage) -> CameraObservation:
        started = time.perf_counter()
        faces = tuple(self._faces.analyse(image))
        height, width = image.shape[:2]
        return CameraObservation(time.monotonic(), faces, (width, height), time.perf_counter() - started)
