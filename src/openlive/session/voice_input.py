"""One session's microphone: format checks, resampling to 16 kHz, turn tracking, transcription."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np

from openlive import metrics
from openlive.audio import AudioFormatError, Float32Audio, StreamResampler, parse_pcm_mime, pcm16_to_int16
from openlive.engine.runtime import Runtime
from openlive.engine.speech.activity import SAMPLE_RATE, ActivitySettings, EndSensitivity, StartSensitivity
from openlive.engine.speech.asr_context import tool_context
from openlive.engine.speech.transcriber import TranscriptUpdate, UtteranceTranscriber
from openlive.engine.speech.turns import TurnEvent, TurnTracker, UserTurnEnded
from openlive.engine.threads import Urgency
from openlive.engine.tools.schema import FunctionDeclaration
from openlive.protocol.errors import invalid_argument
from openlive.protocol.messages import AutomaticActivityDetection, Blob
from openlive.protocol.messages import EndSensitivity as WireEndSensitivity
from openlive.protocol.messages import StartSensitivity as WireStartSensitivity

T = TypeVar("T")


def activity_settings(detection: AutomaticActivityDetection) -> ActivitySettings:
    return ActivitySettings(
        disabled=detection.disabled,
        start_sensitivity=StartSensitivity.LOW
        if detection.start_of_speech_sensitivity is WireStartSensitivity.LOW
        else StartSensitivity.HIGH,
        end_sensitivity=EndSensitivity.LOW
        if detection.end_of_speech_sensitivity is WireEndSensitivity.LOW
        else EndSensitivity.HIGH,
        prefix_padding_ms=ActivitySettings.prefix_padding_ms
        if detection.prefix_padding_ms is None
        else detection.prefix_padding_ms,
        silence_duration_ms=detection.silence_duration_ms,
    )


class VoiceInput:
    def __init__(self, runtime: Runtime, detection: AutomaticActivityDetection, language: str | None) -> None:
        self._runtime = runtime
        self.settings = activity_settings(detection)
        self.tracker = TurnTracker(runtime.vad.open_stream(), runtime.turn_model, self.settings)
        self.language = language
        self.transcriber = UtteranceTranscriber(runtime.asr, language)
        self._resamplers: dict[int, StreamResampler] = {}

    def decode(self, blob: Blob) -> Float32Audio:
        """The blob's PCM as 16 kHz float32; 1007 for anything that is not 16-bit PCM."""
        try:
            rate = parse_pcm_mime(blob.mime_type)
            samples = pcm16_to_int16(blob.data)
        except AudioFormatError as error:
            raise invalid_argument(f"Invalid audio: {error}") from None
        audio = samples.astype(np.float32) / 32768.0
        if rate == SAMPLE_RATE:
            return audio
        resampler = self._resamplers.get(rate)
        if resampler is None:
            resampler = self._resamplers[rate] = StreamResampler(rate, SAMPLE_RATE, np.float32)
        return np.asarray(resampler.process(audio), dtype=np.float32)

    async def track(self, audio: Float32Audio) -> list[TurnEvent]:
        """Run VAD and end-of-turn detection on new audio (off the event loop)."""
        if audio.size == 0:
            return []
        return await self._runtime.run(
            self._runtime.listen_executor, lambda: _timed("listen", audio, lambda: self.tracker.feed(audio))
        )

    async def flush(self) -> UserTurnEnded | None:
        return await self._runtime.run(self._runtime.listen_executor, self.tracker.flush)

    async def transcribe(self, audio: Float32Audio, final: bool, urgency: Urgency = Urgency.NOW) -> TranscriptUpdate:
        transcriber = self.transcriber
        work = transcriber.final if final else transcriber.partial
        return await self._runtime.run(
            self._runtime.asr_executor.at(urgency), lambda: _timed("asr", audio, lambda: work(audio))
        )

    def declare_tools(self, declarations: Sequence[FunctionDeclaration]) -> None:
        """Bias transcription towards the words of the session's tools, from the utterance in progress on."""
        self.transcriber.context = tool_context(declarations)

    def new_utterance(self) -> None:
        # The next utterance expects the language this one was heard in.
        self.transcriber = self.transcriber.next_utterance()


def _timed(stage: str, audio: Float32Audio, work: Callable[[], T]) -> T:
    """``work()``, its time counted against ``audio`` for the stage's real-time factor."""
    started = time.perf_counter()
    result = work()
    metrics.observe_stage(stage, time.perf_counter() - started, audio.size / SAMPLE_RATE)
    return result
