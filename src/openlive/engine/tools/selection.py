"""Which declared function a request is for, if any, by embedding similarity.

Each function is described by its name (split into words) and description; the request is
compared with that text, plus bonuses for words of the function's name, and of its description,
that the request uses (the arguments in a request dilute its embedding; its command words do not).
A request scoring below ``threshold`` against every function gets no call: that is how small talk
and questions the tools do not cover stay calls-free.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from openlive.backends.embedder.base import Embedder
from openlive.engine.tools.datetimes import find_datetimes
from openlive.engine.tools.schema import FunctionDeclaration
from openlive.engine.tools.text import (
    COMMAND_VERBS,
    STOPWORDS,
    content_stems,
    identifier_words,
    stem,
    synonym_variant,
    tokenize,
)

# The no-call threshold, calibrated with `openlive bench tools --calibrate` on BFCL's live_simple and
# live_irrelevance sets (not the reported categories): the mean of relevant-called and
# irrelevant-refused peaks at 77.1% for 0.41 and 0.43, on a plateau from 0.39 to 0.47; of the two
# peaks the higher is taken, since a wrong call costs a voice agent more than a missed one.
DEFAULT_THRESHOLD = 0.43
NAME_WORD_WEIGHT = 0.2
DESCRIPTION_WORD_WEIGHT = 0.1
DESCRIPTION_WORD_CAP = 3


@dataclass(frozen=True)
class ScoredFunction:
    declaration: FunctionDeclaration
    score: float


def describe(declaration: FunctionDeclaration) -> str:
    """The text a request is compared with."""
    words = " ".join(identifier_words(declaration.name))
    return f"{words}: {declaration.description}" if declaration.description else words


# Particles such as "on"/"off" tell turn_on_lights from turn_off_lights, so only these are ignored.
_NAME_FILLER = frozenset({"a", "an", "the", "of", "to", "for", "and", "or", "by", "with", "from"})


def name_stems(declaration: FunctionDeclaration) -> set[str]:
    return {stem(word) for word in identifier_words(declaration.name) if word not in _NAME_FILLER}


def vocabulary_stems(declaration: FunctionDeclaration) -> set[str]:
    """Content words of the description, the parameters' descriptions and the enum values."""
    texts = [declaration.description]
    for schema in declaration.parameters.properties.values():
        texts.append(schema.description)
        texts.extend(str(value) for value in schema.enum)
    return set().union(*(content_stems(text) for text in texts)) - name_stems(declaration)


def compound_stems(text: str) -> set[str]:
    """Pairs of words said in a row, as the hyphenated compound a description may write ("what do
    I have to do" uses "to-do")."""
    words = [t.lower for t in tokenize(text) if t.is_word]
    return {stem(f"{first}-{second}") for first, second in itertools.pairwise(words)}


def without_mentions(text: str) -> str:
    """The request without its dates and times: those are arguments, and dilute the intent."""
    mentions = find_datetimes(text, datetime(2000, 1, 1))
    for mention in reversed(mentions):
        text = text[: mention.start] + text[mention.end :]
    return " ".join(text.split())


class FunctionSelector:
    def __init__(self, embedder: Embedder, threshold: float = DEFAULT_THRESHOLD) -> None:
        self._embedder = embedder
        self.threshold = threshold

    def score(self, text: str, declaration: FunctionDeclaration) -> float:
        return self.rank(text, [declaration])[0].score

    def rank(self, text: str, declarations: Sequence[FunctionDeclaration]) -> list[ScoredFunction]:
        if not declarations or not text.strip():
            return []
        core = without_mentions(text) or text
        vectors = self._embedder.embed([text, core, *(describe(d) for d in declarations)])
        similarities = (vectors[2:] @ vectors[:2].T).max(axis=1)
        # Short requests compare better with the bare name ("remind me to" ~ "set reminder").
        names = self._embedder.embed([" ".join(identifier_words(d.name)) for d in declarations])
        similarities = np.maximum(similarities, names @ vectors[1])
        variants = [synonym_variant(core, identifier_words(d.name)) for d in declarations]
        with_variant = [index for index, variant in enumerate(variants) if variant is not None]
        if with_variant:
            variant_vectors = self._embedder.embed([variants[index] or "" for index in with_variant])
            for row, index in enumerate(with_variant):
                variant_similarity = float(variant_vectors[row] @ vectors[2 + index])
                similarities[index] = max(similarities[index], variant_similarity)
        request_stems = content_stems(text) | compound_stems(text)
        request_particles = {t.lower for t in tokenize(text) if t.lower in STOPWORDS}
        scored = []
        for declaration, similarity, variant in zip(declarations, similarities, variants, strict=True):
            stems = name_stems(declaration)
            said = request_stems | request_particles | (content_stems(variant) if variant else set())
            overlap = len(stems & said) / len(stems) if stems else 0.0
            description_hits = len(vocabulary_stems(declaration) & request_stems)
            score = (
                float(similarity)
                + NAME_WORD_WEIGHT * overlap
                + DESCRIPTION_WORD_WEIGHT * min(description_hits, DESCRIPTION_WORD_CAP)
            )
            scored.append(ScoredFunction(declaration, score))
        return sorted(scored, key=lambda item: -item.score)


def split_clauses(text: str, declarations: Sequence[FunctionDeclaration]) -> list[str]:
    """Split "turn on the lights and set the thermostat to 20" into one clause per command.

    A clause starts after "and", "then", ";" or a comma only where the next word is a command verb
    (a common one, or the first word of a declared function's name), and only after a piece of at
    least two words: a lone word before a comma ("Remove, call the plumber ...") is the verb of what
    follows, not a command of its own.
    """
    verbs = set(COMMAND_VERBS) | {identifier_words(d.name)[0] for d in declarations if identifier_words(d.name)}
    pattern = re.compile(r"\s*(?:,\s*and then|,\s*then|\band then\b|\balso\b|;|,\s*and\b|\band\b|,)\s*", re.I)
    pieces: list[str] = []
    position = 0
    for match in pattern.finditer(text):
        following = text[match.end() :].split(maxsplit=1)
        next_word = following[0].lower().strip(",.!?") if following else ""
        if next_word in ("please", "also"):
            rest = following[1].split(maxsplit=1) if len(following) > 1 else [""]
            next_word = rest[0].lower()
        if next_word in verbs and len(text[position : match.start()].split()) > 1:
            pieces.append(text[position : match.start()].strip())
            position = match.end()
    pieces.append(text[position:].strip())
    return [piece for piece in pieces if piece]
