"""Camera cues and the whole session path: submit frames, read the visual context."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from openlive.backends.face.base import FacePose
from openlive.backends.face.opencv_cascade import CascadeFaceAnalyzer
from openlive.backends.ocr.base import BgrImage
from openlive.engine.vision import (
    FrameDecodeError,
    FrameSource,
    UndecodableImageError,
    UnsupportedMimeTypeError,
    VisionEngine,
    decode_frame,
)
from tests.support.images import camera_jpeg_with_face, empty_room_jpeg, screen_jpeg, screen_png


def _camera_image(data: bytes) -> BgrImage:
    return decode_frame(data, "image/jpeg", 480).image


def test_face_found_in_grace_hopper(faces: CascadeFaceAnalyzer) -> None:
    found = faces.analyse(_camera_image(camera_jpeg_with_face()))
    assert len(found) == 1
    face = found[0]
    assert face.pose is FacePose.FRONTAL
    # Her face sits in the upper middle of the 410×480 portrait.
    assert 100 <= face.box.center[0] <= 300 and 100 <= face.box.center[1] <= 260
    assert face.eyes_found is not None and face.smiling is not None


def test_smile_cue_reacts_to_the_mouth(faces: CascadeFaceAnalyzer) -> None:
    """Blurring the mouth must turn the smile cue off: it reads the mouth, not the whole face."""
    image = _camera_image(camera_jpeg_with_face())
    face = faces.analyse(image)[0]
    size = face.box.width
    top, bottom = face.box.top + int(size * 0.6), face.box.top + int(size * 0.98)
    left, right = face.box.left + int(size * 0.15), face.box.left + int(size * 0.85)
    blurred = image.copy()
    blurred[top:bottom, left:right] = cv2.GaussianBlur(blurred[top:bottom, left:right], (31, 31), 12)
    assert face.smiling is True
    after = faces.analyse(blurred)
    assert len(after) == 1 and after[0].smiling is False


def test_two_people_are_counted(faces: CascadeFaceAnalyzer) -> None:
    image = _camera_image(camera_jpeg_with_face())
    side_by_side = np.ascontiguousarray(np.hstack([image, image]))
    found = faces.analyse(side_by_side)
    centres = sorted(face.box.center[0] for face in found)
    assert len(centres) == 2 and centres[0] < image.shape[1] < centres[1]


def test_no_face_in_an_empty_room_or_a_screenshot(faces: CascadeFaceAnalyzer) -> None:
    assert faces.analyse(_camera_image(empty_room_jpeg())) == []
    screenshot = decode_frame(screen_jpeg(), "image/jpeg", 1280).image
    small = np.asarray(cv2.resize(screenshot, (640, 360), interpolation=cv2.INTER_AREA), dtype=np.uint8)
    assert faces.analyse(small) == []


async def test_session_sees_screen_and_camera_latest_first(vision_engine: VisionEngine) -> None:
    updates: list[int] = []
    session = vision_engine.open_session(rate_hz=100.0, burst=10, on_update=lambda: updates.append(1))
    try:
        session.submit(screen_png(), "image/png")
        await session.settle()
        assert session.context.screen is not None and updates == [1]
        screen_only = session.context.describe()
        assert "Cannot save file: disk full" in screen_only
        assert "Camera: no frames received." in screen_only
        # Without ages the text changes only when what is seen does, not as time passes.
        screen = session.context.screen
        undated = session.context.describe(now=screen.at + 5, ages=False)
        assert undated == session.context.describe(now=screen.at + 25, ages=False)
        assert undated.startswith("Shared screen:\n") and "s ago" not in undated
        assert session.context.describe(now=screen.at + 5).startswith("Shared screen (5 s ago):")
        assert "may be out of date" in session.context.describe(now=screen.at + 60, ages=False)

        session.submit(camera_jpeg_with_face(), "image/jpeg")
        await session.settle()
        camera = session.context.camera
        assert camera is not None and camera.person_present and len(camera.faces) == 1
        text = session.context.describe()
        assert text.startswith("Camera (just now): One person is visible")
        assert "Shared screen" in text

        session.submit(empty_room_jpeg(), "image/jpeg", FrameSource.CAMERA)
        await session.settle()
        assert session.context.camera is not None and not session.context.camera.person_present
        assert "No person is visible." in session.context.describe()
    finally:
        await session.close()


async def test_session_refuses_bad_frames_with_typed_errors(vision_engine: VisionEngine) -> None:
    errors: list[FrameDecodeError] = []
    session = vision_engine.open_session(on_error=errors.append, rate_hz=100.0)
    try:
        with pytest.raises(UnsupportedMimeTypeError):
            session.submit(screen_jpeg(), "image/webp")
        with pytest.raises(UndecodableImageError):
            session.submit(b"garbage", "image/jpeg")
        # A PNG whose header is fine but whose pixel data is cut off fails only when decoded.
        session.submit(screen_png()[:200], "image/png")
        await session.settle()
        assert len(errors) == 1 and isinstance(errors[0], UndecodableImageError)
        assert session.context.screen is None
    finally:
        await session.close()
