"""The narrow interface the engine uses to turn speech into text.

An :class:`Asr` is loaded once per process and shared; :meth:`Asr.transcribe` is blocking,
runs on the engine's model executor, and takes 16 kHz mono float32 audio.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from openlive.audio import Float32Audio


@dataclass(frozen=True)
class Transcript:
    text: str
    # ISO 639-1 code of the language transcribed ("en"), given or detected.
    language: str
    # How sure the language detection was; 1.0 when the caller named the language.
    language_probability: float
    audio_seconds: float
    # The model's probability that the audio holds no speech at all.
    no_speech_probability: float = 0.0


class Asr(Protocol):
    name: str
    sample_rate: int
    # The model and the settings that shape its output: transcripts cached under it stay valid.
    fingerprint: str

    def transcribe(
        self,
        audio: Float32Audio,
        language: str | None = None,
        prompt: str | None = None,
        *,
        expected_language: str | None = None,
        context: str | None = None,
    ) -> Transcript:
        """Transcribe ``audio``.

        ``language`` is a BCP-47 tag ("en-US", "de") or None to detect it. When detecting,
        ``expected_language`` (a BCP-47 tag, or None for no preference) is kept unless the
        audio is confidently in another language. ``prompt`` is text said just before this
        audio (an earlier part of the same utterance), which keeps spelling and casing
        consistent across pieces. ``context`` is text that names what the speech is likely about
        (the session's declared tools, see :mod:`openlive.engine.speech.asr_context`): a hint
        that favours its words, which the backend ignores where it misleads the decoding.
        """
        ...
