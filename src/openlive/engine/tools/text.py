"""Small text helpers shared by function selection and argument filling: words with their
character offsets, identifier splitting and a crude stemmer for matching word forms."""

from __future__ import annotations

import functools
import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.#+\-_][A-Za-z0-9#+]+)*[#+]?|[^\sA-Za-z0-9]")


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words that carry no content; used to trim spans and ignore filler when matching.
STOPWORDS = word_set(
    """a an the this that these those my your our his her their its me i you we us he she it they them
    to of for in on at by with from into onto about as and or but if then so than please kindly can could
    would will shall should may might must do does did is are was were be been being am have has had
    just also some any all what which who whom whose how when where why there here up out off over
    get let make want need like know tell give show find one ones now"""
)
# Words that never start or end a value span: articles, prepositions, conjunctions, auxiliaries.
EDGE_WORDS = word_set(
    """a an the this that these those my your our his her their its to of for in on at by with from into onto
    about as and or but if then so than please is are was were be been am do does did have has had will would
    can could should shall may might must which what who whom whose how when where why there here i me you
    between through during after before under over within without via per against among across upon"""
)
# Verbs and fillers that frame a request ("can you please ...", "I'd like to ...").
FRAME_WORDS = word_set(
    """can could would will you please kindly i i'd id like want need to me let's lets let us go ahead
    and just hey ok okay so also now quickly actually called named titled rid new"""
)


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def is_word(self) -> bool:
        return self.text[0].isalnum()


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]


