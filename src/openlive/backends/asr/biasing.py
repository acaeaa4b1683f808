"""Keep only the changes that a biasing prompt made towards its own words.

Decoded with a context prompt (the session's tool words), Whisper hears those words where the
plain decoding misheard them ("Show me my overview tasks" → "overdue"), but the prompt also
changes the rest: it drops a sentence's first words ("The meeting went…" → "Immediately
went…"), echoes the prompt's style ("Add a task" → "Add task") or repeats itself. So both
decodings are aligned word by word, and a stretch where they differ takes the biased words
only when they bring in a word of the context that the plain stretch lacks.
"""

from __future__ import annotations

import difflib
import re

_NON_WORD = re.compile(r"[^\w']+")


def _normal(word: str) -> str:
    return _NON_WORD.sub("", word.lower())


def context_vocabulary(context: str) -> frozenset[str]:
    """The words of ``context``, lower-case, without punctuation."""
    return frozenset(word for word in map(_normal, context.split()) if word)


def merge_biased(plain: str, biased: str, vocabulary: frozenset[str]) -> str:
    """``plain`` with each differing stretch replaced by ``biased``'s where that adds a ``vocabulary`` word."""
    plain_words, biased_words = plain.split(), biased.split()
    matcher = difflib.SequenceMatcher(
        a=[_normal(word) for word in plain_words], b=[_normal(word) for word in biased_words], autojunk=False
    )
    merged: list[str] = []
    for operation, plain_start, plain_end, biased_start, biased_end in matcher.get_opcodes():
        plain_stretch = plain_words[plain_start:plain_end]
        biased_stretch = biased_words[biased_start:biased_end]
        if operation == "equal":
            merged.extend(plain_stretch)
            continue
        added = {_normal(word) for word in biased_stretch} - {_normal(word) for word in plain_stretch}
        merged.extend(biased_stretch if plain_stretch and added & vocabulary else plain_stretch)
    return " ".join(merged)
