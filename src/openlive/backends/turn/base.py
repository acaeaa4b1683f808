"""The narrow interface for semantic end-of-turn detection.

A :class:`TurnModel` listens to how the user's speech ends (intonation, a trailing "uh",
an unfinished phrase) and says how likely it is that they have finished their turn.
Blocking; runs on the engine's model executor.
"""

from __future__ import annotations

from typing import Protocol

from openlive.audio import Float32Audio


class TurnModel(Protocol):
    name: str
    sample_rate: int

    def completion_probability(self, audio: Float32Audio) -> float:
        """Probability (0-1) that the user's turn is complete, given the turn's audio so far."""
        ...