def identifier_words(name: str) -> list[str]:
    """``getWeather``, ``get_weather``, ``math.hypot`` → their lower-case words."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", spaced)
    return [word.lower() for word in re.split(r"[\s_.:\-/]+", spaced) if word]


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Fold plain inflections (tasks/task, adding/add, reminded/remind) onto one key."""
    word = word.lower().strip("'’")
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("ers", ""), ("er", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= (4 if suffix.startswith("er") else 3):
            word = word[: -len(suffix)] + keep
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


# Words people use for the same action. A request that uses one is also read with the word a
# function's name uses ("postpone the report" as "reschedule the report").
_SYNONYM_GROUPS = [
    group.split(",")
    for group in (
        "reschedule,move,postpone,delay,defer,push back,shift",
        "complete,finish,done,check off,tick off,cross off",
        "delete,remove,erase,get rid of",
        "add,create,insert,put",
        "list,show,display,view",
        "find,search,look up,lookup,locate",
        "get,fetch,retrieve,obtain",
        "calculate,compute,determine,work out",
        "buy,purchase,order",
        "book,reserve",
        "cancel,abort,call off",
        "stop,halt",
        "start,begin,launch",
    )
]


# Words people say for a common enum value (a level, a status: "an urgent task" is priority high,
# "late" tasks are overdue). Embeddings hardly tell these apart ("urgent" is about as close to
# "low priority" as to "high priority").
_VALUE_SYNONYMS = {
    "high": ("urgent", "important", "critical", "crucial", "top", "asap", "pressing"),
    "low": ("unimportant", "minor", "trivial", "whenever", "someday"),
    "overdue": ("late", "past due"),
    "pending": ("unfinished", "outstanding", "remaining", "undone"),
    "completed": ("done", "finished"),
}


def value_synonyms(label: str) -> tuple[str, ...]:
    """Words that, said in a request, pick the enum value ``label``."""
    return _VALUE_SYNONYMS.get(label.lower(), ())


SYNONYM_WORDS = frozenset(member for group in _SYNONYM_GROUPS for member in group)


def synonym_words(name_words: list[str]) -> set[str]:
    """Every word of the synonym groups that hold one of ``name_words``."""
    return {
        part
        for group in _SYNONYM_GROUPS
        if any(related_words(word, member) for word in name_words for member in group)
        for member in group
        for part in member.split()
    }


def synonym_variant(text: str, name_words: list[str]) -> str | None:
    """``text`` with its command verb replaced by the word of ``name_words`` it is a synonym of, or
    None. Only the first verb of the request is the command ("remind me to move the car" is no move)."""
    for group in _SYNONYM_GROUPS:
        target = next((word for word in name_words if any(related_words(word, member) for member in group)), None)
        if target is None:
            continue
        for member in group:
            pattern = r"\b" + r"\s+".join(re.escape(part) for part in member.split()) + r"(?:e?[sd]|ing)?\b"
            match = re.search(pattern, text, flags=re.IGNORECASE)
            if match is None or related_words(member, target) or _verb_before(text[: match.start()]):
                continue
            return text[: match.start()] + target + text[match.end() :]
    return None


def _verb_before(text: str) -> bool:
    return any(t.lower in COMMAND_VERBS for t in tokenize(text))


_RELATED_PREFIX = 6


# Long words typed with one letter too many or too few ("acceleeration") still match; not one letter
# changed, which makes other words ("fraction", "friction").
_TYPO_MIN_LENGTH = 8


def related_words(word: str, other: str) -> bool:
    """Same stem, or one stem a long prefix of the other ("accelerating" / "acceleration"), or a long
    word and its typo."""
    first, second = stem(word), stem(other)
    if first == second:
        return True
    shorter, longer = sorted((first, second), key=len)
    if len(shorter) >= _RELATED_PREFIX and longer.startswith(shorter):
        return True
    return len(shorter) >= _TYPO_MIN_LENGTH and _one_edit_apart(shorter, longer)


def _one_edit_apart(shorter: str, longer: str) -> bool:
    """True when inserting one letter into ``shorter`` makes ``longer``."""
    if len(longer) - len(shorter) != 1:
        return False
    prefix = next((i for i, (a, b) in enumerate(zip(shorter, longer, strict=False)) if a != b), len(shorter))
    return shorter[prefix:] == longer[prefix + 1 :]


def content_stems(text: str) -> set[str]:
    return {stem(t.text) for t in tokenize(text) if t.is_word and t.lower not in STOPWORDS}


def is_command_verb(word: str) -> bool:
    """A command verb, also as speech recognition often writes it ("moved buy milk" for "move")."""
    lower = word.lower()
    return any(form in COMMAND_VERBS for form in (lower, lower.removesuffix("d"), lower.removesuffix("ed")))


# Words speech recognition writes for a command verb that sounds the same. Opening a free-text value,
# they are that verb: no title starts with a preposition ("mark by milk as done").
HOMOPHONE_VERBS = {"by": "buy", "bye": "buy"}

_HYPHENATED = re.compile(r"\b([A-Za-z]+)-([A-Za-z]+)\b")


def joined_split_words(text: str, known_words: AbstractSet[str]) -> str:
    """``text`` with words speech recognition split by a hyphen joined again ("Post-pone"), where
    the joined word is one of ``known_words`` (lower case)."""

    def join(match: re.Match[str]) -> str:
        joined = match.group(1) + match.group(2)
        return joined if joined.lower() in known_words else match.group()

    return _HYPHENATED.sub(join, text)


def humanize(name: str) -> str:
    return " ".join(identifier_words(name))


# Common imperative verbs: a clause that starts with one is a new command ("... and set the alarm").
COMMAND_VERBS = word_set(
    """add append archive ask book buy call cancel change check clear close complete compute convert count
    create delete disable display do email enable end estimate find finish get give go increase decrease
    list lock log look make mark move mute note open order pause play post put read record remind remove
    rename reply reschedule reset restart resume save schedule search send set share show skip snooze start
    stop switch take tell text translate turn unlock unmute update upload dim raise lower calculate
    predict plan pay pick prepare print wash clean walk water fix bring feed visit write finish submit renew
    review sign return cook study practice exercise run meet drop collect repair paint organize tidy iron
    vacuum mow sell email phone text follow install prepare contact invite confirm draft retrieve fetch
    obtain provide generate solve identify analyze analyse perform compose determine sort evaluate
    recommend suggest compare locate assess"""
)
