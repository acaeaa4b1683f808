"""Frame intake: mime checks, typed errors, and the processing size per mediaResolution."""

from __future__ import annotations

import pytest

from openlive.engine.vision import (
    FrameDecodeError,
    MediaResolution,
    UndecodableImageError,
    UnsupportedMimeTypeError,
    decode_frame,
    inspect_frame,
)
from tests.support.images import ScreenContent, encode, render_screen, screen_jpeg, screen_png


@pytest.mark.parametrize("mime_type", ["image/gif", "audio/pcm;rate=16000", "text/plain", ""])
def test_wrong_mime_type_is_a_typed_error(mime_type: str) -> None:
    with pytest.raises(UnsupportedMimeTypeError):
        inspect_frame(screen_jpeg(), mime_type)


@pytest.mark.parametrize(
    ("data", "mime_type"),
    [
        (b"not an image at all", "image/jpeg"),
        (b"", "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "image/jpeg"),  # JPEG magic, no valid header after it
    ],
)
def test_undecodable_bytes_are_a_typed_error(data: bytes, mime_type: str) -> None:
    with pytest.raises(UndecodableImageError):
        decode_frame(data, mime_type, 1280)


def test_png_bytes_declared_as_jpeg_are_refused() -> None:
    with pytest.raises(UndecodableImageError):
        inspect_frame(screen_png(), "image/jpeg")


def test_errors_share_one_base_class_for_close_code_1007() -> None:
    assert issubclass(UnsupportedMimeTypeError, FrameDecodeError)
    assert issubclass(UndecodableImageError, FrameDecodeError)
    assert issubclass(FrameDecodeError, ValueError)


def test_jpg_alias_and_parameters_are_accepted() -> None:
    info = inspect_frame(screen_jpeg(), "image/jpg; quality=85")
    assert (info.mime_type, info.width, info.height) == ("image/jpeg", 1280, 720)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("MEDIA_RESOLUTION_LOW", MediaResolution.LOW),
        ("medium", MediaResolution.MEDIUM),
        ("MEDIA_RESOLUTION_HIGH", MediaResolution.HIGH),
        (None, MediaResolution.MEDIUM),
        ("MEDIA_RESOLUTION_UNSPECIFIED", MediaResolution.MEDIUM),
    ],
)
def test_media_resolution_parses_wire_and_short_names(value: str | None, expected: MediaResolution) -> None:
    assert MediaResolution.parse(value) is expected


def test_unknown_media_resolution_is_refused() -> None:
    with pytest.raises(ValueError, match="mediaResolution"):
        MediaResolution.parse("ULTRA")


@pytest.mark.parametrize("mime_type", ["image/jpeg", "image/png"])
def test_media_resolution_sets_the_processing_size(mime_type: str) -> None:
    large = encode(render_screen(ScreenContent(), size=(2560, 1440)).image, mime_type)
    widths = {
        resolution: decode_frame(large, mime_type, resolution.screen_max_side).image.shape[1]
        for resolution in MediaResolution
    }
    assert widths == {MediaResolution.LOW: 1024, MediaResolution.MEDIUM: 1280, MediaResolution.HIGH: 1920}
    camera = {resolution.camera_max_side for resolution in MediaResolution}
    assert camera == {320, 480, 640}


def test_small_frames_are_never_upscaled() -> None:
    frame = decode_frame(screen_jpeg(), "image/jpeg", MediaResolution.HIGH.screen_max_side)
    assert frame.image.shape == (720, 1280, 3)
    assert frame.scale == 1.0
