"""A google-genai Live session driven the way a voice app drives it: a microphone and a listener.

:class:`Microphone` sends 20 ms PCM chunks at real-time pace while it runs: queued speech,
and in between a quiet room (or nothing, like a muted microphone). :class:`Listener` reads the
server's messages and hands over one :class:`Reply` per server turn, with the arrival time of
every piece. The latency benchmark and the speech end-to-end tests both use them.

Times are ``time.perf_counter()`` seconds.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np
from google.genai import live, types

from openlive.audio import Float32Audio, float32_to_pcm16

RATE = 16000
REPLY_RATE = 24000
REPLY_MIME = f"audio/pcm;rate={REPLY_RATE}"
CHUNK_S = 0.02
ROOM_NOISE_DBFS = -62.0


@dataclass
class Reply:
    """What the client saw of one server turn (up to ``turnComplete`` or ``interrupted``)."""

    audio: bytearray = field(default_factory=bytearray)
    audio_times: list[float] = field(default_factory=list)
    # Each chunk's bytes, in the order of ``audio_times``.
    audio_chunk_bytes: list[int] = field(default_factory=list)
    audio_mime_types: set[str] = field(default_factory=set)
    input_text: str = ""
    output_text: str = ""
    first_input_text: float | None = None
    first_output_text: float | None = None
    interrupted: bool = False
    turn_complete: bool = False
    ended: float | None = None

    @property
    def first_audio(self) -> float | None:
        return self.audio_times[0] if self.audio_times else None

    @property
    def last_audio(self) -> float | None:
        return self.audio_times[-1] if self.audio_times else None

    @property
    def audio_seconds(self) -> float:
        """Duration of the reply audio, taken as ``audio/pcm;rate=24000`` 16-bit mono."""
        return len(self.audio) / 2 / REPLY_RATE

    def playback_stall_seconds(self) -> float:
        """How long a client that plays each chunk on arrival, gaplessly, would have nothing to play
        between the first chunk and the last."""
        stalled = 0.0
        playing_until = self.audio_times[0] if self.audio_times else 0.0
        for arrival, size in zip(self.audio_times, self.audio_chunk_bytes, strict=True):
            stalled += max(0.0, arrival - playing_until)
            playing_until = max(playing_until, arrival) + size / 2 / REPLY_RATE
        return stalled

    @property
    def empty(self) -> bool:
        return not self.audio and not self.input_text and not self.output_text


class Listener:
    """Reads a session's messages and queues each server turn when it ends."""

    def __init__(self, session: live.AsyncSession) -> None:
        self._session = session
        self._current = Reply()
        self.replies: asyncio.Queue[Reply] = asyncio.Queue()

    @property
    def pending(self) -> Reply:
        """The server turn in progress (what arrived since the last one ended)."""
        return self._current

    async def run(self) -> None:
        """Until the connection closes; then the SDK's ``APIError`` (with the close code) is raised."""
        while True:
            async for message in self._session.receive():
                self.take(message, time.perf_counter())

    def take(self, message: types.LiveServerMessage, now: float) -> None:
        content = message.server_content
        if content is None:
            return
        reply = self._current
        if content.input_transcription is not None and content.input_transcription.text:
            reply.first_input_text = reply.first_input_text or now
            reply.input_text += content.input_transcription.text
        if content.output_transcription is not None and content.output_transcription.text:
            reply.first_output_text = reply.first_output_text or now
            reply.output_text += content.output_transcription.text
        parts = content.model_turn.parts if content.model_turn is not None else None
        for part in parts or []:
            if part.inline_data is not None and part.inline_data.data:
                reply.audio += part.inline_data.data
                reply.audio_times.append(now)
                reply.audio_chunk_bytes.append(len(part.inline_data.data))
                reply.audio_mime_types.add(part.inline_data.mime_type or "")
        reply.interrupted = reply.interrupted or bool(content.interrupted)
        reply.turn_complete = bool(content.turn_complete)
        if content.turn_complete or content.interrupted:
            reply.ended = now
            if not reply.empty:
                self.replies.put_nowait(reply)
            self._current = Reply()


@dataclass(frozen=True)
class Said:
    """Progress of one queued utterance."""

    speech_end: asyncio.Future[float]  # when the chunk holding the last speech sample went out
    finished: asyncio.Future[float]  # when its last chunk went out


@dataclass(frozen=True)
class _Queued:
    pcm: bytes
    speech_end_byte: int
    said: Said


