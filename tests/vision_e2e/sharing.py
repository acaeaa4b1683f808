"""A screen share or camera as apps send it through the SDK, and typed questions about it."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from types import TracebackType

from google.genai import live, types

from openlive.engine.vision.answers import STILL_LOOKING

# Clients send about one frame a second.
FRAME_INTERVAL_S = 1.0
# Reading a new 1280×720 screenshot takes about 2.3 CPU-seconds of OCR. The vision thread runs
# at nice +10, so on two cores busy with other work it can take a minute before a frame is read;
# until then the server honestly answers STILL_LOOKING, and the tests ask again, as a user would.
READ_WAIT_S = 120.0
ANSWER_WAIT_S = 90.0


class FrameStream:
    """Sends the current frame through ``realtimeInput.video`` once a second while open.

    ``legacy_media_chunks`` sends through the deprecated ``mediaChunks`` field instead.
    """

    def __init__(
        self,
        session: live.AsyncSession,
        frame: bytes,
        mime_type: str = "image/jpeg",
        *,
        legacy_media_chunks: bool = False,
    ) -> None:
        self._session = session
        self._frame = frame
        self._mime_type = mime_type
        self._legacy = legacy_media_chunks
        # One send at a time, so a frame shown later never goes out before an earlier one.
        self._sending = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    async def show(self, frame: bytes) -> None:
        """Switch to ``frame``: returns once it is sent; it then goes out once a second."""
        self._frame = frame
        await self._send()

    async def __aenter__(self) -> FrameStream:
        """Returns once the first frame is sent, so that a question asked next comes after it."""
        await self._send()
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _send(self) -> None:
        async with self._sending:
            blob = types.Blob(data=self._frame, mime_type=self._mime_type)
            if self._legacy:
                await self._session.send_realtime_input(media=blob)
            else:
                await self._session.send_realtime_input(video=blob)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(FRAME_INTERVAL_S)
            await self._send()


async def ask(session: live.AsyncSession, *parts: types.Part) -> str:
    """Send one user turn (text, images) and return the text of the whole answer."""
    await session.send_client_content(turns=types.Content(role="user", parts=list(parts)), turn_complete=True)

    async def answer() -> str:
        text = ""
        async for message in session.receive():
            text += message.text or ""
        return text

    return await asyncio.wait_for(answer(), ANSWER_WAIT_S)


async def ask_text(session: live.AsyncSession, question: str) -> str:
    return await ask(session, types.Part(text=question))


async def ask_until_read(ask_once: Callable[[], Awaitable[str]]) -> str:
    """Ask until the answer is no longer :data:`STILL_LOOKING`; return that answer."""
    deadline = time.monotonic() + READ_WAIT_S
    while True:
        answer = await ask_once()
        if STILL_LOOKING not in answer:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"the shared frames were not read within {READ_WAIT_S:.0f} s")
        await asyncio.sleep(FRAME_INTERVAL_S)
