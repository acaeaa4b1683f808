"""End of turn: how long a pause must last before openlive answers, given how the speech ended.

Silence alone cannot tell "What's the weather in Paris?" (answer now) from "Remind me
to… uh…" (the user is thinking). When the speaker pauses, the semantic turn model
(Smart Turn) scores the audio so far, and the silence needed to end the turn follows
from that score:

* probability ≥ ``confident`` (0.7): the turn ends after ``complete_silence_ms``
  (HIGH end sensitivity 200 ms, LOW 500 ms, or the client's ``silenceDurationMs``);
* probability ≤ ``unsure`` (0.2): the user is mid-sentence, so wait ``incomplete_silence_ms``
  (HIGH 1500 ms, LOW 2500 ms, never less than the complete silence) before ending anyway;
* in between, the required silence moves linearly from one to the other.

The model is asked once per pause, when the pause is noticed (160-320 ms of silence), as
Pipecat does: it was built to judge speech followed by a short silence. Asking it again
as the silence grows was tried and dropped: its score rises with silence whatever was
said (Piper's "Remind me to um" went from 0.03 at the pause to 0.93 after 800 ms), which
ended hesitations early. Measured at the pause on synthetic speech: 7 of 8 finished Piper
sentences scored ≥ 0.82, hesitations ending in "uh"/"um" 0.01-0.03; espeak voices are
less regular (finished sentences 0.02-0.98).

The words count too. Smart Turn hears only audio and was unsure or wrong about finished
requests in synthetic voices ("What is 2 plus 2?" 0.01, "What is the weather going to be like
this weekend?" 0.40: 4 of 22 test utterances waited 0.85-1.5 s). The session transcribes at
the pause anyway and asks the LLM how likely the user's message ends there (the probability of
its end-of-message token, see :meth:`TurnTracker.hear_words`); at ``words_finished`` (0.7, the
bar the audio model must clear too) or more, the turn ends after ``complete_silence_ms`` whatever
the audio model said. SmolLM2 gives finished questions 0.4-0.9 and words cut before "to", "the",
"and"… 0.000 ("Remind me to, uh,"), so it rarely ends a hesitation: on 160 written requests it
reached 0.7 for 9% of the finished ones and for 0.2% of cut ones (cuts ending in a full stop, as
Whisper may write them). Oratory with dramatic pauses can still be cut: JFK's "Ask not what your
country can do for you." scored 0.96 at its pause.

Without a turn model, the turn ends after ``complete_silence_ms`` or, when the client gave
none, after 600 ms (HIGH) / 1000 ms (LOW) of silence.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from openlive.audio import Float32Audio
from openlive.backends.turn.base import TurnModel
from openlive.backends.vad.base import VadStream
from openlive.engine.speech.activity import (
    SAMPLE_RATE,
    ActivityDetector,
    ActivitySettings,
    EndSensitivity,
    SpeechPaused,
    SpeechResumed,
    SpeechStarted,
    SpeechStopped,
)


@dataclass(frozen=True)
class EndOfTurnPolicy:
    complete_silence_ms: float = 200
    incomplete_silence_ms: float = 1500
    silence_only_ms: float = 600
    confident: float = 0.7
    unsure: float = 0.2
    words_finished: float = 0.7

    @classmethod
    def from_settings(cls, settings: ActivitySettings) -> EndOfTurnPolicy:
        high = settings.end_sensitivity is EndSensitivity.HIGH
        complete = 200.0 if high else 500.0
        silence_only = 600.0 if high else 1000.0
        if settings.silence_duration_ms is not None:
            complete = silence_only = float(settings.silence_duration_ms)
        return cls(
            complete_silence_ms=complete,
            incomplete_silence_ms=max(complete, 1500.0 if high else 2500.0),
            silence_only_ms=silence_only,
        )

    def required_silence_ms(
        self, completion_probability: float | None, words_probability: float | None = None
    ) -> float:
        if words_probability is not None and words_probability >= self.words_finished:
            return self.complete_silence_ms
        if completion_probability is None:
            return self.silence_only_ms
        unfinished = (self.confident - completion_probability) / (self.confident - self.unsure)
        unfinished = min(1.0, max(0.0, unfinished))
        return self.complete_silence_ms + unfinished * (self.incomplete_silence_ms - self.complete_silence_ms)


class TurnEndReason(Enum):
    SEMANTIC = "semantic"  # a short pause after speech the turn model found complete
    SILENCE = "silence"  # a long pause, whatever the model said
    FLUSH = "flush"  # the client ended the audio stream (audioStreamEnd)


@dataclass(frozen=True)
class UserSpeechStarted:
    """The user started speaking. ``audio`` includes the prefix padding. Barge-in starts here."""

    start_sample: int
    audio: Float32Audio


@dataclass(frozen=True)
class UserPaused:
    """The user stopped speaking, maybe only for a moment. ``audio`` is the utterance so far (up
    to where speech stopped): the moment to start a speculative transcript and reply. Whether the
    turn is over is judged later (:class:`PauseJudged`), while that work runs on other cores."""

    audio: Float32Audio
    # Where the speech stopped, in stream samples: names this pause in :meth:`TurnTracker.hear_words`.
    speech_end_sample: int


@dataclass(frozen=True)
class PauseJudged:
    """What the pause means: ``completion_probability`` (None without a turn model) and the silence
    that will end the turn."""

    completion_probability: float | None
    required_silence_ms: float


@dataclass(frozen=True)
class UserResumed:
    """The user went on after a pause: drop speculative work started at :class:`UserPaused`."""

    sample: int


@dataclass(frozen=True)
class UserTurnEnded:
    """The user's turn is over. ``audio`` runs from the prefix padding to the end of speech."""

    audio: Float32Audio
    reason: TurnEndReason
    silence_ms: float
    completion_probability: float | None
    # The LLM's probability that the transcript was a finished message, when it came in time.
    words_probability: float | None = None


