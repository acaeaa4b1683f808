"""Raw PCM audio as it travels on the wire: ``audio/pcm;rate=N``, 16-bit little-endian mono.

Model code works on float32 samples in [-1, 1]; the wire and the TTS engines use int16.
These helpers convert between the two and validate what clients send.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Int16Audio = npt.NDArray[np.int16]
Float32Audio = npt.NDArray[np.float32]

DEFAULT_PCM_RATE = 16000
# Rates outside this range are certainly a client bug, not a real microphone.
_MIN_RATE = 1000
_MAX_RATE = 384000
_INT16_SCALE = 32768.0


class AudioFormatError(ValueError):
    """The client sent audio openlive cannot take (wrong MIME type, bad rate, odd byte count)."""


def parse_pcm_mime(mime_type: str | None) -> int:
    """The sample rate named by an ``audio/pcm`` MIME type; a missing rate means 16 kHz.

    Accepts ``audio/pcm``, ``audio/pcm;rate=24000``, ``audio/L16;rate=8000`` (the RFC 2586 name
    for the same format), with any case and spacing. Anything else raises :class:`AudioFormatError`.
    """
    if not mime_type:
        return DEFAULT_PCM_RATE
    media_type, *params = (part.strip() for part in mime_type.split(";"))
    if media_type.lower() not in ("audio/pcm", "audio/l16"):
        raise AudioFormatError(
            f"unsupported audio MIME type {mime_type!r}: send 16-bit little-endian mono PCM as 'audio/pcm;rate=N'"
        )
    rate = DEFAULT_PCM_RATE
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() != "rate":
            continue
        try:
            rate = int(float(value.strip()))
        except ValueError:
            raise AudioFormatError(f"bad sample rate in audio MIME type {mime_type!r}") from None
    if not _MIN_RATE <= rate <= _MAX_RATE:
        raise AudioFormatError(f"sample rate {rate} Hz in {mime_type!r} is out of range")
    return rate


def pcm16_to_int16(data: bytes) -> Int16Audio:
    """Little-endian 16-bit PCM bytes as int16 samples; an odd byte count is an error."""
    if len(data) % 2:
        raise AudioFormatError(f"16-bit PCM audio must have an even number of bytes, got {len(data)}")
    samples: Int16Audio = np.frombuffer(data, dtype="<i2").astype(np.int16, copy=False)
    return samples


def int16_to_pcm16(samples: npt.NDArray[np.integer]) -> bytes:
    return np.asarray(samples, dtype="<i2").tobytes()


def int16_to_float32(samples: npt.NDArray[np.integer]) -> Float32Audio:
    return (np.asarray(samples, dtype=np.float32) / _INT16_SCALE).astype(np.float32, copy=False)


def float32_to_int16(samples: npt.NDArray[np.floating]) -> Int16Audio:
    scaled = np.rint(np.asarray(samples, dtype=np.float32) * _INT16_SCALE)
    clipped: Int16Audio = np.clip(scaled, -32768, 32767).astype(np.int16)
    return clipped


def pcm16_to_float32(data: bytes) -> Float32Audio:
    return int16_to_float32(pcm16_to_int16(data))


def float32_to_pcm16(samples: npt.NDArray[np.floating]) -> bytes:
    return int16_to_pcm16(float32_to_int16(samples))
