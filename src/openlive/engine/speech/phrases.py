"""Cut streamed LLM text into short phrases that TTS can start speaking right away.

Piper renders a whole phrase before it returns any audio, and the LLM needs time for every
word, so the first phrase should be short: it ends at a sentence end, or once it has
``first_min_words`` words at a clause mark (, ; : —) or before a word that starts a clause
or a prepositional phrase ("and", "because", "with", …), and never grows past
``first_max_words`` (cut before a word that leans on the next one, "a", "the", "to", when it
can), unless the next word ends the sentence or clause ("A week is seven days."). Later phrases follow
the same rules with ``min_words`` and ``max_words``.

Four words at most for the first phrase, not five: on the latency bench's 20 questions the LLM
and Piper then spent 275 ms of CPU on it instead of 330 (medians), the largest single cut in the
time to first audio; the cost is a phrase break after four words in longer first clauses.

A period is a sentence end only when whitespace follows it and the next word does not
start in lower case, and never after a known abbreviation ("Dr.", "e.g.") or a single
letter ("J. Smith"). Digits around a mark ("3.5", "1,000") never split, because the mark
is not followed by whitespace.
"""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset(
    (
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "approx",
        "no",
        "fig",
        "dept",
        "est",
        "inc",
        "ltd",
        "co",
        "mt",
        "a.m",
        "p.m",
        "u.s",
    )
)
_SENTENCE_END = ".!?…"
_CLAUSE_END = ",;:—"
_CLOSERS = "\"')]}»”’"
# Words a phrase may end before without punctuation: a clause or a prepositional phrase starts
# there, so a speaker could pause. Left out: "to" and "of", which bind too tightly ("want to"), and
# words that are often something else ("that", "so", "like").
_BREAK_BEFORE = frozenset(
    (
        "and",
        "but",
        "or",
        "because",
        "while",
        "although",
        "though",
        "which",
        "who",
        "whose",
        "where",
        "when",
        "if",
        "unless",
        "until",
        "since",
        "for",
        "with",
        "without",
        "in",
        "on",
        "at",
        "from",
        "by",
        "about",
        "into",
        "after",
        "before",
        "during",
        "through",
    )
)


# Words that lean on the word after them: a phrase cut for length should not end on one.
_LEANERS = frozenset(("a", "an", "the", "to", "of", "my", "your", "its", "our", "their", "his", "her", "is", "are"))


def _word_count(text: str) -> int:
    return len(text.split())


class PhraseSplitter:
    def __init__(self, first_min_words: int = 3, first_max_words: int = 4, min_words: int = 8, max_words: int = 30):
        self.first_min_words = first_min_words
        self.first_max_words = first_max_words
        self.min_words = min_words
        self.max_words = max_words
        self._buffer = ""
        self._emitted = 0

    def push(self, text: str) -> list[str]:
        """Add streamed text; returns the phrases completed by it (possibly none)."""
        self._buffer += text
        phrases: list[str] = []
        while (cut := self._next_cut()) is not None:
            phrase, self._buffer = self._buffer[:cut].strip(), self._buffer[cut:].lstrip()
            if phrase:
                phrases.append(phrase)
                self._emitted += 1
        return phrases

    def flush(self) -> list[str]:
        """The rest of the text at the end of the reply."""
        phrase, self._buffer = self._buffer.strip(), ""
        self._emitted = 0
        return [phrase] if phrase else []

    def _next_cut(self) -> int | None:
        """Index just past the first place the buffer may be cut, or None to wait for more text."""
        first = self._emitted == 0
        clause_min = self.first_min_words if first else self.min_words
        most = self.first_max_words if first else self.max_words
        text = self._buffer
        word_start = previous_end = 0
        for match in re.finditer(r"\s+", text):
            end = match.start()
            if end == 0:
                continue
            last_word, word_start = text[word_start:end].lower(), match.end()
            mark_at = end - 1
            while mark_at > 0 and text[mark_at] in _CLOSERS:
                mark_at -= 1
            mark = text[mark_at]
            words = _word_count(text[:end])
            if mark in _SENTENCE_END and self._is_sentence_end(text, mark_at, match.end()):
                return end
            if mark in _CLAUSE_END and words >= clause_min:
                return end
            if "\n" in match.group():
                return end
            next_word = re.match(r"[\w']+(?=[\s,;:.!?])", text[match.end() :])
            streaming = next_word is None and re.match(r"[\w']*$", text[match.end() :]) is not None
            if words >= most:
                if first and words == most and mark.isalnum():
                    if streaming:
                        return None  # wait: the next word may end the sentence
                    after_next = text[match.end() + next_word.end() :][:1] if next_word is not None else ""
                    if after_next and after_next in _SENTENCE_END + _CLAUSE_END:
                        previous_end = end
                        continue  # one word short of a sentence or clause end: keep it whole
                leaning = last_word in _LEANERS and words > clause_min
                return previous_end if leaning else end
            if words >= clause_min and mark.isalnum():
                if streaming:
                    return None  # wait: the next word is still streaming
                if next_word is not None and next_word.group().lower() in _BREAK_BEFORE:
                    return end
            previous_end = end
        return None

    @staticmethod
    def _is_sentence_end(text: str, mark_at: int, next_at: int) -> bool:
        if text[mark_at] != ".":
            return True
        word = text[:mark_at].rsplit(maxsplit=1)[-1].lstrip("\"'([{«“‘").lower() if text[:mark_at].strip() else ""
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            return False
        if next_at >= len(text):
            return False  # wait: the next word decides
        return not text[next_at].islower()
