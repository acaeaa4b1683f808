"""Voice prosody of one user turn, and a per-session baseline to judge it against.

Pitch, pitch range, level and speaking rate say little on their own: a naturally high
voice is not excited and a quiet microphone is not sad. So each turn is compared with
the same speaker's earlier turns in the session (:class:`VoiceBaseline`), and the
classifier only sees the differences. Until the session has a turn to compare with,
the differences are zero: the voice says nothing yet.

Pitch comes from Praat's autocorrelation tracker (parselmouth, ~7 ms per 3 s turn);
level is the mean power of the frames that carry speech; speaking rate is syllables
per second of the transcript over the span of speech.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import parselmouth

from openlive.audio import Float32Audio

SAMPLE_RATE = 16000
_FRAME = 400  # 25 ms
_HOP = 160  # 10 ms
# Frames within this many dB of the loudest frame count as speech.
_SPEECH_RANGE_DB = 30.0
_SILENCE_DBFS = -70.0
_PITCH_FLOOR_HZ = 60.0
_PITCH_CEILING_HZ = 500.0
_SEMITONE_REFERENCE_HZ = 100.0
# The baseline is the plain mean of the first turns, then follows the speaker slowly.
_BASELINE_TURNS = 20
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")
_WORDS = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True)
class VoiceFeatures:
    """Prosody of one turn; NaN where it could not be measured (no voiced frames, no words)."""

    pitch_st: float  # median F0, semitones above 100 Hz
    pitch_range_st: float  # 10th to 90th percentile of F0, in semitones
    level_db: float  # mean power of the speech frames, dBFS
    speech_seconds: float  # from the first to the last speech frame
    syllables_per_second: float


@dataclass(frozen=True)
class VoiceDeltas:
    """A turn's prosody minus the session baseline (0 where either side is unknown)."""

    pitch_st: float
    pitch_range_st: float
    level_db: float
    rate_log: float  # natural log of the speaking-rate ratio
    baseline_turns: int

    def as_features(self, prefix: str = "voice_") -> dict[str, float]:
        return {
            f"{prefix}pitch": self.pitch_st,
            f"{prefix}range": self.pitch_range_st,
            f"{prefix}level": self.level_db,
            f"{prefix}rate": self.rate_log,
        }


def count_syllables(text: str) -> int:
    """A spelling-based syllable count (vowel groups, silent final e), good to about ±10%."""
    total = 0
    for word in _WORDS.findall(text.lower()):
        if word.isdigit():
            total += 2 * len(word)
            continue
        groups = len(_VOWEL_GROUPS.findall(word))
        if word.endswith("e") and not word.endswith(("le", "ee")) and groups > 1:
            groups -= 1
        total += max(1, groups)
    return total


def _frame_power_db(audio: Float32Audio) -> np.ndarray:
    if audio.size < _FRAME:
        return np.full(1, _SILENCE_DBFS)
    count = 1 + (audio.size - _FRAME) // _HOP
    index = np.arange(_FRAME)[None, :] + _HOP * np.arange(count)[:, None]
    power = np.mean(audio.astype(np.float64)[index] ** 2, axis=1)
    frames_db: np.ndarray = np.maximum(10.0 * np.log10(power + 1e-12), _SILENCE_DBFS)
    return frames_db


def voice_features(audio: Float32Audio, transcript: str = "") -> VoiceFeatures:
    """Prosody of 16 kHz mono ``audio``; ``transcript`` gives the syllable count for the rate."""
    frames_db = _frame_power_db(audio)
    speech = frames_db >= max(frames_db.max() - _SPEECH_RANGE_DB, _SILENCE_DBFS + 1.0)
    active = np.flatnonzero(speech)
    if active.size == 0:
        return VoiceFeatures(math.nan, math.nan, _SILENCE_DBFS, 0.0, math.nan)
    speech_seconds = (active[-1] - active[0]) * _HOP / SAMPLE_RATE + _FRAME / SAMPLE_RATE
    level_db = float(10.0 * np.log10(np.mean(10.0 ** (frames_db[speech] / 10.0))))

    pitch = parselmouth.Sound(audio.astype(np.float64), SAMPLE_RATE).to_pitch_ac(
        time_step=0.01, pitch_floor=_PITCH_FLOOR_HZ, pitch_ceiling=_PITCH_CEILING_HZ
    )
    f0 = pitch.selected_array["frequency"]
    voiced = f0[f0 > 0]
    if voiced.size >= 5:
        semitones = 12.0 * np.log2(voiced / _SEMITONE_REFERENCE_HZ)
        pitch_st = float(np.median(semitones))
        low, high = np.percentile(semitones, [10, 90])
        pitch_range_st = float(high - low)
    else:
        pitch_st = pitch_range_st = math.nan
    syllables = count_syllables(transcript)
    rate = syllables / speech_seconds if syllables and speech_seconds > 0.2 else math.nan
    return VoiceFeatures(pitch_st, pitch_range_st, level_db, speech_seconds, rate)


class _RunningMean:
    def __init__(self) -> None:
        self.count = 0
        self.mean = 0.0

    def add(self, value: float) -> None:
        if math.isnan(value):
            return
        self.count += 1
        self.mean += (value - self.mean) / min(self.count, _BASELINE_TURNS)

    def delta(self, value: float) -> float:
        return 0.0 if self.count == 0 or math.isnan(value) else value - self.mean


class VoiceBaseline:
    """The speaker's usual prosody in this session: one per session, fed the user's turns.

    Feed it only turns that are the user's own (the ones the assistant answers), so a TV
    in the background does not become the user's "normal" voice.
    """

    def __init__(self) -> None:
        self._pitch = _RunningMean()
        self._range = _RunningMean()
        self._level = _RunningMean()
        self._rate = _RunningMean()

    @property
    def turns(self) -> int:
        return self._level.count

    def deltas(self, features: VoiceFeatures) -> VoiceDeltas:
        log_rate = math.log(features.syllables_per_second) if features.syllables_per_second > 0 else math.nan
        return VoiceDeltas(
            pitch_st=self._pitch.delta(features.pitch_st),
            pitch_range_st=self._range.delta(features.pitch_range_st),
            level_db=self._level.delta(features.level_db),
            rate_log=self._rate.delta(log_rate),
            baseline_turns=self.turns,
        )

    def add(self, features: VoiceFeatures) -> None:
        self._pitch.add(features.pitch_st)
        self._range.add(features.pitch_range_st)
        self._level.add(features.level_db)
        rate = features.syllables_per_second
        self._rate.add(math.log(rate) if rate > 0 else math.nan)
