"""Affective dialog: how the user feels in each turn, and how the reply should adapt to it."""

from openlive.engine.affect.estimator import AffectModels, EmotionEstimator
from openlive.engine.affect.policy import NEUTRAL_STYLE, adapt_reply
from openlive.engine.affect.types import (
    EMOTION_LABELS,
    EmotionEstimate,
    EmotionLabel,
    FaceCues,
    Modality,
    ReplyStyle,
)
from openlive.engine.affect.voice import VoiceBaseline, VoiceDeltas, VoiceFeatures, voice_features

__all__ = [
    "EMOTION_LABELS",
    "NEUTRAL_STYLE",
    "AffectModels",
    "EmotionEstimate",
    "EmotionEstimator",
    "EmotionLabel",
    "FaceCues",
    "Modality",
    "ReplyStyle",
    "VoiceBaseline",
    "VoiceDeltas",
    "VoiceFeatures",
    "adapt_reply",
    "voice_features",
]
