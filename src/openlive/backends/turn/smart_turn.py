"""Smart Turn v3 (Daily/Pipecat), the ONNX file that ships inside the ``pipecat-ai`` wheel.

Only the model file is used; pipecat itself is not imported (it is installed with
``--no-deps``). The model reads the last 8 s of the turn at 16 kHz (zero-padded at the
front when shorter) as an 80×800 Whisper log-mel spectrogram of the zero-mean,
unit-variance waveform, and returns the probability that the turn is complete.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
from faster_whisper.feature_extractor import FeatureExtractor

from openlive.audio import Float32Audio
from openlive.backends.onnx_session import single_thread_session

SAMPLE_RATE = 16000
WINDOW_S = 8
_MODEL_FILE = "smart-turn-v3.2-cpu.onnx"
_NORMALISE_EPSILON = 1e-7


class TurnModelMissingError(RuntimeError):
    pass


def packaged_model_path() -> Path:
    """The Smart Turn ONNX file inside the installed ``pipecat-ai`` package (not imported)."""
    spec = importlib.util.find_spec("pipecat")
    if spec is None or not spec.submodule_search_locations:
        raise TurnModelMissingError("Smart Turn needs the pipecat-ai wheel: pip install --no-deps pipecat-ai")
    path = Path(next(iter(spec.submodule_search_locations))) / "audio/turn/smart_turn/data" / _MODEL_FILE
    if not path.is_file():
        raise TurnModelMissingError(f"{path} is missing: is pipecat-ai 1.x installed?")
    return path


class SmartTurn:
    name = "smart-turn-v3"
    sample_rate = SAMPLE_RATE

    def __init__(self, model_path: str | Path | None = None):
        self._session = single_thread_session(Path(model_path) if model_path else packaged_model_path())
        self._input = self._session.get_inputs()[0].name
        self._features = FeatureExtractor(chunk_length=WINDOW_S)

    def completion_probability(self, audio: Float32Audio) -> float:
        samples = WINDOW_S * SAMPLE_RATE
        window = np.zeros(samples, dtype=np.float32)
        tail = np.asarray(audio, dtype=np.float32)[-samples:]
        window[samples - tail.size :] = tail
        window = (window - window.mean()) / np.sqrt(window.var() + _NORMALISE_EPSILON)
        mel = self._features(window, padding=0)
        (probability,) = self._session.run(None, {self._input: mel[None].astype(np.float32)})
        return float(np.asarray(probability).reshape(-1)[0])
