"""A raw WebSocket client for the Live protocol, for the cases the SDKs never send."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

from tests.conftest import API_KEY, LIVE_MODEL, RunningServer

TEXT_SETUP: dict[str, Any] = {
    "setup": {"model": f"models/{LIVE_MODEL}", "generationConfig": {"responseModalities": ["TEXT"], "temperature": 0}}
}


async def connect(server: RunningServer, *, key: str | None = API_KEY, path: str | None = None) -> ClientConnection:
    url = path or server.live_url()
    headers = {"x-goog-api-key": key} if key else {}
    return await websockets.connect(url, ssl=server.ssl_context(), additional_headers=headers, max_size=2**24)


async def receive_json(ws: ClientConnection, timeout: float = 60) -> dict[str, Any]:
    frame = await asyncio.wait_for(ws.recv(), timeout)
    assert isinstance(frame, bytes), "server frames are binary"
    message: dict[str, Any] = json.loads(frame)
    return message


async def expect_close(ws: ClientConnection, timeout: float = 60) -> tuple[int, str]:
    """Read until the server closes; return its close code and reason."""
    try:
        while True:
            await asyncio.wait_for(ws.recv(), timeout)
    except websockets.ConnectionClosed as closed:
        assert closed.rcvd is not None, "the server must send a close frame"
        return closed.rcvd.code, closed.rcvd.reason


async def read_turn(ws: ClientConnection, timeout: float = 60) -> list[dict[str, Any]]:
    """Messages up to and including the next turnComplete."""
    messages = []
    while True:
        message = await receive_json(ws, timeout)
        messages.append(message)
        if message.get("serverContent", {}).get("turnComplete"):
            return messages


def turn_text(messages: list[dict[str, Any]]) -> str:
    return "".join(
        part.get("text", "")
        for message in messages
        for part in message.get("serverContent", {}).get("modelTurn", {}).get("parts", [])
    )


def user_turn(text: str) -> str:
    return json.dumps({"clientContent": {"turns": [{"role": "user", "parts": [{"text": text}]}], "turnComplete": True}})
