"""The per-turn stage after ASR: voice prosody → directedness gate → emotion → reply style.

One :class:`TurnAnalyzer` per session holds that session's baselines; the models it uses
are shared by the process. Either model may be absent (its feature flag is off):

* without a detector every turn is answered, as if proactive audio were off;
* without an estimator no emotion is estimated and the reply keeps its normal style.

:meth:`TurnSignals.log_record` and :meth:`TurnSignals.metrics` give the decisions with their
scores for logs and metrics; they never go on the wire (the SDKs reject unknown fields).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from openlive.audio import Float32Audio
from openlive.engine.affect.estimator import EmotionEstimator
from openlive.engine.affect.policy import adapt_reply
from openlive.engine.affect.types import EMOTION_LABELS, EmotionEstimate, FaceCues, ReplyStyle
from openlive.engine.affect.voice import VoiceBaseline, VoiceFeatures, voice_features
from openlive.engine.proactivity.detector import (
    ConversationState,
    DirectednessDecision,
    DirectednessDetector,
    RoomBaseline,
)


@dataclass(frozen=True)
class TurnSignals:
    voice: VoiceFeatures | None
    # None when proactive audio is off (the turn is answered).
    directedness: DirectednessDecision | None
    # None when affective dialog is off or the turn is not answered.
    emotion: EmotionEstimate | None
    reply_style: ReplyStyle | None

    @property
    def answer(self) -> bool:
        return self.directedness is None or self.directedness.directed

    def log_record(self) -> dict[str, object]:
        """A JSON-ready record of the turn's decisions, for a structured log line."""
        record: dict[str, object] = {"answer": self.answer}
        if self.directedness is not None:
            record["directedness"] = self.directedness.as_dict()
        if self.emotion is not None:
            record["emotion"] = self.emotion.as_dict()
        if self.reply_style is not None:
            style = self.reply_style
            record["reply_style"] = {
                "max_sentences": style.max_sentences,
                "speaking_rate": style.speaking_rate,
                "pitch": style.pitch,
                "volume": style.volume,
                "adapted": bool(style.instruction),
            }
        return record

    def metrics(self) -> dict[str, float]:
        """Flat numbers for a metrics sink: scores, and one-hot decisions that sum into counters."""
        values: dict[str, float] = {"turn_answered": float(self.answer)}
        if self.directedness is not None:
            values["directedness_score"] = self.directedness.score
            values["turn_declined"] = float(not self.directedness.directed)
        if self.emotion is not None:
            values["emotion_confidence"] = self.emotion.confidence
            for label in EMOTION_LABELS:
                values[f"emotion_{label}"] = float(self.emotion.label == label)
        return values


class TurnAnalyzer:
    """One per session. :meth:`analyze` is blocking (tens of ms): run it on the model executor.

    Analysing learns nothing: a session analyses speculatively at pauses and may throw that away,
    so it hands the turn's final signals to :meth:`remember` once, and only then do the baselines grow.
    """

    def __init__(
        self,
        *,
        estimator: EmotionEstimator | None,
        detector: DirectednessDetector | None,
        assistant_names: Sequence[str],
    ):
        self._estimator = estimator
        self._detector = detector
        self._names = tuple(assistant_names)
        self._voice_baseline = VoiceBaseline()
        self._room = RoomBaseline()
        # A speculative analysis may run on one thread while a finished turn is remembered on another.
        self._baselines = threading.Lock()

    def analyze(
        self,
        transcript: str,
        audio: Float32Audio | None,
        conversation: ConversationState,
        face: FaceCues | None = None,
    ) -> TurnSignals:
        """Signals for one user turn: ``audio`` is its 16 kHz mono speech (None for typed text)."""
        voice = voice_features(audio, transcript) if audio is not None and audio.size else None
        with self._baselines:
            decision = None
            if self._detector is not None and voice is not None:
                decision = self._detector.decide(transcript, conversation, self._names, voice, self._room)
            emotion = None
            if self._estimator is not None and (decision is None or decision.directed):
                deltas = self._voice_baseline.deltas(voice) if voice is not None else None
                emotion = self._estimator.estimate(transcript, deltas, face)
        return TurnSignals(voice, decision, emotion, adapt_reply(emotion) if emotion is not None else None)

    def remember(self, signals: TurnSignals) -> None:
        """Learn from a finished turn: the room hears every voice; only the user's own turns (those
        answered) teach the baseline what their voice is like."""
        if signals.voice is None:
            return
        with self._baselines:
            if signals.directedness is not None:
                self._room.add(signals.voice)
            if signals.answer:
                self._voice_baseline.add(signals.voice)
