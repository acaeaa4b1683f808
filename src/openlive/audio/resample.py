"""Sample-rate conversion with soxr, for whole buffers and for streams that arrive in chunks."""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import numpy.typing as npt
import soxr

_Sample = TypeVar("_Sample", np.int16, np.float32)
_QUALITY = "HQ"


def resample(audio: npt.NDArray[_Sample], from_rate: int, to_rate: int) -> npt.NDArray[_Sample]:
    """``audio`` (1-D int16 or float32) converted from ``from_rate`` to ``to_rate``, same dtype."""
    if from_rate == to_rate or audio.size == 0:
        return audio
    converted: npt.NDArray[_Sample] = soxr.resample(audio, from_rate, to_rate, quality=_QUALITY)
    return converted


def peak(audio: npt.NDArray[np.floating]) -> float:
    return float(np.abs(audio).max(initial=0.0))


def within_peak(resampled: npt.NDArray[np.float32], ceiling: float) -> npt.NDArray[np.float32]:
    """``resampled`` scaled down, if need be, so that no sample exceeds ``ceiling``.

    Band-limited resampling rings a little past the input's peak (about 1% on speech): that
    would lift a quieter voice's level above the one asked for and clip full-scale speech.
    """
    overshoot = peak(resampled)
    if overshoot <= ceiling or ceiling <= 0:
        return resampled
    return (resampled * (ceiling / overshoot)).astype(np.float32)


class StreamResampler:
    """Resamples a stream chunk by chunk, keeping the filter state between chunks.

    Resampling each chunk on its own would click at every chunk edge and drift in length;
    this gives the same samples as resampling the joined stream (up to the filter delay,
    which :meth:`flush` releases at the end).
    """

    def __init__(self, from_rate: int, to_rate: int, dtype: type[np.int16] | type[np.float32] = np.int16):
        self.from_rate = from_rate
        self.to_rate = to_rate
        self.dtype = np.dtype(dtype)
        self._stream = (
            None
            if from_rate == to_rate
            else soxr.ResampleStream(from_rate, to_rate, 1, dtype=self.dtype.name, quality=_QUALITY)
        )

    def process(self, chunk: npt.NDArray[np.generic]) -> npt.NDArray[np.generic]:
        samples = np.ascontiguousarray(chunk, dtype=self.dtype)
        if self._stream is None:
            return samples
        out: npt.NDArray[np.generic] = self._stream.resample_chunk(samples)
        return out

    def flush(self) -> npt.NDArray[np.generic]:
        """The samples still held in the filter; the stream starts afresh afterwards."""
        if self._stream is None:
            return np.zeros(0, dtype=self.dtype)
        out: npt.NDArray[np.generic] = self._stream.resample_chunk(np.zeros(0, dtype=self.dtype), last=True)
        self._stream = soxr.ResampleStream(self.from_rate, self.to_rate, 1, dtype=self.dtype.name, quality=_QUALITY)
        return out
