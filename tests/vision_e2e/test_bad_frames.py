"""Frames that cannot be used end the session with 1007 and a reason that says why (raw WebSocket:
the SDKs send whatever bytes and mime type they are given)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.conftest import RunningServer
from tests.gateway.live_client import TEXT_SETUP, connect, expect_close, read_turn, receive_json, turn_text, user_turn
from tests.support.images import screen_jpeg, screen_png


def _blob(data: bytes, mime_type: str) -> dict[str, str]:
    return {"mimeType": mime_type, "data": base64.b64encode(data).decode()}


def _image_turn(data: bytes, mime_type: str) -> dict[str, Any]:
    parts = [{"inlineData": _blob(data, mime_type)}, {"text": "What is on my screen?"}]
    return {"clientContent": {"turns": [{"role": "user", "parts": parts}], "turnComplete": True}}


BAD_FRAMES = {
    "video-not-an-image": {"realtimeInput": {"video": _blob(b"not an image", "image/jpeg")}},
    "video-mp4": {"realtimeInput": {"video": _blob(screen_jpeg(), "video/mp4")}},
    "media-chunks-mp4": {"realtimeInput": {"mediaChunks": [_blob(screen_jpeg(), "video/mp4")]}},
    "client-content-not-a-png": _image_turn(b"not an image", "image/png"),
    # The header is fine, the pixels are cut off: found only when the frame is decoded.
    "video-truncated-png": {"realtimeInput": {"video": _blob(screen_png()[:200], "image/png")}},
}


@pytest.mark.parametrize("frame", list(BAD_FRAMES.values()), ids=list(BAD_FRAMES))
async def test_unusable_frame_closes_with_1007(tls_server: RunningServer, frame: dict[str, Any]) -> None:
    ws = await connect(tls_server)
    await ws.send(json.dumps(TEXT_SETUP))
    assert "setupComplete" in await receive_json(ws)
    await ws.send(json.dumps(frame))
    code, reason = await expect_close(ws)
    assert code == 1007, (code, reason)
    assert "image" in reason.lower() or "mime" in reason.lower(), reason


async def test_a_good_frame_keeps_the_session_open(tls_server: RunningServer) -> None:
    ws = await connect(tls_server)
    await ws.send(json.dumps(TEXT_SETUP))
    assert "setupComplete" in await receive_json(ws)
    await ws.send(json.dumps({"realtimeInput": {"video": _blob(screen_jpeg(), "image/jpg")}}))
    await ws.send(user_turn("Can you see me?"))
    answer = turn_text(await read_turn(ws))
    await ws.close()
    # The frame is a screenshot: no camera, and the session stays open.
    assert "can't see you" in answer.lower() or "still looking" in answer.lower(), answer
