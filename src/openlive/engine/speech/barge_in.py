"""Should the user's speech interrupt openlive while it talks? Backchannels and echo say no.

Two small pure parts and a policy that combines them:

* :func:`is_backchannel`: a short utterance made only of listener noises and acknowledgements
  ("mm-hmm", "okay", "yeah right") is the user listening, not taking the turn.
* :class:`EchoDetector`: openlive's own voice leaking from the speaker into the microphone.
  It compares the spectral shape (log energy in 16 bands every 10 ms) of the microphone
  speech with the audio openlive played in the last few seconds, at every lag, by
  normalised correlation. Envelopes survive what the room does to the waveform (delay,
  reverberation, level) far better than raw samples do. :func:`text_overlap` is the
  fallback check on words: ASR text that is mostly words openlive is saying now is echo.
* :func:`judge_barge_in` turns speech duration, echo similarity and (when ready) ASR text
  into INTERRUPT, IGNORE or WAIT (not sure yet: wait for more audio or for the ASR).
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from enum import Enum

import numpy as np
import numpy.typing as npt

from openlive.audio import Float32Audio

SAMPLE_RATE = 16000
_WORD = re.compile(r"[a-zà-ÿ']+")
# Listener noises and acknowledgements, compared after lowercasing and removing hyphens
# ("Mm-hmm" → "mmhmm"). Phrases are taken out first, then every word left must be listed.
BACKCHANNEL_PHRASES = ("uh huh", "i see", "got it", "all right", "that's right", "of course", "d'accord")
BACKCHANNEL_WORDS = frozenset(
    (
        "mm",
        "mmm",
        "mhm",
        "mmhmm",
        "mhmm",
        "hm",
        "hmm",
        "hmmm",
        "uh",
        "uhhuh",
        "um",
        "ah",
        "oh",
        "ooh",
        "aha",
        "okay",
        "ok",
        "kay",
        "yeah",
        "yea",
        "yes",
        "yep",
        "yup",
        "right",
        "sure",
        "alright",
        "cool",
        "nice",
        "great",
        "wow",
        "really",
        "gotcha",
        "exactly",
        "indeed",
        "true",
        "totally",
        "ja",
        "genau",
        "oui",
        "vale",
        "sí",
        "si",
    )
)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("-", ""))


def is_backchannel(text: str, duration_s: float, max_duration_s: float = 1.5, max_words: int = 3) -> bool:
    """Whether ``text`` (ASR of a short speech segment) is only a listener's acknowledgement."""
    words = _words(text)
    if duration_s > max_duration_s or len(words) > max_words:
        return False
    rest = f" {' '.join(words)} "
    for phrase in BACKCHANNEL_PHRASES:
        rest = rest.replace(f" {phrase} ", " ")
    return all(word in BACKCHANNEL_WORDS for word in rest.split())


def text_overlap(heard: str, spoken: str) -> float:
    """Share of the heard words that are among the words openlive is speaking (0-1)."""
    heard_words = _words(heard)
    if not heard_words:
        return 0.0
    spoken_words = set(_words(spoken))
    return sum(word in spoken_words for word in heard_words) / len(heard_words)


_HOP = SAMPLE_RATE // 100
_FRAME = 2 * _HOP
_BAND_EDGES_HZ = np.geomspace(150, 6000, 17)


def _spectral_envelope(audio: Float32Audio) -> npt.NDArray[np.float64]:
    """The spectral shape every 10 ms: log energy in 16 bands (150 Hz-6 kHz), less the frame's
    mean (loudness) and each band's mean (the room's and microphone's colouring).

    Shape (frames, 16). Loudness over time looks much the same for any two speakers
    (measured: user speech scored 0.70-0.79 against a Piper reply, as high as its echo);
    the spectral shape separates them (echo 0.62-0.78, other speakers 0.16-0.39).
    """
    if audio.size < _FRAME:
        return np.zeros((0, _BAND_EDGES_HZ.size - 1))
    frames = np.lib.stride_tricks.sliding_window_view(audio.astype(np.float64), _FRAME)[::_HOP]
    power = np.abs(np.fft.rfft(frames * np.hanning(_FRAME), axis=1)) ** 2
    bins = np.fft.rfftfreq(_FRAME, 1 / SAMPLE_RATE)
    band = np.digitize(bins, _BAND_EDGES_HZ) - 1
    energies = np.stack([power[:, band == index].sum(axis=1) for index in range(_BAND_EDGES_HZ.size - 1)], axis=1)
    logs: npt.NDArray[np.float64] = np.log10(energies + 1e-10)
    shape = logs - logs.mean(axis=1, keepdims=True)
    centred: npt.NDArray[np.float64] = shape - shape.mean(axis=0, keepdims=True)
    return centred


