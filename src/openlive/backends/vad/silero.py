"""Silero VAD v6, the ONNX file packaged in faster-whisper, run with onnxruntime (no torch).

The model takes 512 new samples at 16 kHz (32 ms) with the 64 samples before them as
context (input ``[1, 576]``), plus the LSTM state ``h``/``c`` ``[1, 1, 128]`` carried from
the previous frame. Shared model, per-stream state: the ORT session is thread-safe.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnxruntime as ort
from faster_whisper.utils import get_assets_path

from openlive.audio import Float32Audio
from openlive.backends.onnx_session import single_thread_session

SAMPLE_RATE = 16000
FRAME_SAMPLES = 512
CONTEXT_SAMPLES = 64
_STATE_SHAPE = (1, 1, 128)


def packaged_model_path() -> Path:
    return Path(get_assets_path()) / "silero_vad_v6.onnx"


class SileroVadStream:
    frame_samples = FRAME_SAMPLES

    def __init__(self, session: ort.InferenceSession):
        self._session = session
        self.reset()

    def reset(self) -> None:
        self._h: npt.NDArray[np.float32] = np.zeros(_STATE_SHAPE, dtype=np.float32)
        self._c: npt.NDArray[np.float32] = np.zeros(_STATE_SHAPE, dtype=np.float32)
        self._context: Float32Audio = np.zeros(CONTEXT_SAMPLES, dtype=np.float32)

    def speech_probability(self, frame: Float32Audio) -> float:
        if frame.shape != (FRAME_SAMPLES,):
            raise ValueError(f"Silero VAD takes frames of {FRAME_SAMPLES} samples, got {frame.shape}")
        window = np.concatenate([self._context, frame.astype(np.float32, copy=False)])[None, :]
        probability, self._h, self._c = self._session.run(None, {"input": window, "h": self._h, "c": self._c})
        self._context = window[0, -CONTEXT_SAMPLES:]
        return float(probability.reshape(-1)[0])


class SileroVad:
    name = "silero"
    sample_rate = SAMPLE_RATE
    frame_samples = FRAME_SAMPLES

    def __init__(self, model_path: str | Path | None = None):
        self._session = single_thread_session(Path(model_path) if model_path else packaged_model_path())

    def open_stream(self) -> SileroVadStream:
        return SileroVadStream(self._session)
