"""Typed inputs and outputs of the affect stage: face cues in, an emotion estimate and a reply style out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from openlive.backends.tts.base import Prosody

EmotionLabel = Literal["neutral", "happy", "sad", "frustrated", "anxious"]
# "happy" covers happy and excited; "frustrated" covers frustrated and angry.
EMOTION_LABELS: tuple[EmotionLabel, ...] = ("neutral", "happy", "sad", "frustrated", "anxious")

Modality = Literal["voice", "words", "face"]


@dataclass(frozen=True)
class FaceCues:
    """Expression scores in [0, 1] from the camera's face analyser; None where it saw nothing."""

    smile: float | None = None
    frown: float | None = None
    brows_raised: float | None = None
    gaze_away: float | None = None

    def __post_init__(self) -> None:
        for name in ("smile", "frown", "brows_raised", "gaze_away"):
            value = getattr(self, name)
            if value is not None and not 0.0 <= value <= 1.0:
                raise ValueError(f"face cue {name} must be in [0, 1], got {value}")


@dataclass(frozen=True)
class EmotionEstimate:
    label: EmotionLabel
    # The probability of ``label``.
    confidence: float
    # A probability per label, summing to 1.
    scores: Mapping[EmotionLabel, float]
    # The inputs the decision used (voice deltas against the session baseline, lexicon scores…).
    features: Mapping[str, float] = field(default_factory=dict)
    modalities: tuple[Modality, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """A flat, JSON-ready summary for logs and metrics."""
        return {
            "label": self.label,
            "confidence": round(self.confidence, 3),
            "scores": {label: round(score, 3) for label, score in self.scores.items()},
            "modalities": list(self.modalities),
        }


@dataclass(frozen=True)
class ReplyStyle:
    """How the next reply should read and sound.

    ``instruction`` is added to the system prompt for this turn ("" for none);
    ``max_sentences`` caps the reply (None: no cap); the three prosody fields are
    multipliers of the TTS voice's normal rate, pitch and volume.
    """

    instruction: str
    max_sentences: int | None
    speaking_rate: float
    pitch: float
    volume: float

    @property
    def prosody(self) -> Prosody:
        return Prosody(rate=self.speaking_rate, pitch=self.pitch, volume=self.volume)
