"""Voice activity for one audio stream: Silero frames → speech started / stopped / paused / resumed.

Gemini's ``realtimeInputConfig.automaticActivityDetection`` is mapped to real numbers here:

* ``startOfSpeechSensitivity`` HIGH (default) counts a 32 ms frame as speech at VAD
  probability ≥ 0.5 and starts after 2 such frames (64 ms): quick, catches quiet speech.
  LOW needs ≥ 0.7 for 7 frames (224 ms), so coughs, clicks and short noises do not start a turn.
* ``endOfSpeechSensitivity`` sets how soon a pause is noticed: HIGH after 160 ms of
  silence, LOW after 320 ms. What a pause means for the turn is decided in
  :mod:`openlive.engine.speech.turns`, which also reads ``silenceDurationMs``. Before
  that, after one silent frame (32 ms), :class:`SpeechStopped` says the speech *may* have
  ended, early enough to start transcribing it on a guess.
* ``prefixPaddingMs`` (default 300 ms) is how much audio before the first speech frame
  goes with :class:`SpeechStarted`, so the ASR hears the whole first word.

While speaking, a frame counts as silence below the start threshold minus 0.15 (Silero's
own hysteresis), so a soft syllable does not split the speech.

Time is stream time (samples fed), not wall-clock time, which makes the detector
deterministic and testable with recorded audio.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

import numpy as np

from openlive.audio import Float32Audio
from openlive.backends.vad.base import VadStream

SAMPLE_RATE = 16000
_HYSTERESIS = 0.15
# Silence after which the speech may have ended: one VAD frame. Speculating this early starts the
# transcript 64 ms sooner than after three frames; on 22 test utterances it cost 5 more guesses
# thrown away (11 against 6) when the speaker went on.
_STOP_MS = 32


class StartSensitivity(Enum):
    HIGH = "START_SENSITIVITY_HIGH"
    LOW = "START_SENSITIVITY_LOW"


class EndSensitivity(Enum):
    HIGH = "END_SENSITIVITY_HIGH"
    LOW = "END_SENSITIVITY_LOW"


@dataclass(frozen=True)
class ActivitySettings:
    """``automaticActivityDetection`` from the session setup, with Gemini's defaults.

    The session maps the wire message onto this (see ``openlive.session.voice_input``).
    """

    disabled: bool = False
    start_sensitivity: StartSensitivity = StartSensitivity.HIGH
    end_sensitivity: EndSensitivity = EndSensitivity.HIGH
    prefix_padding_ms: int = 300
    # None: let the turn policy pick by end sensitivity (see turns.py).
    silence_duration_ms: int | None = None


@dataclass(frozen=True)
class ActivityThresholds:
    start_probability: float
    start_frames: int
    stop_ms: int
    pause_ms: int
    prefix_padding_ms: int

    @property
    def continue_probability(self) -> float:
        return self.start_probability - _HYSTERESIS

    @classmethod
    def from_settings(cls, settings: ActivitySettings) -> ActivityThresholds:
        high_start = settings.start_sensitivity is StartSensitivity.HIGH
        pause_ms = 160 if settings.end_sensitivity is EndSensitivity.HIGH else 320
        if settings.silence_duration_ms is not None:
            # A client that wants the turn to end after 100 ms must hear about the pause by then.
            pause_ms = min(pause_ms, settings.silence_duration_ms)
        return cls(
            start_probability=0.5 if high_start else 0.7,
            start_frames=2 if high_start else 7,
            stop_ms=min(_STOP_MS, pause_ms),
            pause_ms=pause_ms,
            prefix_padding_ms=settings.prefix_padding_ms,
        )


@dataclass(frozen=True)
class SpeechStarted:
    """Speech began. ``audio`` holds the prefix padding and the speech frames so far."""

    start_sample: int
    audio: Float32Audio


@dataclass(frozen=True)
class SpeechStopped:
    """Silence for ``stop_ms``: the speech may have ended (it may also go on)."""

    speech_end_sample: int


@dataclass(frozen=True)
class SpeechPaused:
    """The speaker has been silent for the pause threshold; ``speech_end_sample`` is where speech stopped."""

    speech_end_sample: int
    silence_ms: float


@dataclass(frozen=True)
class SpeechResumed:
    """Speech came back after a :class:`SpeechStopped`, within the same turn."""

    sample: int


ActivityEvent = SpeechStarted | SpeechStopped | SpeechPaused | SpeechResumed


class ActivityDetector:
    """Feeds 16 kHz float32 audio in any chunk size through the VAD and tracks speech.

    ``utterance_audio()`` is the audio from the prefix padding of the current speech to now.
    Sample positions in events count from the start of the stream.
    """

    def __init__(self, vad: VadStream, settings: ActivitySettings | None = None):
        self.settings = settings or ActivitySettings()
        self.thresholds = ActivityThresholds.from_settings(self.settings)
        self._vad = vad
        self._frame = vad.frame_samples
        self._pending = np.zeros(0, dtype=np.float32)
        # Whole VAD frames from _history_start on: the current utterance, or when silent just
        # enough for the next one's prefix padding. A list, so appending a frame copies nothing.
        self._history: list[Float32Audio] = []
        self._history_start = 0
        self._position = 0
        self._onset_frames = 0
        self._speaking = False
        self._stopped = False
        self._paused = False
        self._utterance_start = 0
        self._speech_end = 0

    @property
    def speaking(self) -> bool:
        """True from speech start until the turn is closed with :meth:`end_utterance`."""
        return self._speaking

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def position(self) -> int:
        """Samples processed so far (whole VAD frames)."""
        return self._position

    @property
    def silence_ms(self) -> float:
        """Silence since the last speech frame of the current utterance (0 when not speaking)."""
        return (self._position - self._speech_end) * 1000 / SAMPLE_RATE if self._speaking else 0.0

    @property
    def utterance_samples(self) -> int:
        """Samples from the current utterance's start (prefix padding included) to now; 0 when silent."""
        return self._position - self._utterance_start if self._speaking else 0

    @property
    def speech_end_sample(self) -> int:
        return self._speech_end

    def utterance_audio(self, end_sample: int | None = None) -> Float32Audio:
        start = self._utterance_start - self._history_start
        end = (self._position if end_sample is None else end_sample) - self._history_start
        joined = np.concatenate(self._history) if self._history else np.zeros(0, dtype=np.float32)
        return joined[max(start, 0) : end]

    def feed(self, audio: Float32Audio) -> list[ActivityEvent]:
        return [event for event in self.frames(audio) if event is not None]

    def frames(self, audio: Float32Audio) -> Iterator[ActivityEvent | None]:
        """Like :meth:`feed`, but yields after every VAD frame (None when nothing happened),
        so a caller can act between frames."""
        self._pending = np.concatenate([self._pending, np.asarray(audio, dtype=np.float32)])
        while self._pending.size >= self._frame:
            frame, self._pending = self._pending[: self._frame], self._pending[self._frame :]
            yield self._process(frame)

    def end_utterance(self) -> None:
        """Close the current speech (the turn ended); the next speech starts a new utterance."""
        self._speaking = False
        self._stopped = self._paused = False
        self._onset_frames = 0
        self._trim_history()

    def reset(self) -> None:
        """Forget everything, as for a new stream (after ``audioStreamEnd``)."""
        self._vad.reset()
        self._pending = np.zeros(0, dtype=np.float32)
        self._history = []
        self._history_start = self._position
        self.end_utterance()

    def _process(self, frame: Float32Audio) -> ActivityEvent | None:
        probability = self._vad.speech_probability(frame)
        frame_start = self._position
        self._history.append(frame)
        self._position += self._frame
        thresholds = self.thresholds
        if not self._speaking:
            if probability >= thresholds.start_probability:
                self._onset_frames += 1
            else:
                self._onset_frames = 0
                self._trim_history()
            if self._onset_frames < thresholds.start_frames:
                return None
            onset = frame_start - (thresholds.start_frames - 1) * self._frame
            padding = thresholds.prefix_padding_ms * SAMPLE_RATE // 1000
            self._utterance_start = max(self._history_start, onset - padding)
            self._speaking, self._stopped, self._paused = True, False, False
            self._speech_end = self._position
            return SpeechStarted(start_sample=onset, audio=self.utterance_audio())
        if probability >= thresholds.continue_probability:
            self._speech_end = self._position
            if self._stopped:
                self._stopped = self._paused = False
                return SpeechResumed(sample=frame_start)
            return None
        if not self._stopped and self.silence_ms >= thresholds.stop_ms:
            self._stopped = True
            return SpeechStopped(speech_end_sample=self._speech_end)
        if not self._paused and self.silence_ms >= thresholds.pause_ms:
            self._paused = True
            return SpeechPaused(speech_end_sample=self._speech_end, silence_ms=self.silence_ms)
        return None

    def _trim_history(self) -> None:
        """Keep only what the next utterance's prefix padding and onset may need."""
        keep = self.thresholds.prefix_padding_ms * SAMPLE_RATE // 1000 + self.thresholds.start_frames * self._frame
        keep_frames = -(-keep // self._frame)
        if len(self._history) > keep_frames:
            self._history_start += (len(self._history) - keep_frames) * self._frame
            del self._history[:-keep_frames]
