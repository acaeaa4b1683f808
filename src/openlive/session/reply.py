"""One model turn: LLM text → client, as text parts or as speech with its transcription.

A reply can be *held*: it runs (so the first words and audio are ready) but sends nothing
until :meth:`Reply.release`. That is how a reply starts speculatively while the user pauses,
and is thrown away if they go on. :meth:`Reply.interrupt` stops it at once: nothing more
is sent after it returns, and :attr:`Reply.sent_text` is what the client actually got.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from openlive.audio import int16_to_pcm16
from openlive.backends.llm.base import ChatMessage, Generation, GenerationStats, LlmSlot, SamplingParams
from openlive.backends.tts.base import NORMAL_PROSODY, Prosody, Tts
from openlive.engine.runtime import Runtime
from openlive.engine.speech.phrases import PhraseSplitter
from openlive.engine.speech.voice_out import OUTPUT_MIME_TYPE, OUTPUT_RATE, speech_frames
from openlive.engine.threads import Urgency, iterate_in_thread
from openlive.protocol.messages import Blob, Content, Part, ServerContent, Transcription

log = logging.getLogger(__name__)

Emit = Callable[[ServerContent], None]

# How far audio may run ahead of real-time playback. The client buffers this much; on an
# interruption at most this much was sent but never heard.
PLAYBACK_LEAD_SECONDS = 0.8
# The longest the LLM waits for the first phrase's audio before it goes on anyway.
_FIRST_AUDIO_WAIT_S = 1.0
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")


@dataclass
class TurnTimeline:
    """Monotonic times of one turn's stages, for logs and metrics."""

    speech_end: float | None = None
    end_of_turn: float | None = None
    transcript: float | None = None
    tool_call: float | None = None
    first_token: float | None = None
    first_phrase: float | None = None
    # The first reply audio is synthesised (a held reply waits here until the turn ends).
    audio_ready: float | None = None
    first_audio: float | None = None

    def mark(self, stage: str) -> None:
        if getattr(self, stage) is None:
            setattr(self, stage, time.monotonic())

    def relative_ms(self) -> dict[str, float]:
        origin = self.speech_end or self.end_of_turn or self.first_token
        if origin is None:
            return {}
        return {
            name: round((value - origin) * 1000, 1)
            for name, value in vars(self).items()
            if value is not None and name != "speech_end"
        }


@dataclass(frozen=True)
class SpeechSettings:
    tts: Tts
    prosody: Prosody = NORMAL_PROSODY
    language: str | None = None
    transcribe: bool = False


@dataclass
class ReplyResult:
    sent_text: str
    # The model's whole reply, exactly as generated: the history keeps it when nothing was cut, so
    # the next turn's prompt matches the slot's cached tokens through this reply.
    generated_text: str
    stats: GenerationStats
    interrupted: bool
    audio_seconds: float = 0.0


@dataclass
class _Playback:
    """Where the client's playback of what was sent will end, assuming it plays as it receives."""

    ends_at: float = 0.0
    seconds: float = 0.0

    def add(self, seconds: float) -> None:
        now = time.monotonic()
        self.ends_at = max(self.ends_at, now) + seconds
        self.seconds += seconds

    def wait_seconds(self) -> float:
        return max(0.0, self.ends_at - time.monotonic() - PLAYBACK_LEAD_SECONDS)


