"""Faces and cues from the Haar cascades that ship in ``opencv-python-headless`` 4.x (``cv2.data``).

* faces: ``frontalface_alt2``; when no frontal face is found, ``profileface`` on the frame and
  its mirror image (the cascade only knows one side), which marks a turned head.
* eyes: ``eye`` and ``eye_tree_eyeglasses`` in the upper face. Unreliable: on the grace_hopper
  portrait (glasses) it finds 0, 1 or 2 eyes depending on scale and position.
* smile: ``smile`` in the mouth area with a high neighbour count. It reacts to the mouth
  (blurring the mouth turns it off) but no labelled smiling/neutral faces ship in a package, so
  its accuracy is unmeasured. Treat it as a hint.
* raised brows and frowns: nothing here measures them defensibly; they are not reported.

Measured: one face found in grace_hopper at 320-600 px, mirrored, rotated 12°, small in a wider
frame, and twice side by side; none in a rendered empty room, a screenshot, or scikit-learn's
china.jpg and flower.jpg photos.

OpenCV 5 dropped ``CascadeClassifier`` and the cascade files; this backend needs OpenCV 4.x.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from openlive.backends.face.base import Face, FacePose
from openlive.backends.ocr.base import BgrImage, Box

# Faces smaller than this share of the frame's shorter side are ignored (too far to read cues).
_MIN_FACE_SHARE = 0.12
_SCALE_STEP = 1.15
_FACE_NEIGHBOURS = 3
_SMILE_NEIGHBOURS = 25


def _cascade(name: str) -> Any:
    if not hasattr(cv2, "CascadeClassifier"):
        raise RuntimeError("this OpenCV build has no CascadeClassifier (OpenCV 5); install opencv-python-headless 4.x")
    path = f"{cv2.data.haarcascades}haarcascade_{name}.xml"  # type: ignore[attr-defined]
    classifier = cv2.CascadeClassifier(path)
    if classifier.empty():
        raise RuntimeError(f"cannot load the OpenCV cascade {path}")
    return classifier


def _overlaps(a: Box, b: Box) -> bool:
    if not a.intersects(b):
        return False
    inner = Box(max(a.left, b.left), max(a.top, b.top), min(a.right, b.right), min(a.bottom, b.bottom))
    return inner.area >= 0.3 * min(a.area, b.area)


class CascadeFaceAnalyzer:
    name = "opencv-cascade"

    def __init__(self) -> None:
        cv2.setNumThreads(1)
        self._frontal = _cascade("frontalface_alt2")
        self._profile = _cascade("profileface")
        self._eyes = (_cascade("eye"), _cascade("eye_tree_eyeglasses"))
        self._smile = _cascade("smile")

    def analyse(self, image: BgrImage) -> list[Face]:
        grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        height, width = grey.shape
        min_side = max(24, round(min(height, width) * _MIN_FACE_SHARE))
        faces = [
            self._frontal_face(grey, box, confidence) for box, confidence in self._detect(self._frontal, grey, min_side)
        ]
        if not faces:
            mirrored = cv2.flip(grey, 1)
            turned = self._detect(self._profile, grey, min_side) + [
                (Box(width - box.right, box.top, width - box.left, box.bottom), confidence)
                for box, confidence in self._detect(self._profile, mirrored, min_side)
            ]
            for box, confidence in sorted(turned, key=lambda item: -item[1]):
                if not any(_overlaps(box, face.box) for face in faces):
                    faces.append(Face(box, FacePose.TURNED, confidence))
        return sorted(faces, key=lambda face: -face.box.area)

    @staticmethod
    def _detect(cascade: Any, grey: Any, min_side: int) -> list[tuple[Box, float]]:
        boxes, _, weights = cascade.detectMultiScale3(
            grey, _SCALE_STEP, _FACE_NEIGHBOURS, minSize=(min_side, min_side), outputRejectLevels=True
        )
        return [
            (Box(int(x), int(y), int(x + w), int(y + h)), float(weight))
            for (x, y, w, h), weight in zip(boxes, np.ravel(weights), strict=True)
        ]

    def _frontal_face(self, grey: Any, box: Box, confidence: float) -> Face:
        face = grey[box.top : box.bottom, box.left : box.right]
        size = box.width
        upper = face[int(size * 0.2) : int(size * 0.55)]
        eye_boxes: list[Box] = []
        for cascade in self._eyes:
            for x, y, w, h in cascade.detectMultiScale(
                upper, 1.1, 3, minSize=(size // 8, size // 8), maxSize=(size // 3, size // 3)
            ):
                found = Box(int(x), int(y), int(x + w), int(y + h))
                if not any(_overlaps(found, other) for other in eye_boxes):
                    eye_boxes.append(found)
        mouth = face[int(size * 0.6) : int(size * 0.98), int(size * 0.15) : int(size * 0.85)]
        smiles = self._smile.detectMultiScale(mouth, 1.1, _SMILE_NEIGHBOURS, minSize=(size // 4, size // 10))
        return Face(box, FacePose.FRONTAL, confidence, smiling=len(smiles) > 0, eyes_found=min(2, len(eye_boxes)))
