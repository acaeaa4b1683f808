"""The assistant's names, and where a transcript says one of them.

Names come from configuration ("openlive", "assistant") plus any the system instruction
gives ("You are Ava, …", "Your name is Max."). Matching allows for what ASR does to names:
it splits them ("open live"), hyphenates them ("open-mive") and mishears letters ("open
line"; "Abba", "Abo" or "Avow" for "Ava"), so longer names match within one edit, and short
ones by a crude phonetic key, but only where people put a name they call: at the start of
the turn, or set off by punctuation ("What do you think, Abba? Should I …").
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Literal

from openlive.engine.affect.words import word_set

DEFAULT_ASSISTANT_NAMES = ("openlive", "assistant")

_INSTRUCTION_NAME = re.compile(
    r"\b(?i:you are|you're|your name is|you are called|you are named|call yourself)\s+([A-Z][A-Za-z]+)\b"
)
# Capitalised words that follow "You are" without being a name.
_NOT_NAMES = frozenset({"A", "An", "The", "My", "Our", "Your", "Not", "Now", "Here", "Always", "Never"})
_VOWELS = frozenset("aeiouy")
_CONSONANT_CLASS = dict.fromkeys("bpvf", "B") | dict.fromkeys("dt", "T") | dict.fromkeys("gkcq", "K")
_CONSONANT_CLASS |= dict.fromkeys("mn", "M") | dict.fromkeys("sz", "S") | dict.fromkeys("lr", "R")
_CONSONANT_CLASS |= {"x": "KS", "j": "J"}
# Short words that would otherwise sound like a short name ("of" like "Ava").
_FUNCTION_WORDS = word_set(
    "a an and are as at be but by do for from he her his i if in is it me my no not of off on or so the to up us we you"
)
# Words said before a name when calling it ("hey Ava", "okay so Max").
LEAD_INS = frozenset({"hey", "hi", "hello", "ok", "okay", "so", "um", "uh", "oh", "yo", "and", "thanks", "thank"})
_MAX_NAME_TOKENS = 3

NamePosition = Literal["start", "called", "mentioned"]
# A word or two standing alone between punctuation or the ends of the text: where a called name goes
# ("Abba" in "What do you think, Abba? Should I …"; "Max" in "Thanks Max, now …").
_SET_OFF = re.compile(r"(?:^|[,.?!;:])\s*((?:[A-Za-z']+\s+)?[A-Za-z']+)\s*(?=[,.?!;:]|$)")


def assistant_names(
    system_instruction: str | None, configured: Sequence[str] = DEFAULT_ASSISTANT_NAMES
) -> tuple[str, ...]:
    """The configured names plus those the system instruction gives, lower-case, without duplicates."""
    found = [
        match.group(1)
        for match in _INSTRUCTION_NAME.finditer(system_instruction or "")
        if match.group(1) not in _NOT_NAMES
    ]
    return tuple(dict.fromkeys(name.lower() for name in [*configured, *found]))


def edit_distance(a: Sequence[object], b: Sequence[object]) -> int:
    """Levenshtein distance between two sequences (characters of a word, or words of a sentence)."""
    row = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, char_b in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (char_a != char_b))
    return row[len(b)]


def sound_key(word: str) -> str:
    """A crude phonetic key: the first sound, then consonant classes without vowels or repeats.

    "Ava", "Abba", "Abo", "Arva" and "Avow" all give "AB"; "Max", "Mix" and "Macs" give "MKS".
    """
    letters = re.sub(r"[^a-z]", "", word.lower())
    if not letters:
        return ""
    key = "A" if letters[0] in _VOWELS else _CONSONANT_CLASS.get(letters[0], letters[0].upper())
    for index, letter in enumerate(letters[1:], 1):
        following = letters[index + 1 : index + 2]
        if letter == "r" and (not following or following not in _VOWELS):
            continue  # "r" before a consonant is often not heard ("Arva" for "Ava")
        sound = _CONSONANT_CLASS.get(letter, "")
        if sound and not key.endswith(sound):
            key += sound
    return key


def _sounds_like(heard: str, name: str, called: bool) -> bool:
    """Whether ``heard`` may be ASR's rendering of ``name`` (both lower-case letters).

    ``called``: ``heard`` is where people put a name they call.
    """
    if heard == name:
        return True
    if len(name) >= 5:
        return edit_distance(heard, name) <= 1
    # A short name is only recognised loosely where people put a name they call: elsewhere too many
    # words share its sound ("over" and "Ava").
    return called and heard not in _FUNCTION_WORDS and len(heard) >= 2 and sound_key(heard) == sound_key(name)


def set_off_words(text: str) -> frozenset[str]:
    """Lower-case words that stand alone, or after one other word, between punctuation marks in ``text``."""
    return frozenset(
        word.lower().replace("'", "") for match in _SET_OFF.finditer(text) for word in match.group(1).split()[-1:]
    )


def name_position(words: Sequence[str], names: Sequence[str], set_off: Collection[str] = ()) -> NamePosition | None:
    """Where one of ``names`` is said in ``words`` (lower-case tokens); None if nowhere.

    "start" means after at most one lead-in word ("hey Ava, …"); "called" means the last words or
    set off by punctuation ("…, Ava?"); "mentioned" means elsewhere.
    ``set_off`` (from :func:`set_off_words`) are words the transcript sets off by punctuation:
    a short name is recognised loosely there too, as a name being called.
    """
    collapsed_names = [re.sub(r"[^a-z]", "", name.lower()) for name in names]
    for start in range(len(words)):
        for length in range(1, _MAX_NAME_TOKENS + 1):
            if start + length > len(words):
                break
            heard = "".join(words[start : start + length]).replace("'", "")
            lead = words[:start]
            at_start = len(lead) <= 1 and all(word in LEAD_INS for word in lead)
            set_off_here = length == 1 and heard in set_off
            if any(name and _sounds_like(heard, name, at_start or set_off_here) for name in collapsed_names):
                at_end = start + length == len(words)
                return "start" if at_start else "called" if at_end or set_off_here else "mentioned"
    return None