class Reply:
    def __init__(
        self,
        runtime: Runtime,
        slot: LlmSlot,
        messages: list[ChatMessage],
        sampling: SamplingParams,
        emit: Emit,
        speech: SpeechSettings | None,
        held: bool = False,
        timeline: TurnTimeline | None = None,
        on_playback: Callable[[np.ndarray], None] | None = None,
        after: asyncio.Future[Any] | None = None,
        planned_text: str | None = None,
        max_sentences: int | None = None,
    ) -> None:
        self.messages = messages
        self.timeline = timeline or TurnTimeline()
        self._runtime = runtime
        self._slot = slot
        self._sampling = sampling
        self._emit_to_client = emit
        self._speech = speech
        self._on_playback = on_playback
        self._cancel = threading.Event()
        # Set while the listener waits on the LLM; clear while a whole phrase waits for TTS, when the
        # rest of the reply may give way to other sessions' first words (see LlmSlot.generate).
        self._urgency = threading.Event()
        self._urgency.set()
        # Cleared from the first phrase until its audio is synthesised: the LLM then leaves the CPU to
        # Piper, which the user waits for, and writes the rest of the reply while that audio plays.
        # On 2 cores the rest of the reply, Piper and the turn model otherwise ran at once.
        self._generation_may_run = threading.Event()
        self._generation_may_run.set()
        self._released = asyncio.Event()
        if not held:
            self._released.set()
        self._stopped = False
        self._sent_parts: list[str] = []
        self._generated_parts: list[str] = []
        self._playback = _Playback()
        self._generation: Generation | None = None
        # The session's previous work on the same LLM slot (a reply winding down, a prefill).
        self._after = after
        # An answer decided without the LLM (grounded in what is seen, say): spoken as it is.
        self._planned_text = planned_text
        self._max_sentences = max_sentences
        # Done once the LLM has finished with this reply; its audio may go out, paced, for seconds more.
        self.generation_done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.task: asyncio.Task[ReplyResult] = asyncio.create_task(self._run())

    @property
    def sent_text(self) -> str:
        return "".join(self._sent_parts)

    @property
    def generated_text(self) -> str:
        """The model's words so far (all of them once :attr:`generation_done`)."""
        return "".join(self._generated_parts)

    @property
    def stopped(self) -> bool:
        return self._stopped

    def is_playing(self) -> bool:
        """Whether the client is (as far as we know) still playing this reply's audio."""
        return not self.task.done() or time.monotonic() < self._playback.ends_at

    def release(self) -> None:
        self._released.set()

    def interrupt(self) -> None:
        """Stop now: nothing more reaches the client, generation and TTS wind down."""
        self._stopped = True
        self._cancel.set()
        self._generation_may_run.set()
        self._released.set()

    def discard(self) -> None:
        """Drop a held reply whose turn did not happen. Nothing of it was sent."""
        self.interrupt()

    async def _emit(self, content: ServerContent) -> bool:
        if not self._released.is_set():
            await self._released.wait()
        if self._stopped:
            return False
        self._emit_to_client(content)
        return True

    def _stats(self) -> GenerationStats:
        if self._generation is not None:
            return self._generation.stats
        if self._planned_text is not None:
            tokens = self._runtime.llm.count_text_tokens(self._planned_text)
            return GenerationStats(completion_tokens=tokens, finish_reason="stop")
        return GenerationStats()

    async def _run(self) -> ReplyResult:
        if self._after is not None:
            await asyncio.wait([self._after])
        try:
            if self._speech is None:
                await self._run_text()
            else:
                await self._run_speech(self._speech)
        finally:
            self._cancel.set()
            self._generation_finished()
        return ReplyResult(self.sent_text, self.generated_text, self._stats(), self._stopped, self._playback.seconds)

    def _generation_finished(self) -> None:
        if not self.generation_done.done():
            self.generation_done.set_result(None)

    def _text_pieces(self) -> Iterator[str]:
        if self._planned_text is not None:
            return self._recorded(iter([self._planned_text]))
        self._generation = self._slot.generate(self.messages, self._sampling, self._cancel, self._urgency)
        if self._max_sentences is None:
            return self._recorded(iter(self._generation))
        return self._recorded(self._first_sentences(iter(self._generation), self._max_sentences))

    def _recorded(self, pieces: Iterator[str]) -> Iterator[str]:
        for piece in pieces:
            self._generated_parts.append(piece)
            yield piece
            self._generation_may_run.wait(_FIRST_AUDIO_WAIT_S)

    def _first_sentences(self, pieces: Iterator[str], count: int) -> Iterator[str]:
        """Stop the LLM once ``count`` sentences are out (a style asked for a short reply)."""
        text = ""
        for piece in pieces:
            yield piece
            text += piece
            if len(_SENTENCE_END.findall(text)) >= count:
                self._cancel.set()
                return

    async def _run_text(self) -> None:
        pieces = iterate_in_thread(self._runtime.llm_executor, self._text_pieces, self._cancel)
        try:
            # Closed before the generation counts as done: closing waits until the LLM thread has
            # let go of the slot, which the next reply on it is about to claim.
            async with contextlib.aclosing(pieces):
                async for piece in pieces:
                    self.timeline.mark("first_token")
                    if not await self._emit(ServerContent(model_turn=Content("model", (Part(text=piece),)))):
                        return
                    self._sent_parts.append(piece)
        finally:
            self._generation_finished()

    async def _run_speech(self, speech: SpeechSettings) -> None:
        phrases: asyncio.Queue[str | None] = asyncio.Queue()
        producer = asyncio.create_task(self._split_phrases(phrases))
        try:
            while (phrase := await phrases.get()) is not None:
                if phrases.empty():
                    self._urgency.set()
                if not await self._speak(phrase, speech):
                    return
        finally:
            if not producer.done():
                self._cancel.set()
                self._generation_may_run.set()
            await asyncio.gather(producer, return_exceptions=True)
        if producer.exception() is not None:
            raise producer.exception()  # type: ignore[misc]

    async def _split_phrases(self, phrases: asyncio.Queue[str | None]) -> None:
        splitter = PhraseSplitter()
        try:
            async for piece in iterate_in_thread(self._runtime.llm_executor, self._text_pieces, self._cancel):
                self.timeline.mark("first_token")
                for phrase in splitter.push(piece):
                    if self.timeline.first_phrase is None:
                        self._generation_may_run.clear()
                    self.timeline.mark("first_phrase")
                    phrases.put_nowait(phrase)
                    self._urgency.clear()
            for phrase in splitter.flush():
                self.timeline.mark("first_phrase")
                phrases.put_nowait(phrase)
        finally:
            self._generation_finished()
            phrases.put_nowait(None)

    async def _speak(self, phrase: str, speech: SpeechSettings) -> bool:
        """Send one phrase as audio frames, paced near real time; False once stopped."""
        spoken = " " + phrase if self._sent_parts else phrase
        first = True
        # The first phrase is what the user waits for; later ones have the earlier ones' playback.
        executor = self._runtime.tts_executor.at(Urgency.SOON if self._sent_parts else Urgency.NOW)
        async for frame in speech_frames(speech.tts, executor, phrase, self._cancel, speech.prosody, speech.language):
            self.timeline.mark("audio_ready")
            self._generation_may_run.set()
            wait = self._playback.wait_seconds()
            if wait > 0 and self._released.is_set():
                await asyncio.sleep(wait)
            transcription = ServerContent(output_transcription=Transcription(spoken))
            if first and speech.transcribe and not await self._emit(transcription):
                return False
            audio = Part(inline_data=Blob(OUTPUT_MIME_TYPE, int16_to_pcm16(frame)))
            if not await self._emit(ServerContent(model_turn=Content("model", (audio,)))):
                return False
            if first:
                # The phrase counts as said once its audio starts reaching the client.
                self._sent_parts.append(spoken)
                first = False
            self.timeline.mark("first_audio")
            self._playback.add(frame.size / OUTPUT_RATE)
            if self._on_playback is not None:
                self._on_playback(frame)
        return not self._stopped