class Microphone:
    """Sends ``audio/pcm`` chunks of 20 ms at real-time pace while :meth:`run` runs.

    Between utterances it sends a quiet room (white noise at -62 dBFS) or, with
    ``room=False``, nothing at all, like a muted microphone. ``legacy_media_chunks`` sends
    through ``realtimeInput.mediaChunks`` (``send_realtime_input(media=…)``) instead of ``audio``.
    """

    def __init__(
        self,
        session: live.AsyncSession,
        *,
        rate: int = RATE,
        mime_type: str | None = None,
        legacy_media_chunks: bool = False,
        room: bool = True,
        seed: int = 0,
    ) -> None:
        self._session = session
        self.rate = rate
        self.mime_type = mime_type if mime_type is not None else f"audio/pcm;rate={rate}"
        self._legacy = legacy_media_chunks
        self._chunk_bytes = round(rate * CHUNK_S) * 2
        self._interval_s = self._chunk_bytes / 2 / rate
        noise = np.random.default_rng(seed).standard_normal(rate) * 10 ** (ROOM_NOISE_DBFS / 20)
        self._room = float32_to_pcm16(noise.astype(np.float32)) if room else b""
        self._queue: deque[_Queued] = deque()
        self._wake = asyncio.Event()

    def say(self, audio: Float32Audio, speech_end: int | None = None) -> Said:
        """Queue ``audio`` (mono float32 at :attr:`rate`); ``speech_end`` is the index just past its
        last speech sample (default: its end)."""
        end = audio.size if speech_end is None else speech_end
        padded = np.pad(audio.astype(np.float32), (0, -audio.size % (self._chunk_bytes // 2)))
        loop = asyncio.get_running_loop()
        said = Said(loop.create_future(), loop.create_future())
        self._queue.append(_Queued(float32_to_pcm16(padded), max(2, end * 2), said))
        self._wake.set()
        return said

    async def _send(self, chunk: bytes) -> None:
        blob = types.Blob(data=chunk, mime_type=self.mime_type)
        if self._legacy:
            await self._session.send_realtime_input(media=blob)
        else:
            await self._session.send_realtime_input(audio=blob)

    async def run(self) -> None:
        start = time.perf_counter()
        sent = 0  # chunks sent since ``start``
        current: _Queued | None = None
        position = 0
        while True:
            if current is None and self._queue:
                current, position = self._queue.popleft(), 0
            if current is None and not self._room:
                # Muted: wait for speech, then start a fresh real-time schedule.
                self._wake.clear()
                await self._wake.wait()
                start, sent = time.perf_counter(), 0
                continue
            if current is not None:
                chunk = current.pcm[position : position + self._chunk_bytes]
            else:
                offset = sent * self._chunk_bytes % (len(self._room) - self._chunk_bytes)
                chunk = self._room[offset : offset + self._chunk_bytes]
            # An absolute schedule: a late chunk goes out at once, as from a buffered microphone.
            await asyncio.sleep(max(0.0, start + sent * self._interval_s - time.perf_counter()))
            await self._send(chunk)
            sent += 1
            if current is not None:
                position += self._chunk_bytes
                now = time.perf_counter()
                if not current.said.speech_end.done() and position >= current.speech_end_byte:
                    current.said.speech_end.set_result(now)
                if position >= len(current.pcm):
                    current.said.finished.set_result(now)
                    current = None


class Conversation:
    """An open SDK session with its listener (and, once opened, its microphone) running."""

    def __init__(self, session: live.AsyncSession) -> None:
        self.session = session
        self.listener = Listener(session)
        self._listening = asyncio.create_task(self.listener.run())
        self._microphone_task: asyncio.Task[None] | None = None
        self.microphone: Microphone | None = None

    def open_microphone(self, microphone: Microphone | None = None) -> Microphone:
        """Start sending audio: ``microphone`` or a default 16 kHz one with a quiet room."""
        self.microphone = microphone or Microphone(self.session)
        self._microphone_task = asyncio.create_task(self.microphone.run())
        return self.microphone

    async def close_microphone(self) -> None:
        """Stop sending audio (the stream just pauses, as when the user mutes)."""
        if self._microphone_task is not None:
            self._microphone_task.cancel()
            await asyncio.gather(self._microphone_task, return_exceptions=True)
            self._microphone_task = None

    async def close(self) -> None:
        await self.close_microphone()
        self._listening.cancel()
        await asyncio.gather(self._listening, return_exceptions=True)

    async def next_reply(self, wait_s: float) -> Reply:
        """The next finished server turn. If the session ended, the SDK's error (with the server's
        close code and reason) is raised; if nothing came within ``wait_s``, ``TimeoutError``."""
        waiting = asyncio.ensure_future(self.listener.replies.get())
        tasks = [self._listening, *([self._microphone_task] if self._microphone_task else [])]
        done, _ = await asyncio.wait([waiting, *tasks], timeout=max(0.0, wait_s), return_when=asyncio.FIRST_COMPLETED)
        if waiting in done:
            return waiting.result()
        waiting.cancel()
        if self._listening.done():
            self._listening.result()
        for task in done:
            task.result()
        raise TimeoutError(f"no finished server turn within {wait_s:.1f} s")

    async def wait_for_close(self, wait_s: float) -> BaseException:
        """What ended the session (the SDK's ``APIError`` for a close frame), waiting up to ``wait_s``."""
        await asyncio.wait([self._listening], timeout=wait_s)
        if not self._listening.done():
            raise TimeoutError(f"the session was still open after {wait_s:.1f} s")
        error = self._listening.exception()
        if error is None:
            raise AssertionError("the listener ended without an error")
        return error

    def take_replies(self) -> list[Reply]:
        """The finished server turns not yet taken, oldest first."""
        replies = []
        while not self.listener.replies.empty():
            replies.append(self.listener.replies.get_nowait())
        return replies
