"""What the words of a turn say about feeling: VADER valence and sentence embeddings.

VADER scores valence with rules for negation, intensifiers and "but", but only says
"negative" where anger, sadness and fear differ. Sentence embeddings compared with short
prototype sentences per emotion (``prototypes.json``) tell those apart, and catch feelings
said without any lexicon word ("I've been on hold for forty minutes").

The NRC emotion lexicon (in ``nrclex``) was tried and left out: its terms allow research use
only, and on the affect bench the models did no better with it.
"""

from __future__ import annotations

import importlib.resources
import json
import math
import re
from collections.abc import Mapping, Sequence
from functools import cache

import numpy as np
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from openlive.backends.embedder.base import Embedder, Vectors
from openlive.engine.affect.types import EMOTION_LABELS


def word_set(words: str) -> frozenset[str]:
    """A set of words written as one space-separated string, which reads better in long lists."""
    return frozenset(words.split())


_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?")
_NEGATIONS = word_set(
    "not no never nothing nobody none neither nor without don't doesn't didn't isn't aren't wasn't "
    "weren't can't couldn't won't wouldn't shouldn't"
)
# The mean of this many best prototype similarities per emotion.
_PROTOTYPE_TOP_K = 3


def tokens(text: str) -> list[str]:
    """Lower-case words with inner apostrophes kept ("don't"); curly quotes count as apostrophes."""
    return _TOKEN.findall(text.lower().replace("\u2019", "'"))


@cache
def _vader() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


@cache
def _emotion_prototypes() -> dict[str, list[str]]:
    source = importlib.resources.files("openlive.engine.affect").joinpath("prototypes.json")
    loaded: dict[str, list[str]] = json.loads(source.read_text(encoding="utf-8"))
    return loaded


def lexicon_features(text: str) -> dict[str, float]:
    """VADER valence, negation and punctuation, for one turn."""
    words = tokens(text)
    vader = _vader().polarity_scores(text)
    return {
        "vader_compound": float(vader["compound"]),
        "vader_positive": float(vader["pos"]),
        "vader_negative": float(vader["neg"]),
        "exclamation": float(min(text.count("!"), 2)),
        "question": float("?" in text),
        "negation": float(any(word in _NEGATIONS for word in words)),
        "log_words": math.log1p(len(words)),
    }


class PrototypeSimilarity:
    """Cosine similarity of a text to labelled prototype sentences, via an :class:`Embedder`.

    Prototype vectors are computed once; each call embeds just the one text.
    """

    def __init__(self, embedder: Embedder, prototypes: Mapping[str, Sequence[str]]):
        self._embedder = embedder
        self._labels = list(prototypes)
        self._vectors: dict[str, Vectors] = {
            label: embedder.embed(list(sentences)) for label, sentences in prototypes.items()
        }

    def similarities(self, text: str, prefix: str = "sim_") -> dict[str, float]:
        if not text.strip():
            return {f"{prefix}{label}": 0.0 for label in self._labels}
        vector = self._embedder.embed([text])[0]
        result = {}
        for label in self._labels:
            scores = np.sort(self._vectors[label] @ vector)[::-1][:_PROTOTYPE_TOP_K]
            result[f"{prefix}{label}"] = float(np.mean(scores))
        return result


def emotion_prototypes(embedder: Embedder) -> PrototypeSimilarity:
    prototypes = _emotion_prototypes()
    missing = set(EMOTION_LABELS) - set(prototypes)
    if missing:
        raise ValueError(f"prototypes.json lacks {sorted(missing)}")
    return PrototypeSimilarity(embedder, {label: prototypes[label] for label in EMOTION_LABELS})