TurnEvent = UserSpeechStarted | UserPaused | PauseJudged | UserResumed | UserTurnEnded


class TurnTracker:
    """One session's listening state: VAD activity plus the end-of-turn decision.

    :meth:`feed` is blocking (VAD per 32 ms frame, the turn model at each pause, ~0.1-0.2 s
    on one thread), so call it on the model executor, not on the event loop.
    """

    def __init__(self, vad: VadStream, turn_model: TurnModel | None, settings: ActivitySettings | None = None):
        self.settings = settings or ActivitySettings()
        self.policy = EndOfTurnPolicy.from_settings(self.settings)
        self.activity = ActivityDetector(vad, self.settings)
        self._turn_model = turn_model
        self._probability: float | None = None
        # (speech end sample of the pause, probability): set from the event loop, read while feeding.
        self._words: tuple[int, float] | None = None

    @property
    def user_speaking(self) -> bool:
        return self.activity.speaking

    def hear_words(self, speech_end_sample: int, probability: float) -> None:
        """What the words said up to the pause at ``speech_end_sample`` mean: ``probability`` that
        they are a finished message. Ignored once the user has gone on (that pause is over)."""
        if self.activity.speaking and self.activity.speech_end_sample == speech_end_sample:
            self._words = (speech_end_sample, probability)

    def _words_probability(self) -> float | None:
        words = self._words
        return words[1] if words is not None and words[0] == self.activity.speech_end_sample else None

    def _required_ms(self) -> float:
        return self.policy.required_silence_ms(self._probability, self._words_probability())

    def feed(self, audio: Float32Audio) -> list[TurnEvent]:
        events: list[TurnEvent] = []
        for event in self.activity.frames(audio):
            if isinstance(event, SpeechStarted):
                events.append(UserSpeechStarted(event.start_sample, event.audio))
            elif isinstance(event, SpeechStopped):
                audio = self.activity.utterance_audio(event.speech_end_sample)
                events.append(UserPaused(audio, event.speech_end_sample))
            elif isinstance(event, SpeechPaused):
                events.append(self._judge_pause())
            elif isinstance(event, SpeechResumed):
                self._probability = None
                events.append(UserResumed(event.sample))
            events.extend(self._end_if_over())
        return events

    def _judge_pause(self) -> PauseJudged:
        if self._turn_model is not None:
            self._probability = self._turn_model.completion_probability(self.activity.utterance_audio())
        return PauseJudged(self._probability, self._required_ms())

    def _end_if_over(self) -> list[UserTurnEnded]:
        if not (self.activity.paused and self.activity.silence_ms >= self._required_ms()):
            return []
        return [self._end(TurnEndReason.SEMANTIC if self._confident() else TurnEndReason.SILENCE)]

    def flush(self) -> UserTurnEnded | None:
        """End the turn now if the user was speaking (``audioStreamEnd``), and start afresh."""
        ended = self._end(TurnEndReason.FLUSH) if self.activity.speaking else None
        self.activity.reset()
        return ended

    def _confident(self) -> bool:
        words = self._words_probability()
        return (self._probability is not None and self._probability >= self.policy.confident) or (
            words is not None and words >= self.policy.words_finished
        )

    def _end(self, reason: TurnEndReason) -> UserTurnEnded:
        ended = UserTurnEnded(
            audio=self.activity.utterance_audio(self.activity.speech_end_sample),
            reason=reason,
            silence_ms=self.activity.silence_ms,
            completion_probability=self._probability,
            words_probability=self._words_probability(),
        )
        self.activity.end_utterance()
        self._probability = None
        self._words = None
        return ended


__all__ = [
    "SAMPLE_RATE",
    "EndOfTurnPolicy",
    "PauseJudged",
    "TurnEndReason",
    "TurnEvent",
    "TurnTracker",
    "UserPaused",
    "UserResumed",
    "UserSpeechStarted",
    "UserTurnEnded",
]
