from __future__ import annotations

import numpy as np
import pytest

from openlive.audio import (
    AudioFormatError,
    StreamResampler,
    float32_to_int16,
    int16_to_float32,
    int16_to_pcm16,
    parse_pcm_mime,
    pcm16_to_float32,
    pcm16_to_int16,
    resample,
)


@pytest.mark.parametrize(
    ("mime", "rate"),
    [
        (None, 16000),
        ("", 16000),
        ("audio/pcm", 16000),
        ("audio/pcm;rate=24000", 24000),
        ("AUDIO/PCM; rate=8000", 8000),
        ("audio/pcm;encoding=s16le;rate=44100", 44100),
        ("audio/L16;rate=48000", 48000),
        ("audio/pcm;rate=22050.0", 22050),
    ],
)
def test_pcm_mime_gives_rate(mime: str | None, rate: int) -> None:
    assert parse_pcm_mime(mime) == rate


@pytest.mark.parametrize(
    "mime", ["audio/wav", "audio/mpeg", "audio/ogg;codecs=opus", "image/jpeg", "audio/pcm;rate=abc", "audio/pcm;rate=5"]
)
def test_other_audio_types_are_refused(mime: str) -> None:
    with pytest.raises(AudioFormatError):
        parse_pcm_mime(mime)


def test_odd_byte_count_is_refused() -> None:
    with pytest.raises(AudioFormatError, match="even number of bytes"):
        pcm16_to_int16(b"\x00\x01\x02")


def test_pcm_round_trip() -> None:
    samples = np.array([0, 1, -1, 32767, -32768, 1234], dtype=np.int16)
    data = int16_to_pcm16(samples)
    assert data[:4] == b"\x00\x00\x01\x00"  # little-endian
    assert np.array_equal(pcm16_to_int16(data), samples)
    floats = pcm16_to_float32(data)
    assert floats.dtype == np.float32 and floats.min() >= -1.0 and floats.max() < 1.0
    assert np.array_equal(float32_to_int16(int16_to_float32(samples)), samples)
    assert float32_to_int16(np.array([2.0, -2.0], dtype=np.float32)).tolist() == [32767, -32768]


def _tone(rate: int, seconds: float = 1.0, hz: float = 440.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (0.5 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


@pytest.mark.parametrize("rate", [8000, 11025, 22050, 24000, 44100, 48000])
def test_resample_keeps_length_and_pitch(rate: int) -> None:
    out = resample(_tone(rate), rate, 16000)
    assert abs(out.size - 16000) <= 1
    spectrum = np.abs(np.fft.rfft(out))
    assert abs(np.argmax(spectrum) * 16000 / out.size - 440) < 2


def test_stream_resampler_matches_whole_buffer() -> None:
    tone = _tone(24000, 2.0)
    stream = StreamResampler(24000, 16000, np.float32)
    pieces = [stream.process(tone[i : i + 480]) for i in range(0, tone.size, 480)]
    streamed = np.concatenate([*pieces, stream.flush()])
    whole = resample(tone, 24000, 16000)
    assert abs(streamed.size - whole.size) <= 2
    # Away from the ends, chunked and whole resampling agree closely (no clicks at chunk edges).
    middle = slice(1000, whole.size - 1000)
    assert np.max(np.abs(streamed[middle] - whole[middle])) < 1e-3


def test_stream_resampler_int16_and_same_rate() -> None:
    stream = StreamResampler(22050, 24000)
    out = np.concatenate([stream.process(float32_to_int16(_tone(22050)[i : i + 1000])) for i in range(0, 22050, 1000)])
    out = np.concatenate([out, stream.flush()])
    assert out.dtype == np.int16 and abs(out.size - 24000) <= 2
    same = StreamResampler(16000, 16000, np.float32)
    chunk = _tone(16000, 0.1)
    assert np.array_equal(same.process(chunk), chunk)
