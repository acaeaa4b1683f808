"""Per-turn emotion estimate, fusing voice, words and (when a camera is on) face cues.

Three linear models share one set of named features: one on the voice deltas alone, one on
the words alone, and one on both. The estimator picks the one that matches what the turn
offers: text typed by the client has no voice, a turn at the start of a session has no
voice baseline yet, a mumble may have no words. They are fitted on the tuning half of
``bench/data/affect`` by ``openlive bench affect --calibrate`` and stored in
``calibration.json`` next to this module.

Face cues have no labelled data here, so they enter as a fixed, modest log-linear prior
(:data:`FACE_LOGITS`) on top of whichever model ran: a smile leans towards happy, a frown
towards frustrated or sad. That mapping is a judgement, not a fit.
"""

from __future__ import annotations

import importlib.resources
import json
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from openlive.backends.embedder.base import Embedder
from openlive.engine.affect.linear import LinearModel, fit_linear_model, softmax
from openlive.engine.affect.types import EMOTION_LABELS, EmotionEstimate, EmotionLabel, FaceCues, Modality
from openlive.engine.affect.voice import VoiceDeltas
from openlive.engine.affect.words import emotion_prototypes, lexicon_features, tokens

CALIBRATION_FILE = "calibration.json"
VOICE_FEATURES = ("voice_pitch", "voice_range", "voice_level", "voice_rate")
WORD_FEATURES = (
    "vader_compound",
    "vader_positive",
    "vader_negative",
    "exclamation",
    "question",
    "negation",
    "log_words",
    *(f"sim_{label}" for label in EMOTION_LABELS),
)
FUSED_FEATURES = VOICE_FEATURES + WORD_FEATURES

# Log-odds added per unit of face cue (cue scores are 0..1). Not fitted: see the module notes.
FACE_LOGITS: dict[str, dict[EmotionLabel, float]] = {
    "smile": {"happy": 1.5, "sad": -0.7, "frustrated": -0.7, "anxious": -0.4},
    "frown": {"frustrated": 1.0, "sad": 0.7, "happy": -1.0},
    "brows_raised": {"anxious": 0.6, "happy": 0.3},
    "gaze_away": {"sad": 0.5, "anxious": 0.4},
}


@dataclass(frozen=True)
class AffectModels:
    voice: LinearModel
    words: LinearModel
    fused: LinearModel

    @classmethod
    def fit(cls, rows: Sequence[Mapping[str, float]], labels: Sequence[EmotionLabel], l2: float = 4.0) -> AffectModels:
        def fit(names: Sequence[str]) -> LinearModel:
            return fit_linear_model(rows, labels, EMOTION_LABELS, names, l2=l2)

        return cls(voice=fit(VOICE_FEATURES), words=fit(WORD_FEATURES), fused=fit(FUSED_FEATURES))

    @classmethod
    def load(cls, path: Path | None = None) -> AffectModels:
        if path is None:
            text = importlib.resources.files(__package__ or "").joinpath(CALIBRATION_FILE).read_text()
        else:
            text = path.read_text()
        data: dict[str, Any] = json.loads(text)
        return cls(*(LinearModel.from_json(data[name]) for name in ("voice", "words", "fused")))

    def save(self, path: Path) -> None:
        data = {name: getattr(self, name).to_json() for name in ("voice", "words", "fused")}
        path.write_text(json.dumps(data, indent=1) + "\n")


def default_calibration_path() -> Path:
    return Path(__file__).with_name(CALIBRATION_FILE)


class EmotionEstimator:
    """Loaded once per process and shared; :meth:`estimate` is blocking (15-60 ms on a busy core)."""

    def __init__(self, embedder: Embedder, models: AffectModels | None = None):
        self._prototypes = emotion_prototypes(embedder)
        self._models = models

    @property
    def models(self) -> AffectModels:
        """The given models, or the calibrated ones shipped with openlive (read on first use)."""
        if self._models is None:
            self._models = AffectModels.load()
        return self._models

    def features(self, transcript: str, voice: VoiceDeltas | None) -> dict[str, float]:
        """Every named input of the models for one turn (voice entries only when given)."""
        features = lexicon_features(transcript) | self._prototypes.similarities(transcript)
        if voice is not None:
            features |= voice.as_features()
        return features

    def estimate(
        self,
        transcript: str,
        voice: VoiceDeltas | None = None,
        face: FaceCues | None = None,
        modalities: Collection[Modality] = ("voice", "words", "face"),
    ) -> EmotionEstimate:
        """The turn's emotion from whatever of voice, words and face it offers (and ``modalities`` allows).

        The voice counts once the session baseline has a turn to compare with.
        """
        use_voice = "voice" in modalities and voice is not None and voice.baseline_turns > 0
        use_words = "words" in modalities and bool(tokens(transcript))
        features = self.features(transcript, voice)
        used: list[Modality] = []
        if use_voice and use_words:
            logits, used = self.models.fused.logits(features), ["voice", "words"]
        elif use_voice:
            logits, used = self.models.voice.logits(features), ["voice"]
        elif use_words:
            logits, used = self.models.words.logits(features), ["words"]
        else:
            logits = np.zeros(len(EMOTION_LABELS))
        if "face" in modalities and face is not None:
            face_logits = _face_logits(face)
            if face_logits is not None:
                logits = logits + face_logits
                used.append("face")
                features |= {f"face_{name}": value for name, value in vars(face).items() if value is not None}
        probabilities = softmax(logits)
        best = int(np.argmax(probabilities))
        return EmotionEstimate(
            label=EMOTION_LABELS[best],
            confidence=float(probabilities[best]),
            scores=dict(zip(EMOTION_LABELS, probabilities.tolist(), strict=True)),
            features={name: value for name, value in features.items() if not math.isnan(value)},
            modalities=tuple(used),
        )


def _face_logits(face: FaceCues) -> np.ndarray | None:
    cues = {name: value for name, value in vars(face).items() if value is not None}
    if not cues:
        return None
    logits = np.zeros(len(EMOTION_LABELS))
    for name, value in cues.items():
        for label, weight in FACE_LOGITS[name].items():
            logits[EMOTION_LABELS.index(label)] += weight * value
    return logits
