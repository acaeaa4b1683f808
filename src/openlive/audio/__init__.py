"""PCM audio helpers: wire format parsing, sample conversion, resampling."""

from openlive.audio.pcm import (
    DEFAULT_PCM_RATE,
    AudioFormatError,
    Float32Audio,
    Int16Audio,
    float32_to_int16,
    float32_to_pcm16,
    int16_to_float32,
    int16_to_pcm16,
    parse_pcm_mime,
    pcm16_to_float32,
    pcm16_to_int16,
)
from openlive.audio.resample import StreamResampler, peak, resample, within_peak

__all__ = [
    "DEFAULT_PCM_RATE",
    "AudioFormatError",
    "Float32Audio",
    "Int16Audio",
    "StreamResampler",
    "float32_to_int16",
    "float32_to_pcm16",
    "int16_to_float32",
    "int16_to_pcm16",
    "parse_pcm_mime",
    "pcm16_to_float32",
    "pcm16_to_int16",
    "peak",
    "resample",
    "within_peak",
]
