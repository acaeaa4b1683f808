"""The shared human recordings (``$OPENLIVE_SPEECH_DATA``) and word accuracy, for benches and tests."""

from __future__ import annotations

import os
import re
from pathlib import Path

import av
import numpy as np
import soundfile

from openlive.audio import Float32Audio, resample

RATE = 16000
_REPO_ROOT = Path(__file__).resolve().parents[3]


def speech_data_dir() -> Path:
    return Path(os.environ.get("OPENLIVE_SPEECH_DATA", _REPO_ROOT.parent / "shared" / "data" / "speech"))


def load_recording(name: str, channel: int | None = None) -> Float32Audio:
    """A shared recording as 16 kHz mono float32: one ``channel``, or the channels averaged."""
    path = speech_data_dir() / name
    if path.suffix == ".mp3":
        audio, rate = _decode_with_av(path)
    else:
        data, rate = soundfile.read(path, dtype="float32", always_2d=True)
        audio = data.mean(axis=1) if channel is None else data[:, channel]
    return resample(np.ascontiguousarray(audio, dtype=np.float32), rate, RATE)


def _decode_with_av(path: Path) -> tuple[Float32Audio, int]:
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=stream.rate)
        frames = [
            out.to_ndarray().reshape(-1) for frame in container.decode(stream) for out in resampler.resample(frame)
        ]
        return np.concatenate(frames).astype(np.float32), stream.rate


def normalise_words(text: str) -> list[str]:
    """Lower-case words without punctuation; "5 pm" and "5pm" read as "five pm"."""
    text = text.lower().replace("5 pm", "five pm").replace("5pm", "five pm").replace("-", " ")
    return re.sub(r"[^a-z0-9' ]+", " ", text).split()


def word_accuracy(reference: str, hypothesis: str) -> float:
    """1 − word edit distance / reference words, after :func:`normalise_words`."""
    ref, hyp = normalise_words(reference), normalise_words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, ref_word in enumerate(ref, 1):
        previous, row[0] = row[0], i
        for j, hyp_word in enumerate(hyp, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ref_word != hyp_word))
    return 1.0 - row[len(hyp)] / max(len(ref), 1)