class EchoDetector:
    """Remembers the last ``history_s`` seconds of what openlive played (16 kHz float32)."""

    def __init__(self, history_s: float = 4.0):
        self._pieces: deque[Float32Audio] = deque()
        self._samples = 0
        self._limit = int(history_s * SAMPLE_RATE)

    def add_playback(self, audio: Float32Audio) -> None:
        """Audio as sent to the client, in order, resampled to 16 kHz."""
        self._pieces.append(np.asarray(audio, dtype=np.float32))
        self._samples += audio.size
        while self._pieces and self._samples - self._pieces[0].size >= self._limit:
            self._samples -= self._pieces.popleft().size

    def clear(self) -> None:
        self._pieces.clear()
        self._samples = 0

    def similarity(self, mic: Float32Audio) -> float:
        """Best normalised correlation (−1 to 1) of the mic's envelope with the playback's."""
        if not self._pieces:
            return 0.0
        played = _spectral_envelope(np.concatenate(self._pieces))
        heard = _spectral_envelope(np.asarray(mic, dtype=np.float32))
        if heard.shape[0] < 10 or played.shape[0] < heard.shape[0]:
            return 0.0
        heard = heard / (np.linalg.norm(heard) + 1e-9)
        # Every placement of the heard frames along the played ones: (lags, bands, frames).
        windows = np.lib.stride_tricks.sliding_window_view(played, heard.shape[0], axis=0)
        centred = windows - windows.mean(axis=2, keepdims=True)
        norms = np.sqrt((centred**2).sum(axis=(1, 2))) + 1e-9
        scores = np.einsum("lbf,fb->l", centred, heard) / norms
        return float(scores.max())


class BargeIn(Enum):
    INTERRUPT = "interrupt"
    IGNORE = "ignore"
    WAIT = "wait"


@dataclass(frozen=True)
class BargeInPolicy:
    echo_similarity: float = 0.5
    echo_text_overlap: float = 0.8
    # Speech this long is taken as an interruption even before its ASR text is known.
    sure_speech_s: float = 1.0


def judge_barge_in(
    speech_s: float,
    echo_similarity: float,
    text: str | None = None,
    spoken_text: str = "",
    policy: BargeInPolicy | None = None,
    *,
    still_speaking: bool = False,
) -> BargeIn:
    """Decide about user speech heard while openlive speaks.

    ``speech_s``: speech so far; ``echo_similarity``: :meth:`EchoDetector.similarity` of it;
    ``text``: its ASR text, None while not transcribed; ``spoken_text``: what openlive is saying.
    ``still_speaking``: the user goes on, so words that sound like a backchannel or an echo only
    mean wait ("Yeah," may open "Yeah, but what about tomorrow?"); only a sound echo is ignored at once.
    """
    policy = policy or BargeInPolicy()
    if echo_similarity >= policy.echo_similarity:
        return BargeIn.IGNORE
    if text is None:
        return BargeIn.INTERRUPT if speech_s >= policy.sure_speech_s else BargeIn.WAIT
    words_ignored = BargeIn.WAIT if still_speaking else BargeIn.IGNORE
    if len(_words(text)) >= 2 and text_overlap(text, spoken_text) >= policy.echo_text_overlap:
        return words_ignored
    if is_backchannel(text, speech_s):
        return words_ignored
    return BargeIn.INTERRUPT
