"""Proactive audio: deciding whether a user turn is meant for the assistant, and the per-turn stage."""

from openlive.engine.proactivity.detector import (
    ConversationState,
    DirectednessDecision,
    DirectednessDetector,
    DirectednessModel,
    RoomBaseline,
)
from openlive.engine.proactivity.names import DEFAULT_ASSISTANT_NAMES, assistant_names
from openlive.engine.proactivity.signals import TurnAnalyzer, TurnSignals

__all__ = [
    "DEFAULT_ASSISTANT_NAMES",
    "ConversationState",
    "DirectednessDecision",
    "DirectednessDetector",
    "DirectednessModel",
    "RoomBaseline",
    "TurnAnalyzer",
    "TurnSignals",
    "assistant_names",
]
