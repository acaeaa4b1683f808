"""The narrow interface the engine uses to turn text into speech.

A :class:`Tts` is loaded once per process and shared. :meth:`Tts.synthesize` is blocking
and runs on the engine's model executor; it yields audio as soon as each piece is ready
(Piper: one chunk per sentence), so the caller can send the first piece while the rest
is still being computed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from openlive.audio import Int16Audio


@dataclass(frozen=True)
class Prosody:
    """How to say it. Each field is a factor, 1.0 being the voice's normal.

    ``rate`` > 1 speaks faster, ``pitch`` > 1 speaks higher, ``volume`` scales the amplitude.
    """

    rate: float = 1.0
    pitch: float = 1.0
    volume: float = 1.0

    def __post_init__(self) -> None:
        for name in ("rate", "pitch", "volume"):
            value = getattr(self, name)
            if not 0.0 < value <= 4.0:
                raise ValueError(f"prosody {name} must be in (0, 4], got {value}")


NORMAL_PROSODY = Prosody()


class Tts(Protocol):
    name: str
    # Rate of the int16 mono samples that synthesize() yields.
    sample_rate: int

    def supports_language(self, language: str) -> bool:
        """Whether this engine can speak ``language`` (BCP-47, e.g. "en-US", "de")."""
        ...

    def synthesize(
        self, text: str, prosody: Prosody = NORMAL_PROSODY, language: str | None = None
    ) -> Iterator[Int16Audio]:
        """Speak ``text``; yields int16 mono pieces at :attr:`sample_rate` as they are ready."""
        ...
