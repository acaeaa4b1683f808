"""The narrow interface for voice activity detection.

A :class:`Vad` model is loaded once per process and shared. Each audio stream (one per
session) opens its own :class:`VadStream`, which carries the model's recurrent state from
frame to frame. Frames are exactly :attr:`VadStream.frame_samples` long at 16 kHz.
"""

from __future__ import annotations

from typing import Protocol

from openlive.audio import Float32Audio


class VadStream(Protocol):
    frame_samples: int

    def speech_probability(self, frame: Float32Audio) -> float:
        """Probability (0-1) that ``frame`` (``frame_samples`` float32 samples) holds speech."""
        ...

    def reset(self) -> None:
        """Forget the audio seen so far, as at the start of a new stream."""
        ...


class Vad(Protocol):
    name: str
    sample_rate: int
    frame_samples: int

    def open_stream(self) -> VadStream: ...
