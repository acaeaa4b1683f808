"""Images for vision tests: rendered screenshots and camera frames, encoded as clients send them.

The drawing lives in :mod:`openlive.bench.scenes` (the vision bench uses the same frames); this
module gives tests the encoded bytes and the strings the screenshots show.
"""

from __future__ import annotations

from openlive.bench.scenes import (
    DARK_TITLES,
    LIGHT_TITLES,
    ScreenContent,
    Theme,
    camera_frame_with_face,
    empty_room,
    encode,
    lines_of,
    render_screen,
    screen_share_frames,
)

__all__ = [
    "DARK_TITLES",
    "LIGHT_TITLES",
    "ScreenContent",
    "Theme",
    "camera_jpeg_with_face",
    "empty_room_jpeg",
    "encode",
    "lines_of",
    "render_screen",
    "screen_jpeg",
    "screen_png",
    "screen_share_frames",
]


def screen_jpeg(content: ScreenContent | None = None, theme: Theme = DARK_TITLES) -> bytes:
    """A 1280×720 desktop screenshot (task list, spreadsheet table, error dialog) as JPEG."""
    return encode(render_screen(content, theme=theme).image, "image/jpeg")


def screen_png(content: ScreenContent | None = None) -> bytes:
    return encode(render_screen(content).image, "image/png")


def camera_jpeg_with_face() -> bytes:
    """matplotlib's grace_hopper.jpg: one person facing the camera."""
    return encode(camera_frame_with_face(), "image/jpeg")


def empty_room_jpeg() -> bytes:
    """A 640×480 webcam-like view of a room with nobody in it."""
    return encode(empty_room(), "image/jpeg")
