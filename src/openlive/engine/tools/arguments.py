"""Fills a chosen function's arguments from the user's words, by parameter type.

Each value is found in the request, never invented: dates and times resolved against now,
numbers (digits or words) matched to parameters by the words around them, enum values by word
or embedding similarity, booleans by mention, strings as spans of the user's words. Every piece
of the request is used by at most one argument, so a title does not swallow the due date.
Where candidates stay too close to call, an optional :class:`LlmChooser` picks among them.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, TypeVar

import numpy as np

from openlive.backends.embedder.base import Embedder
from openlive.engine.tools.choice import LlmChooser
from openlive.engine.tools.datetimes import CALENDAR_WORDS, DateTimeMention, find_datetimes
from openlive.engine.tools.numbers import (
    NUMBER_WORDS,
    UNIT_WORDS,
    NumberMention,
    find_numbers,
    in_base_unit,
    unit_conflicts,
    unit_kinds,
)
from openlive.engine.tools.places import with_state
from openlive.engine.tools.schema import FunctionDeclaration, Schema
from openlive.engine.tools.text import (
    COMMAND_VERBS,
    EDGE_WORDS,
    FRAME_WORDS,
    HOMOPHONE_VERBS,
    STOPWORDS,
    Token,
    content_stems,
    identifier_words,
    is_command_verb,
    related_words,
    stem,
    synonym_words,
    tokenize,
    value_synonyms,
    word_set,
)
from openlive.engine.tools.validation import schema_problems

_DATE_WORDS = frozenset({"date", "time", "datetime", "when", "due", "deadline", "timestamp", "day"})
_DATE_FORMATS = frozenset({"date", "date-time", "datetime", "time"})
# Parameters that hold what the user says in their own words rather than a short entity.
_FREE_TEXT_WORDS = word_set(
    "title text message content body note notes query description subject summary prompt task "
    "reminder comment question topic search keyword keywords item"
)
_GENERIC_FLAG_WORDS = word_set("is include includes enable enabled use with show flag should do has")
_NEGATIONS = word_set("no not without exclude excluding don't dont never skip disable")
_ENUM_MIN_SIMILARITY = 0.62
# An optional string is filled only when its best span scores this well (quoted, capitalised, cued).
_OPTIONAL_STRING_MIN_SCORE = 0.65
# Scores closer than this go to the LLM chooser, when there is one.
_CLOSE_CALL = 0.06
_MAX_SPAN_WORDS = 6
_MAX_LIST_WORDS = 12
# For a list parameter, a span said as a list of short items ("tomatoes and lettuce") is preferred.
MAX_ITEM_WORDS = 3
_LIST_BONUS = 0.35
# ... and the more items the list holds, the likelier it is the whole list ("C, F and G", not "C, F").
_LIST_ITEM_BONUS = 0.1
# Spelled-out numbers are often counts of things ("two numbers: 40 and 50"), not values.
_SPELLED_PENALTY = 0.3
# Number assignment: bonus per pair of parameters filled in the order said, cost of a required
# parameter left empty, and how many partial assignments to try before falling back to greedy.
_ORDER_BONUS = 0.3
# An optional number parameter takes a number only with some word around it pointing at it.
_OPTIONAL_NUMBER_MIN_SCORE = 0.3
_OPTIONAL_SPELLED_MIN_SCORE = 0.5
_MISSING_REQUIRED = 5.0
_ASSIGNMENT_BUDGET = 20_000
_STAGE_NUMBER = 2
_STAGE_ENTITY = 6
_STAGE_FREE_TEXT = 7
_CLAUSE_PUNCTUATION = frozenset(",;:.!?")
# Quotation marks, not apostrophes: no letter just outside them ("Gogh's painting 'Starry Night'").
_QUOTED = re.compile(r"(?<![A-Za-z])[\"“‘']((?:[^\"“”‘’']|(?<=[A-Za-z])['’](?=[A-Za-z])){2,})[\"”’'](?![A-Za-z])")
# A formula in one variable ("3x^2 + 2x - 1", "x**3"): one value, whose numbers are not values.
_FORMULA_TERM = r"(?:\d+(?:\.\d+)?\*?)?(?<![A-Za-z])[xyztn](?![A-Za-z])(?:\s*(?:\^|\*\*)\s*\d+)?|\d+(?:\.\d+)?"
_FORMULA = re.compile(rf"(?:{_FORMULA_TERM})(?:\s*[-+*/]\s*(?:{_FORMULA_TERM}))*")
_FORMULA_WORDS = word_set("function func expression equation formula polynomial")
_PATH_LIKE = re.compile(r"(?<![\w/@\\])[\w~.:\-]*[/@\\][\w./@\\:\-]*\w")
_LIST_GAP = re.compile(r"[\s'\"“”‘’]*(?:,|,?\s*and|,?\s*or)?[\s'\"“”‘’]*")
_FIRST_ROLES = word_set("start origin source from first initial begin departure")
_SECOND_ROLES = word_set("end destination target to second final finish arrival")
_QUESTION_WORDS = word_set("what's whats who's how's where's when's what which who whom whose how why")
_VERB_PENALTY = 0.3
# Regular participles, and the irregular ones said most ("made of marble", "found in").
_PARTICIPLE = re.compile(
    r"[a-z]{3,}(?:ed|ing)|made|built|written|done|taken|given|known|found|seen|shown|held|sold|bought|brought"
    r"|drawn|grown|thrown|worn|born|kept|paid|sent|spent|told|won|chosen|broken|driven|eaten|spoken|frozen"
)
_CUE_BONUS = 0.15
# A parameter's whole name of several words said next to a value ("red dominant color") names it.
_FULL_NAME_BONUS = 0.5
_LINKING_WORDS = word_set("to is as = : of named called be being equals")
_NOT_A_NAME_PENALTY = 0.3
_COMPOUND_CUT_PENALTY = 0.2
_CALENDAR_NAME_WORDS = word_set("month weekday day")
_TITLES = word_set("mr mrs ms dr prof st jr sr")
_PLACE_WORDS = word_set("city country state region province county location place area town")
_CALENDAR_BONUS = 0.3
_MONEY = re.compile(r"[$€£¥]")
# Between a list of parameters' names and the list of their values ("base and height as 6cm and 10cm").
_LEAD_TO_VALUES = re.compile(r"\s*(?:(?:as|are|were|is|of|=|:|be|equal to|respectively)\s*)+", re.I)
_NUMBER_LIST_GAP = re.compile(r"\s*[a-zµ°Ω%]*\s*(?:,|,?\s*and)\s*", re.I)
_IN_TURN_BONUS = 2.0
_RANGE_LOW = word_set("min minimum low lower lowest start from least")
_RANGE_HIGH = word_set("max maximum high upper highest end to most")
_RANGE_GAP = re.compile(r"\s*(?:to|-|–|and|through|up to)\s*", re.I)
_UNIT_NAME_WORDS = word_set("unit units measure measurement scale format currency")
_UNIT_NAMES = (
    frozenset({word for words in UNIT_WORDS.values() for word in words.split()} | {"celsius", "fahrenheit", "kelvin"})
    - STOPWORDS
)
# Words that say how many, not what: a count, an order or a quantity.
_NUMBER_WORDS = frozenset(NUMBER_WORDS) | word_set("many much few several more most less least lot lots")
# A count parameter: named so, or described as "the number of <things>".
_COUNT_NAME_WORDS = word_set("count number num limit")
_COUNTED = re.compile(r"\s*(?:the\s+)?(?:number|count)\s+of\s+([^,.;(]*)", re.I)
# How many words after a number its counted noun may be ("three personality traits").
_COUNTED_NOUN_REACH = 3
_NUMBER_NAME_WORDS = word_set("id number code year season zip postal phone no num count version")
_CODE_STEMS = frozenset(stem(word) for word in ("id", "identifier", "number", "code"))
_CODE_BONUS = 0.3
_DETERMINERS = frozenset({"a", "an", "the", "my", "your", "our", "his", "her", "their", "this", "that"})
# A value right after one of these words likely fills a parameter whose name has one of the roles.
_PREPOSITION_ROLES = {
    "from": frozenset(
        {
            "start",
            "origin",
            "source",
            "from",
            "departure",
            "sender",
            "base",
            "manufacturer",
            "brand",
            "maker",
            "store",
            "vendor",
            "seller",
            "provider",
            "supplier",
            "shop",
            "platform",
        }
    ),
    "between": frozenset({"start", "origin", "source", "from", "first"}),
    "to": frozenset({"end", "destination", "target", "to", "arrival", "recipient"}),
    "in": frozenset({"location", "city", "place", "country", "region", "area", "state", "where", "room"}),
    "at": frozenset({"location", "place", "venue", "where"}),
    "near": frozenset({"location", "place", "city", "where"}),
    "by": frozenset({"author", "artist", "creator", "director"}),
}


_Value = TypeVar("_Value")


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    text: str
    capitalized: bool = False
    quoted: bool = False


# Where a description lists a parameter's values ("Can be 'summary' or 'detailed'", "i.e., victim,
# accused, verdict"): quoted words anywhere, or else the words after one of these markers.
_EXAMPLE_MARKERS = r"e\.g\.|such as|for example|for instance"
_LISTING_MARKERS = re.compile(
    rf"\b(?:{_EXAMPLE_MARKERS}|i\.e\.|can be|could be|either|one of|options are)[,:]?\s*", re.I
)
_EXAMPLES = re.compile(rf"\b(?:{_EXAMPLE_MARKERS})", re.I)
_DESCRIBED_QUOTE = re.compile(r"(?<![A-Za-z])['\"‘“]([^'\"‘’“”]{1,40})['\"’”](?![A-Za-z])")


def lists_examples(description: str) -> bool:
    """True when the values a description names are examples ("e.g. mitochondria"), not its values."""
    return _EXAMPLES.search(description) is not None


def described_values(description: str) -> list[str]:
    """Values a parameter's description names, longest first."""
    values = [match.group(1).strip() for match in _DESCRIBED_QUOTE.finditer(description)]
    if not values:
        for marker in _LISTING_MARKERS.finditer(description):
            listed = re.split(r"[.;)(]", description[marker.end() :])[0]
            values += [re.sub(r"\s*\betc$", "", part, flags=re.I) for part in split_items(listed)]
    said = [value for value in values if value and content_stems(value)]
    return sorted(dict.fromkeys(said), key=lambda value: -len(value.split()))


def _param_text(name: str, schema: Schema) -> str:
    words = " ".join(identifier_words(name))
    return f"{words}: {schema.description}" if schema.description else words


def _is_datetime(name: str, schema: Schema) -> bool:
    if schema.type != "string" or schema.enum:
        return False
    if schema.format.lower() in _DATE_FORMATS:
        return True
    description = schema.description.lower()
    if any(marker in description for marker in ("iso 8601", "iso-8601", "hh:mm", "rfc 3339")):
        return True
    if described_date_layout(description) is not None:
        return True
    return bool(set(identifier_words(name)) & _DATE_WORDS)


def is_free_text(name: str) -> bool:
    return bool(set(identifier_words(name)) & _FREE_TEXT_WORDS)


def is_question(text: str) -> bool:
    """True for a request asked as a wh-question ("what tasks are still pending")."""
    first = next((token for token in tokenize(text) if token.is_word), None)
    return first is not None and first.lower in _QUESTION_WORDS


# A date layout spelled out in a parameter's description ("in the format of MM-DD-YYYY", "(month-day-year)").
_LAYOUT_PART = r"(?:yyyy|yyy|yy|mm|dd|year|month|day)"
_DATE_LAYOUT = re.compile(rf"\b{_LAYOUT_PART}([-/.]){_LAYOUT_PART}\1{_LAYOUT_PART}\b", re.I)
_LAYOUT_CODES = {"y": "%Y", "m": "%m", "d": "%d"}


def _names_date_form(description: str) -> bool:
    """True when a description asks dates in some written form (ISO 8601, MM-DD-YYYY...)."""
    lowered = description.lower()
    return any(marker in lowered for marker in ("iso", "yyyy", "format")) or described_date_layout(lowered) is not None


def _without_lead(said: str) -> str:
    """ "on April 2022" → "April 2022": a date mention without the preposition it starts with."""
    return re.sub(r"^(?:on|at|by|for|due|until|till|before|around|from)\s+", "", said.strip(), flags=re.I)


def described_date_layout(description: str) -> str | None:
    """The strftime layout a description asks dates in ("MM-DD-YYYY" → "%m-%d-%Y"), if it names one
    with a year, a month and a day."""
    match = _DATE_LAYOUT.search(description)
    if match is None:
        return None
    separator = match.group(1)
    codes = [_LAYOUT_CODES[part[0].lower()] for part in match.group().split(separator)]
    return separator.join(codes) if sorted(codes) == ["%Y", "%d", "%m"] else None


def format_datetime(mention: DateTimeMention, schema: Schema, name: str, now: datetime) -> str | None:
    """The mention as ISO 8601, as precise as the parameter allows and the user said, or in the
    date layout the parameter's description asks for."""
    form = schema.format.lower()
    layout = described_date_layout(schema.description)
    if layout is not None and mention.day is not None:
        return mention.day.strftime(layout)
    words = set(identifier_words(name))
    wants_time_only = form == "time" or ("time" in words and "date" not in words and mention.day is None)
    if wants_time_only:
        return mention.clock.isoformat(timespec="minutes") if mention.clock else None
    if mention.day is None:
        return None
    if form == "date" or mention.clock is None or ("date" in words and "time" not in words):
        return mention.day.isoformat()
    moment = datetime.combine(mention.day, mention.clock or time(0), tzinfo=now.tzinfo)
    return moment.isoformat(timespec="seconds")


# ISO 4217 codes of the currencies people name most: a parameter for a currency takes the code
# ("Canadian dollars" → "CAD"), the form currency APIs expect.
_CURRENCY_CODES = {
    "USD": "dollar, us dollar, u.s. dollar, united states dollar, american dollar",
    "EUR": "euro",
    "GBP": "pound, british pound, pound sterling, sterling",
    "JPY": "yen, japanese yen",
    "CAD": "canadian dollar",
    "AUD": "australian dollar",
    "NZD": "new zealand dollar",
    "CHF": "swiss franc, franc",
    "CNY": "yuan, chinese yuan, renminbi",
    "INR": "rupee, indian rupee",
    "MXN": "mexican peso, peso",
    "KRW": "won, korean won, south korean won",
}
_CURRENCY_NAMES = {
    " ".join(stem(word) for word in name.split()): code
    for code, names in _CURRENCY_CODES.items()
    for name in names.split(", ")
}


def currency_code(name: str, value: str) -> str:
    """``value`` as its ISO 4217 code when ``name`` is a currency parameter and it names a currency."""
    if "currency" not in identifier_words(name):
        return value
    words = [stem(word) for word in re.sub(r"^(?:the|a|an)\s+", "", value.strip().lower()).split()]
    return _CURRENCY_NAMES.get(" ".join(words), value)


def find_formulas(text: str) -> list[tuple[int, int]]:
    """Where formulas are: a power of a variable, or a coefficient times one in a sum ("2x + 3")."""
    found = []
    for match in _FORMULA.finditer(text):
        formula = match.group()
        powered = "^" in formula or "**" in formula
        if powered or (re.search(r"\d[xyztn]", formula) and re.search(r"[-+*/]", formula)):
            found.append((match.start(), match.end()))
    return found


class _Request:
    """The request's words, what was found in them, and which characters arguments have used."""

    def __init__(self, text: str, now: datetime) -> None:
        self.text = text
        self.now = now
        self.tokens = tokenize(text)
        self.datetimes = find_datetimes(text, now)
        self.formulas = find_formulas(text)
        self.all_numbers = [
            number for number in find_numbers(text) if not any(a <= number.start < b for a, b in self.formulas)
        ]
        self.numbers = [
            number for number in self.all_numbers if not any(m.start <= number.start < m.end for m in self.datetimes)
        ]
        self.claimed: list[tuple[int, int]] = []

    def free(self, start: int, end: int) -> bool:
        return not any(start < b and a < end for a, b in self.claimed)

    def claim(self, start: int, end: int) -> None:
        self.claimed.append((start, end))

    def window(self, start: int, end: int, before: int = 3, after: int = 2) -> list[Token]:
        index_before = [i for i, t in enumerate(self.tokens) if t.end <= start]
        index_after = [i for i, t in enumerate(self.tokens) if t.start >= end]
        chosen = index_before[max(0, len(index_before) - before) :] + index_after[:after]
        return [self.tokens[i] for i in chosen if self.tokens[i].is_word]

    def negated_before(self, start: int) -> bool:
        return any(t.lower in _NEGATIONS for t in self.window(start, start, before=3, after=0))


class ArgumentFiller:
    def __init__(self, embedder: Embedder, chooser: LlmChooser | None = None) -> None:
        self.embedder = embedder
        self.chooser = chooser

    def fill(
        self,
        declaration: FunctionDeclaration,
        text: str,
        now: datetime,
        cancel: threading.Event | None = None,
        command_words: Sequence[str] = (),
    ) -> FilledArguments | None:
        """Arguments for ``declaration`` from ``text``; None when a required one is not in it.

        ``command_words`` are words that name the action (from the function's name and
        description); they are trimmed from the edges of free-text values.
        """
        request = _Request(text, now)
        run = _FillRun(self, request, declaration, cancel or threading.Event(), command_words)
        args = run.fill_object(declaration.parameters)
        if args is None or schema_problems(declaration.parameters, args):
            return None
        frame = " ".join(t.text for t in request.tokens if t.is_word and request.free(t.start, t.end))
        unused_dates = sum(request.free(m.start, m.end) for m in request.datetimes)
        return FilledArguments(args, frame, run.evidence, unused_dates, min(run.value_scores, default=None))


@dataclass(frozen=True)
class FilledArguments:
    args: dict[str, Any]
    # The request's words that no argument used: what is left says what the user wants done.
    frame: str
    # Typed values the user said that the function takes (a date, an enum value by name, a number
    # next to its parameter's name), and dates said that it has no parameter for.
    evidence: int = 0
    unused_dates: int = 0
    # How well the worst-fitting required short string fits its parameter (None: no such value).
    weakest_value: float | None = None


class _FillRun:
    def __init__(
        self,
        filler: ArgumentFiller,
        request: _Request,
        declaration: FunctionDeclaration,
        cancel: threading.Event,
        command_words: Sequence[str],
    ) -> None:
        self.filler = filler
        self.request = request
        self.declaration = declaration
        self.cancel = cancel
        name_words = identifier_words(declaration.name)
        self.name_stems = {stem(word) for word in [*name_words, *synonym_words(name_words)]}
        self.command_stems = self.name_stems | {stem(word) for word in command_words}
        self.parameter_names = list(declaration.parameters.properties)
        self._place_parameters = sum(bool(set(identifier_words(n)) & _PLACE_WORDS) for n in self.parameter_names)
        self.evidence = 0
        self.value_scores: list[float] = []

    # ---- objects ---------------------------------------------------------------------------------

    def fill_object(self, schema: Schema) -> dict[str, Any] | None:
        found: dict[str, Any] = {}
        properties = schema.properties
        order = sorted(properties, key=lambda name: self._stage(name, properties[name]))
        joint_stages_done: set[int] = set()
        for name in order:
            child = properties[name]
            stage = self._stage(name, child)
            if stage in (_STAGE_NUMBER, _STAGE_ENTITY):
                # Numbers and short strings are assigned to all their parameters at once.
                if stage not in joint_stages_done:
                    joint_stages_done.add(stage)
                    names = [n for n in order if self._stage(n, properties[n]) == stage]
                    fill = self._fill_numbers if stage == _STAGE_NUMBER else self._fill_entities
                    found |= fill(schema, names)
            else:
                value = self._fill_one(name, child, required=name in schema.required)
                if value is not None:
                    found[name] = value
        for name in schema.required:
            if name not in found:
                child = properties.get(name, Schema())
                if child.has_default and not schema_problems(child, child.default):
                    found[name] = child.default
                else:
                    return None
        return {name: found[name] for name in properties if name in found}

    def _stage(self, name: str, schema: Schema) -> int:
        """Fill order: dates, enums and number lists, numbers, booleans, arrays, objects, short
        strings (names, places), then free text, which takes what the others left."""
        if _is_datetime(name, schema):
            return 0
        if schema.enum:
            return 1
        if schema.type == "array" and schema.items is not None and schema.items.type in ("integer", "number"):
            # A list of numbers ("scores 85, 90, 88") must be taken before its items fill scalars.
            return 1
        if schema.type in ("integer", "number"):
            return _STAGE_NUMBER
        if schema.type in ("string", "any"):
            return _STAGE_FREE_TEXT if is_free_text(name) else _STAGE_ENTITY
        return {"boolean": 3, "array": 4, "object": 5}.get(schema.type, _STAGE_ENTITY)

    def _fill_one(self, name: str, schema: Schema, required: bool) -> Any:
        if _is_datetime(name, schema):
            return self._fill_datetime(name, schema)
        if schema.enum:
            return self._fill_enum(name, schema, required)
        match schema.type:
            case "boolean":
                return self._fill_boolean(name, schema, required)
            case "array":
                return self._fill_array(name, schema, required)
            case "object":
                return self.fill_object(schema) or None
            case "string" | "any":
                return self._fill_free_text(name, schema)
        return None

    # ---- dates -----------------------------------------------------------------------------------

    def _fill_datetime(self, name: str, schema: Schema) -> str | None:
        named = described_values(schema.description)
        for mention in self.request.datetimes:
            if not self.request.free(mention.start, mention.end):
                continue
            # A description that names relative values ("'weekend' for the coming weekend", "e.g.
            # this weekend, today") takes the one said in its own words, not as a date.
            said = content_stems(self.request.text[mention.start : mention.end])
            value = next((listed for listed in named if content_stems(listed) == said), None)
            # A month said for a date in no stated form is passed as said ("April 2022"), not
            # given a day the user did not say.
            if mention.month_only and not schema.format and not _names_date_form(schema.description):
                value = value or _without_lead(self.request.text[mention.start : mention.end])
            value = value or format_datetime(mention, schema, name, self.request.now)
            if value is not None:
                self.request.claim(mention.start, mention.end)
                self.evidence += 1
                return value
        return None

    # ---- numbers ---------------------------------------------------------------------------------

    def _number_score(self, name: str, schema: Schema, mention: NumberMention) -> float:
        """How strongly the words around a number point at this parameter (1.0: its name is there).

        Only words between this number and its neighbours count, and a word that also names the
        function ("temperature" of calculate_final_temperature) counts half."""
        previous = max((m.end for m in self.request.all_numbers if m.end <= mention.start), default=0)
        following = min(
            (m.start for m in self.request.all_numbers if m.start >= mention.end), default=len(self.request.text)
        )
        window = self.request.window
        before = [t for t in window(mention.start, mention.end, before=3, after=0) if t.start >= previous]
        after = [t for t in window(mention.start, mention.end, before=0, after=2) if t.end <= following]
        unit = _unit_words(mention)
        name_words = identifier_words(name)
        keys = [w for w in name_words if len(w) > 1 and w not in STOPWORDS]
        # Single-letter names ("a=2, b=5") match the letter itself next to the number.
        letters = {w for w in name_words if len(w) == 1}
        description = [t.lower for t in tokenize(schema.description) if t.is_word and t.lower not in STOPWORDS]
        function_words = identifier_words(self.declaration.name)

        def hits(words: Sequence[str], tokens: Sequence[str]) -> float:
            content = [token for token in tokens if token.lower() not in STOPWORDS]
            return sum(
                0.5 if any(related_words(word, named) for named in function_words) else 1.0
                for word in set(words)
                if any(related_words(word, token) for token in content)
            )

        before_words = [t.text for t in before] + unit
        score = 1.0 * hits(keys, before_words) + 1.0 * len(letters & {t.lower for t in before})
        score += 0.5 * hits(keys, [t.text for t in after])
        score += 0.3 * hits(description, before_words)
        if self._counts_what_is_counted(name, schema, mention):
            score += 1.0
        return score

    def _counts_what_is_counted(self, name: str, schema: Schema, mention: NumberMention) -> bool:
        """True for a count parameter ("the number of top traits to return") and a whole number said
        before the plural of what it counts ("three personality traits")."""
        counted = _COUNTED.match(schema.description)
        if not mention.is_integral or (counted is None and not set(identifier_words(name)) & _COUNT_NAME_WORDS):
            return False
        things = content_stems(counted.group(1) if counted else "") | {stem(w) for w in identifier_words(name)}
        following = [t for t in self.request.tokens if t.start >= mention.end][:_COUNTED_NOUN_REACH]
        for token in following:
            if not token.is_word:
                return False
            if token.lower.endswith("s") and stem(token.text) in things:
                return True
        return False

    def _counts_the_values_after(self, mention: NumberMention, mentions: list[NumberMention]) -> bool:
        """True for a spelled count before a plural noun that at least as many numbers follow ("the
        gcd of two numbers: 40 and 50", "two charges of 5C and 7C"): it says how many values come."""
        if not mention.spelled or not mention.is_integral or mention.value < 2:
            return False
        following = [t for t in self.request.tokens if t.start >= mention.end][:_COUNTED_NOUN_REACH]
        plural = any(t.is_word and t.lower.endswith("s") and not t.lower.endswith("ss") for t in following)
        values_after = [m for m in mentions if m.start >= mention.end and not m.spelled]
        return plural and len(values_after) >= mention.value

    def _said_in_turn(self, names: list[str], mentions: list[NumberMention]) -> dict[int, int]:
        """Parameters named as a list and then given numbers as a list ("base and height as 6cm and
        10cm"): parameter index → mention index, in the order said."""
        text = self.request.text
        words = [t for t in self.request.tokens if t.is_word]
        keys = [{stem(word) for word in _unnumbered_words(name) if word not in STOPWORDS} for name in names]
        for start in range(len(words)):
            named: list[int] = []
            position = last = start
            while position < len(words):
                hit = next((i for i, key in enumerate(keys) if stem(words[position].text) in key), None)
                if hit is None or hit in named:
                    break
                named.append(hit)
                last = position
                following = words[position + 1] if position + 1 < len(words) else None
                if following is None or not _LIST_GAP.fullmatch(text[words[position].end : following.start]):
                    break
                position += 2 if following.lower in ("and", "or") else 1
            after = [m for m in mentions if m.start > words[last].end]
            if len(named) < 2 or len(after) < len(named):
                continue
            listed = after[: len(named)]
            lead = text[words[last].end : listed[0].start]
            gaps = [text[a.end : b.start] for a, b in itertools.pairwise(listed)]
            if _LEAD_TO_VALUES.fullmatch(lead) and all(_NUMBER_LIST_GAP.fullmatch(gap) for gap in gaps):
                return {p_index: mentions.index(mention) for p_index, mention in zip(named, listed, strict=True)}
        return {}

    def _said_as_range(self, names: list[str], mentions: list[NumberMention]) -> dict[int, int]:
        """A range said as "$300,000 to $400,000" or "between 2 and 5" for a low and a high parameter
        ("min" and "max"): parameter index → mention index."""
        low = [i for i, name in enumerate(names) if set(_unnumbered_words(name)) & _RANGE_LOW]
        high = [i for i, name in enumerate(names) if set(_unnumbered_words(name)) & _RANGE_HIGH]
        if len(low) != 1 or len(high) != 1:
            return {}
        for index, (first, second) in enumerate(itertools.pairwise(mentions)):
            if _RANGE_GAP.fullmatch(self.request.text[first.end : second.start]):
                return {low[0]: index, high[0]: index + 1}
        return {}

    def _powered(self, mention: NumberMention) -> bool:
        """True when the number's unit is squared or cubed ("15 m³", "2 m^3", "5 square feet")."""
        after = self.request.text[mention.end : mention.end + 12].lower()
        return re.match(r"\s*(?:square|cubic|sq\b|[a-zµ]*\s*(?:[²³]|\^\s*[23]))", after) is not None

    def _number_value(self, schema: Schema, mention: NumberMention) -> float | int | None:
        value = mention.value
        description = schema.description.lower()
        # A rate said as a percentage is passed as a fraction unless the parameter asks for a percentage.
        as_fraction = any(hint in description for hint in ("decimal", "fraction", "between 0 and 1"))
        if mention.percent and schema.type == "number" and (as_fraction or "percent" not in description):
            value = value / 100
        value = in_base_unit(value, self.request.text[mention.start : mention.end], description)
        if schema.type == "integer":
            # A percentage is a rate, not a count or a year, unless the parameter is one in percent.
            if mention.percent and "percent" not in description and "%" not in description:
                return None
            return int(value) if float(value).is_integer() else None
        return float(value)

    def _free_numbers(self) -> list[NumberMention]:
        """Unused numbers; those inside a date or time count too when no parameter takes a date
        ("6:30 PM" for hours and minutes)."""
        numbers = self.request.numbers
        if not any(_is_datetime(n, s) for n, s in self.declaration.parameters.properties.items()):
            numbers = self.request.all_numbers
        return [m for m in numbers if self.request.free(m.start, m.end)]

    def _context_similarity(self, schema: Schema, names: list[str], mentions: list[NumberMention]) -> np.ndarray:
        """Embedding similarity of each parameter with the words around each number, less the
        mean over the parameters."""
        if len(names) < 2 or not mentions:
            return np.zeros((len(names), len(mentions)))
        contexts = []
        for mention in mentions:
            words = self.request.window(mention.start, mention.end, before=3, after=2)
            context = [t.text for t in words if t.lower not in STOPWORDS] + _unit_words(mention)
            contexts.append(" ".join(context) or "number")
        embedder = self.filler.embedder
        parameters = embedder.embed([_param_text(name, schema.properties[name]) for name in names])
        similarity = np.asarray(parameters @ embedder.embed(contexts).T)
        # Only how much better a number's context fits one parameter than the others says anything.
        centered: np.ndarray = similarity - similarity.mean(axis=0, keepdims=True)
        return centered

    def _fill_numbers(self, schema: Schema, names: list[str]) -> dict[str, Any]:
        """Numbers to parameters: a number with words around it that point at a parameter may fill
        it, and required parameters take the best fitting number left. Of all such assignments the one with
        the best total fit wins, fit counting the words around each number, how well they match the
        parameter by embedding, and how far the assignment keeps the order things were said in
        (parameters usually come in the order they are declared: "of 36 and 24")."""
        mentions = self._free_numbers()
        mentions = [
            m
            for m in mentions
            if not self._counts_the_values_after(m, mentions)
            or any(self._counts_what_is_counted(name, schema.properties[name], m) for name in names)
        ]
        similarity = self._context_similarity(schema, names, mentions)
        in_turn = self._said_in_turn(names, mentions) or self._said_as_range(names, mentions)
        options: list[list[tuple[int, float, bool, Any]]] = []
        for p_index, name in enumerate(names):
            child = schema.properties[name]
            choices = []
            for m_index, mention in enumerate(mentions):
                value = self._number_value(child, mention)
                if value is None or schema_problems(child, value):
                    continue
                if not self._powered(mention) and unit_conflicts(_unit_words(mention), identifier_words(name)):
                    continue
                # An amount of money is never a year.
                said = self.request.text[mention.start : mention.end]
                if _unnumbered_words(name)[-1:] == ["year"] and _MONEY.search(said):
                    continue
                lexical = self._number_score(name, child, mention)
                if in_turn.get(p_index) == m_index:
                    lexical += _IN_TURN_BONUS
                named = lexical >= 1.0
                # A spelled-out number ("two sets of values") needs a word of the name next to it.
                floor = _OPTIONAL_SPELLED_MIN_SCORE if mention.spelled else _OPTIONAL_NUMBER_MIN_SCORE
                if lexical >= floor or name in schema.required:
                    fit = lexical + float(similarity[p_index, m_index]) - _SPELLED_PENALTY * mention.spelled
                    choices.append((m_index, fit, named, value))
            options.append(choices)
        assignment = _best_assignment(options, [name in schema.required for name in names])
        found: dict[str, tuple[int, Any]] = {}
        for p_index, choice in enumerate(assignment):
            if choice is None:
                continue
            m_index, _, named, value = choice
            found[names[p_index]] = (mentions[m_index].start, value)
            self.evidence += named
            self.request.claim(mentions[m_index].start, mentions[m_index].end)
        return {name: value for name, (_, value) in _in_said_order(found, lambda pair: pair[0]).items()}

    # ---- enums and booleans ------------------------------------------------------------------------

    def _fill_enum(self, name: str, schema: Schema, required: bool) -> Any:
        values = list(schema.enum)
        labels = [str(value) for value in values]
        for value, label in zip(values, labels, strict=True):
            span = self._find_words(identifier_words(label))
            if span is not None:
                self.request.claim(*span)
                self.evidence += 1
                return value
        for value, label in zip(values, labels, strict=True):
            span = next(filter(None, (self._find_words(word.split()) for word in value_synonyms(label))), None)
            if span is not None:
                self.request.claim(*span)
                return value
        spans = self._candidate_spans(max_words=3)
        if spans:
            vectors = self.filler.embedder.embed([" ".join(identifier_words(label)) for label in labels])
            span_vectors = self.filler.embedder.embed([span.text for span in spans])
            similarity = vectors @ span_vectors.T
            top, span_index = np.unravel_index(int(np.argmax(similarity)), similarity.shape)
            if similarity[top, span_index] >= _ENUM_MIN_SIMILARITY:
                matched = spans[int(span_index)]
                self.request.claim(matched.start, matched.end)
                return values[int(top)]
        if not required:
            return None
        return values[self._choose_value(name, schema, labels)]

    def _choose_value(self, name: str, schema: Schema, labels: list[str]) -> int:
        request_vector = self.filler.embedder.embed([self.request.text])[0]
        label_vectors = self.filler.embedder.embed([" ".join(identifier_words(label)) for label in labels])
        scores = label_vectors @ request_vector
        ranked = [int(i) for i in np.argsort(-scores)]
        chooser = self.filler.chooser
        if chooser is not None and len(ranked) > 1:
            question = f"Which {' '.join(identifier_words(name))} does the request ask for?"
            picked = chooser.choose(self.request.text, question, labels, self.cancel)
            if picked is not None:
                return picked
        return ranked[0]

    def _find_words(self, words: Sequence[str]) -> tuple[int, int] | None:
        """The span where ``words`` occur in a row (compared by stem), if it is still free and not
        part of a longer name ("history" is not in "Natural History Museum")."""
        wanted = [stem(word) for word in words if word]
        if not wanted:
            return None
        tokens = [t for t in self.request.tokens if t.is_word]
        for index in range(len(tokens) - len(wanted) + 1):
            window = tokens[index : index + len(wanted)]
            if [stem(t.text) for t in window] != wanted or not self.request.free(window[0].start, window[-1].end):
                continue
            neighbours = tokens[max(index - 1, 1) : index] + tokens[index + len(wanted) : index + len(wanted) + 1]
            if window[0].text[0].isupper() and any(t.text[0].isupper() for t in neighbours):
                continue
            return window[0].start, window[-1].end
        return None

    def _fill_boolean(self, name: str, schema: Schema, required: bool) -> bool | None:
        key = [word for word in identifier_words(name) if word not in _GENERIC_FLAG_WORDS] or identifier_words(name)
        # Most of the flag's words said ("closed" for closed_status; "multi-player" for multiplayer).
        said = [t for t in self.request.tokens if t.is_word]
        mentioned = [next((t for t in said if related_words(word, t.text.replace("-", ""))), None) for word in key]
        found = [t for t in mentioned if t is not None]
        if found and 2 * len(found) >= len(key):
            for token in found:
                self.request.claim(token.start, token.end)
            return not self.request.negated_before(min(t.start for t in found))
        if required:
            return bool(schema.default) if schema.has_default else False
        return None

    # ---- arrays ------------------------------------------------------------------------------------

    def _fill_array(self, name: str, schema: Schema, required: bool) -> list[Any] | None:
        items = schema.items or Schema()
        if items.enum:
            chosen = []
            for value in items.enum:
                span = self._find_words(identifier_words(str(value)))
                if span is not None:
                    chosen.append((span[0], value))
                    self.request.claim(*span)
            return [value for _, value in sorted(chosen, key=lambda pair: pair[0])] or None
        bracket = next(
            (
                match
                for match in re.finditer(r"[\[(]([^\[\]()]*,[^\[\]()]*)[\])]", self.request.text)
                if self.request.free(match.start(), match.end())
            ),
            None,
        )
        if items.type in ("integer", "number"):
            mentions = self._number_list(bracket)
            values = [self._number_value(items, m) for m in mentions]
            if len(mentions) >= 2 and all(v is not None for v in values):
                for mention in mentions:
                    self.request.claim(mention.start, mention.end)
                if bracket:
                    self.request.claim(bracket.start(), bracket.end())
                return values
            return None
        if items.type in ("string", "any"):
            if bracket:
                parts = [part.strip(" '\"") for part in bracket.group(1).split(",")]
                self.request.claim(bracket.start(), bracket.end())
                return [part for part in parts if part]
            listed = _longest_list(self.request.text, [span for span in self._candidate_spans() if span.quoted])
            if len(listed) >= 2:
                for item in listed:
                    self.request.claim(item.start, item.end)
                return [item.text for item in listed]
            holder = Schema(type="object", properties={name: items}, required=(name,) if required else ())
            value = self._fill_entities(holder, [name], as_list=True)
            return split_items(value[name]) if name in value else None
        return None

    def _number_list(self, bracket: re.Match[str] | None) -> list[NumberMention]:
        """The numbers inside ``bracket``, or else the longest free run of numbers said as a list
        ("85, 90, 88 and 92")."""
        free = self._free_numbers()
        if bracket:
            return [m for m in free if bracket.start() <= m.start < bracket.end()]
        runs: list[list[NumberMention]] = []
        for mention in free:
            gap = self.request.text[runs[-1][-1].end : mention.start] if runs else ""
            if runs and re.fullmatch(r"\s*(?:,|and|,\s*and)?\s*", gap):
                runs[-1].append(mention)
            else:
                runs.append([mention])
        return max(runs, key=len, default=[])

    # ---- strings -----------------------------------------------------------------------------------

    def _candidate_spans(self, max_words: int = _MAX_SPAN_WORDS) -> list[_Span]:
        request = self.request
        text = request.text
        spans: dict[tuple[int, int], _Span] = {}
        for match in _QUOTED.finditer(text):
            if request.free(match.start(), match.end()):
                spans[(match.start(1), match.end(1))] = _Span(match.start(1), match.end(1), match.group(1), quoted=True)
        quotes = [(match.start(), match.end()) for match in _QUOTED.finditer(text)]
        # Paths, addresses, codes and formulas ("C:/data/cars.csv", "john@example.com", "x^2") are
        # one value each.
        for start, end in [(m.start(), m.end()) for m in _PATH_LIKE.finditer(text)] + request.formulas:
            if request.free(start, end):
                spans.setdefault((start, end), _Span(start, end, text[start:end], True))
        words = [t for t in request.tokens if t.is_word and request.free(t.start, t.end)]
        # Runs of free words that touch each other in the text (nothing claimed between them).
        runs: list[list[Token]] = []
        for token in words:
            if runs and request.free(runs[-1][-1].end, token.start) and _adjacent(text, runs[-1][-1], token):
                runs[-1].append(token)
            else:
                runs.append([token])
        for run in runs:
            capital_runs = _capitalized_runs(run, words[0] if words else None)
            for first in range(len(run)):
                for last in range(first, min(first + max_words, len(run))):
                    piece = run[first : last + 1]
                    capitalized = (first, last) in capital_runs
                    # "The" capitalised inside a sentence opens a name ("The Weeknd", "The Hague").
                    opens_name = capitalized and piece[0].text == "The" and len(piece) > 1
                    if (piece[0].lower in EDGE_WORDS and not opens_name) or piece[-1].lower in EDGE_WORDS:
                        continue
                    start, end = piece[0].start, piece[-1].end
                    possessive = re.search(r"['’]s$", text[start:end])
                    if possessive:
                        end -= 2
                    # A span that cuts through a quotation is no value ("variable 'Purchase").
                    if any(
                        start < q_end and q_start < end and not q_start <= start < end <= q_end
                        for q_start, q_end in quotes
                    ):
                        continue
                    spans.setdefault((start, end), _Span(start, end, text[start:end], capitalized))
        return list(spans.values())

    def _residual(self, other_names: Sequence[str] = ()) -> _Span | None:
        """The request minus claimed parts and the command frame at its edges: free text such as a
        task title ("add a task to buy milk tomorrow" → "buy milk")."""
        request = self.request
        tokens = [t for t in request.tokens if request.free(t.start, t.end)]
        if not tokens:
            return None
        # Pieces: stretches between claimed values and clause punctuation ("paint the fence, it takes
        # 90 minutes" → "paint the fence" | "it takes").
        pieces: list[list[Token]] = [[tokens[0]]]
        for token in tokens[1:]:
            previous = pieces[-1][-1]
            if request.free(previous.end, token.start) and previous.text not in _CLAUSE_PUNCTUATION:
                pieces[-1].append(token)
            else:
                pieces.append([token])
        frame_stems = self.command_stems | {stem(w) for name in other_names for w in identifier_words(name)}
        first_word = next((t for t in request.tokens if t.is_word), None)
        trimmed = [self._trim(piece, frame_stems, first_word) for piece in pieces]
        piece = max(trimmed, key=lambda p: sum(t.is_word for t in p))
        if not piece:
            return None
        start, end = piece[0].start, piece[-1].end
        said = request.text[start:end]
        heard_as = HOMOPHONE_VERBS.get(piece[0].lower)
        return _Span(start, end, said if heard_as is None else heard_as + said[len(piece[0].text) :])

    @staticmethod
    def _trim(piece: list[Token], frame_stems: set[str], first_word: Token | None) -> list[Token]:
        """Strip the command frame: fillers, words naming the action (each once), and a command
        verb that opens the request ("put pay the bill on my list" → "pay the bill")."""
        stripped: set[str] = set()
        start = 0
        while start < len(piece):
            token = piece[start]
            key = stem(token.text)
            opens_value = start + 1 < len(piece) and piece[start + 1].is_word
            if token.lower in HOMOPHONE_VERBS and opens_value:
                break
            if not token.is_word or token.lower in FRAME_WORDS or token.lower in STOPWORDS - COMMAND_VERBS:
                start += 1
            elif (key in frame_stems and key not in stripped) or (token is first_word and is_command_verb(token.text)):
                stripped.add(key)
                start += 1
            else:
                break
        end = len(piece)
        while end > start:
            token = piece[end - 1]
            key = stem(token.text)
            punctuation = not token.is_word and token.text not in ")\"'"
            if punctuation or token.lower in EDGE_WORDS or token.lower in FRAME_WORDS:
                end -= 1
            elif key in frame_stems and key not in stripped:
                stripped.add(key)
                end -= 1
            else:
                break
        return piece[start:end]

    def _fill_free_text(self, name: str, schema: Schema) -> str | None:
        """Free text (a title, a message) is what the command frame leaves, or what the user quoted,
        or one of the values its description names ("The subject of the sculpture, e.g. horse")."""
        described = self._said_described_value(schema)
        if described is not None:
            return described
        quoted = [span for span in self._candidate_spans() if span.quoted]
        if quoted:
            span = max(quoted, key=lambda q: q.end - q.start)
        else:
            residual = self._residual([other for other in self.parameter_names if other != name])
            if residual is None:
                return None
            span = residual
        self.request.claim(span.start, span.end)
        return span.text

    def _fill_entities(self, schema: Schema, names: list[str], as_list: bool = False) -> dict[str, str]:
        """Short string values (a city, a person, a product) for several parameters at once: each
        span goes to the parameter it fits best, so "from Sydney to Melbourne" fills both ends."""
        spans = self._candidate_spans(_MAX_LIST_WORDS if as_list else _MAX_SPAN_WORDS)
        properties = schema.properties
        scores = {name: self._span_scores(name, properties[name], spans, as_list) if spans else [] for name in names}
        required = [name in schema.required for name in names]
        # How well the request fits the function is judged on its words alone, each span given to
        # the parameter it fits best, before the description's listed values and the joint choice
        # below pick better values: those make the arguments right, not the function.
        fit = _greedy_span_scores(spans, [scores[name] for name in names], required)
        listed = {name: self._said_described_value(properties[name]) for name in names}
        found = {name: value for name, value in listed.items() if value is not None}
        open_names = [name for name in names if name not in found]
        free = [index for index, span in enumerate(spans) if self.request.free(span.start, span.end)]
        free_spans = [spans[index] for index in free]
        free_scores = {name: [scores[name][index] for index in free] for name in open_names}
        assignment = _best_span_assignment(
            free_spans, [free_scores[name] for name in open_names], [name in schema.required for name in open_names]
        )
        chosen: dict[str, _Span] = {}
        for name, index in zip(open_names, assignment, strict=True):
            if index is None:
                continue
            others = [free_spans[i] for n, i in zip(open_names, assignment, strict=True) if i is not None and n != name]
            span = self._maybe_choose(name, properties[name], free_spans, free_scores[name], index, others)
            chosen[name] = span
            self.request.claim(span.start, span.end)
        for name, need, fit_score in zip(names, required, fit, strict=True):
            # A currency by name is evidence like an enum value's, and so is one of the values a
            # description gives as the parameter's (not as examples of it); otherwise the words'
            # own fit counts.
            value = found[name] if name in found else chosen[name].text if name in chosen else None
            if value is not None and currency_code(name, value) != value:
                self.evidence += 1
                continue
            closed_value = name in found and not lists_examples(properties[name].description)
            if not need or closed_value or (name not in found and name not in chosen):
                continue
            # A parameter the words alone left without a span fits as well as its own value's span.
            if fit_score is None and name in chosen:
                fit_score = free_scores[name][free_spans.index(chosen[name])]
            if fit_score is not None:
                self.value_scores.append(fit_score)
        chosen = _listed_pairs_in_order(self.request.text, _in_said_order(chosen, lambda span: span.start))
        values = found | {name: span.text for name, span in chosen.items()}
        return {
            name: with_state(currency_code(name, value), properties[name].description) for name, value in values.items()
        }

    def _names_currency(self, name: str, span: _Span) -> bool:
        """True when ``span`` is a whole currency name for a currency parameter ("dollars" of
        "Canadian dollars" is not)."""
        if currency_code(name, span.text) == span.text:
            return False
        before = [t.text for t in self.request.window(span.start, span.end, before=2, after=0)]
        longer = [" ".join([*before[len(before) - count :], span.text]) for count in range(1, len(before) + 1)]
        return all(currency_code(name, text) == text for text in longer)

    def _said_described_value(self, schema: Schema) -> str | None:
        """A value the parameter's description lists that the user said (by word stems), in the
        description's spelling: "detail" said for "Can be 'summary' or 'detailed'" is "detailed".
        Unlike an enum value it is no evidence that the function fits: such lists are often examples
        ("e.g. mitochondria" fits questions the function does not answer)."""
        for value in described_values(schema.description):
            span = self._find_words([t.text for t in tokenize(value) if t.is_word]) or self._compound_head(value)
            if span is not None:
                self.request.claim(*span)
                return value
        return None

    def _compound_head(self, value: str) -> tuple[int, int] | None:
        """A free word whose first part is the one-word ``value``: "gas-powered" says "gas"."""
        for token in self.request.tokens:
            head, _, rest = token.text.partition("-")
            if rest and stem(head) == stem(value) and self.request.free(token.start, token.end):
                return token.start, token.end
        return None

    def _maybe_choose(
        self, name: str, schema: Schema, spans: list[_Span], scores: list[float], best: int, taken: list[_Span]
    ) -> _Span:
        """The best span, or the LLM's pick when other free spans score about as well."""
        chooser = self.filler.chooser
        if chooser is None:
            return spans[best]
        close = [
            i
            for i in sorted(range(len(spans)), key=lambda i: -scores[i])[:3]
            if scores[best] - scores[i] < _CLOSE_CALL
            and not any(spans[i].start < t.end and t.start < spans[i].end for t in taken)
        ]
        if len(close) < 2:
            return spans[best]
        question = f"What is the {' '.join(identifier_words(name))}?"
        if schema.description:
            question += f" ({schema.description})"
        picked = chooser.choose(self.request.text, question, [spans[i].text for i in close], self.cancel)
        return spans[close[picked]] if picked is not None else spans[best]

    def _cuts_compound(self, span: _Span, naming: set[str]) -> bool:
        """True when a free lower-case content word comes just before the span, only a space between:
        it modifies the span's head noun ("plasma membrane"). A word after is usually the head the value
        qualifies ("ozone level", "rock concerts") and left out."""
        text = self.request.text
        for token in self.request.tokens:
            if (
                text[token.end : span.start] == " "
                and token.is_word
                and token.text.isalpha()
                and token.text.islower()
                and token.lower not in STOPWORDS | EDGE_WORDS | COMMAND_VERBS | _NUMBER_WORDS
                and not _is_quantity_word(token)
                and not _PARTICIPLE.fullmatch(token.text)
                and stem(token.text) not in naming
                and self.request.free(token.start, token.end)
            ):
                return True
        return False

    def _cuts_name(self, span: _Span) -> bool:
        """True when the span's first or last word is capitalised and so is the word just outside it,
        with only a space between (the sentence's first word aside)."""
        tokens = self.request.tokens
        inside = [i for i, t in enumerate(tokens) if t.start < span.end and span.start < t.end and t.is_word]
        if not inside:
            return False
        text = self.request.text
        first, last = tokens[inside[0]], tokens[inside[-1]]
        before = tokens[inside[0] - 1] if inside[0] > 1 else None
        after = tokens[inside[-1] + 1] if inside[-1] + 1 < len(tokens) else None
        joined_before = (
            before is not None and _is_capital(before) and _is_capital(first) and text[before.end : first.start] == " "
        )
        joined_after = (
            after is not None and _is_capital(after) and _is_capital(last) and text[last.end : after.start] == " "
        )
        return joined_before or joined_after

    def _span_scores(self, name: str, schema: Schema, spans: list[_Span], as_list: bool) -> list[float]:
        embedder = self.filler.embedder
        param_vector = embedder.embed([_param_text(name, schema)])[0]
        similarity = embedder.embed([span.text for span in spans]) @ param_vector
        name_words = set(identifier_words(name))
        cue_stems = {stem(word) for word in name_words}
        full_name = len(cue_stems)
        # Examples in a description ("such as oil, acrylic") are values, the rest names the parameter.
        description_head = re.split(
            r"such as|e\.g\.|\beg\b|for example|for instance|\blike\b|i\.e\.|[(:]", schema.description
        )[0]
        naming = cue_stems | self.command_stems | content_stems(description_head)
        # The description's own words for what the parameter is ("the ID of the Single Nucleotide
        # Polymorphism"), its quoted values left out.
        described_as = " ".join(_DESCRIBED_QUOTE.sub(" ", description_head).lower().split())
        prepositions = {word for word, roles in _PREPOSITION_ROLES.items() if roles & name_words}
        wants_code = bool(name_words & _NUMBER_NAME_WORDS or content_stems(description_head) & _CODE_STEMS)
        wants_formula = bool((name_words | {t.lower for t in tokenize(description_head)}) & _FORMULA_WORDS)
        formulas = set(self.request.formulas)
        scores = []
        for span, sim in zip(spans, similarity, strict=True):
            words = [t for t in tokenize(span.text) if t.is_word]
            preceding = self.request.window(span.start, span.end, before=1, after=0)
            before_article = bool(preceding) and preceding[-1].lower in _DETERMINERS
            # "season" in "2019-2020 season" names the parameter, the value is the rest; and a span made
            # only of words naming the parameter or the action ("book" for search_holy_books, "variable"
            # for a target described as "the target variable") is no value.
            edges = {words[0], words[-1]} if words else set()
            if (
                any(stem(t.text) in cue_stems and t.text.islower() for t in words)
                or (len(words) > 1 and any(stem(t.text) in self.name_stems and t.text.islower() for t in edges))
                or all(stem(t.text) in naming and t.text.islower() for t in words)
                or (not span.quoted and all(stem(t.text) in cue_stems for t in words))
                or (not span.quoted and any(t.lower in _QUESTION_WORDS for t in words))
                or (not span.quoted and len(words) > 1 and f" {span.text.lower()} " in f" {described_as} ")
            ):
                scores.append(float("-inf"))
                continue
            score = float(sim)
            # A value is rarely an action ("Find me detailed", "filed against").
            # A capitalised word inside a sentence is a name ("on Switch"), not a verb.
            if words and words[0].lower in COMMAND_VERBS and not span.quoted and not span.capitalized:
                score -= _VERB_PENALTY
            # Nor does it start or end with a participle ("discovered Gravity", "Beyonce performing"), or
            # is one without an article ("numbered", "heated"; "the building" may be a value).
            participle = any(_PARTICIPLE.fullmatch(t.text) for t in edges)
            # A lone "-ing" word is as often a gerund, an activity ("jogging"), as a verb.
            gerund = len(words) == 1 and words[0].lower.endswith("ing")
            if participle and not span.quoted and (len(words) > 1 or not (before_article or gerund)):
                score -= _VERB_PENALTY
            items = split_items(span.text)
            # Items of a list are short and hold no preposition ("John and Alice", not "Alice for rental").
            listed = (
                as_list
                and len(items) > 1
                and all(
                    len(item.split()) <= MAX_ITEM_WORDS and not set(item.lower().split()) & EDGE_WORDS for item in items
                )
            )
            if span.quoted:
                score += 0.3
            # Months and weekdays are capitalised for being dates, not names.
            calendar_word = all(t.lower in CALENDAR_WORDS for t in words)
            # ... and are the values of a parameter named for one ("month", "weekday").
            if calendar_word and name_words & _CALENDAR_NAME_WORDS and not span.quoted:
                score += _CALENDAR_BONUS
            # "Tokyo, Japan" is a city and its country when the function asks them apart.
            two_places = "," in span.text and self._place_parameters > 1
            as_name = span.capitalized and not calendar_word and not two_places
            if as_name or (listed and all(item[0].isupper() for item in items)):
                score += 0.2
            elif not span.quoted and not listed:
                score -= 0.05 * max(0, len(words) - 2)
            if listed:
                score += _LIST_BONUS + _LIST_ITEM_BONUS * (len(items) - 2)
            before = self.request.window(span.start, span.end, before=3, after=0)
            while before and before[-1].lower in _DETERMINERS:
                before = before[:-1]
            if before:
                # "reference sequence 'AGTC'": each word of the parameter's name said just before counts.
                # "medium to oil", "size is 10": one linking word may stand between name and value.
                linked = before[:-1] if len(before) > 1 and before[-1].lower in _LINKING_WORDS else before
                cue_run = 0
                while cue_run < len(linked) and stem(linked[-1 - cue_run].text) in cue_stems:
                    cue_run += 1
                score += _CUE_BONUS * cue_run + _FULL_NAME_BONUS * (cue_run >= full_name > 1)
                if before[-1].lower in prepositions:
                    score += 0.3
            # "red dominant color", "a city view": the parameter's name said right after its value.
            after = self.request.window(span.start, span.end, before=0, after=2)
            cue_run = 0
            while cue_run < len(after) and stem(after[cue_run].text) in cue_stems:
                cue_run += 1
            score += _CUE_BONUS * cue_run + _FULL_NAME_BONUS * (cue_run >= full_name > 1)
            # Part of a longer name ("Francisco" of "San Francisco") is not a value of its own.
            if not span.quoted and self._cuts_name(span):
                score -= _NOT_A_NAME_PENALTY
            # Nor is the head of a compound noun without its modifier ("membrane" of "plasma membrane"),
            # unless the word left out names the parameter or the action.
            plain_words = all(t.text.isalpha() for t in words)
            if not span.quoted and not span.capitalized and plain_words and self._cuts_compound(span, naming):
                score -= _COMPOUND_CUT_PENALTY
            # A unit ("in Celsius") or a bare number is rarely a name, a place or a kind of thing.
            if not name_words & _UNIT_NAME_WORDS and all(t.lower in _UNIT_NAMES for t in words):
                score -= _NOT_A_NAME_PENALTY
            if all(_is_quantity_word(t) for t in words) and not name_words & _NUMBER_NAME_WORDS:
                score -= _NOT_A_NAME_PENALTY
            # Nor are function words or number words ("like", "many", "three" of "three traits").
            if not span.quoted and all(t.lower in STOPWORDS or t.lower in _NUMBER_WORDS for t in words):
                score -= _NOT_A_NAME_PENALTY
            # One value is one thing: "celsius and humidity level" is two, unless a name ("Procter and
            # Gamble") or a list.
            if not span.quoted and not listed and not span.capitalized and len(items) > 1 and not as_list:
                score -= _NOT_A_NAME_PENALTY
            content = [t for t in words if t.lower not in EDGE_WORDS]
            # Words that name the action or the parameter are rarely its value; inside a name they
            # are ("Hilton Hotel" for a hotel name, "Premier League" for a league).
            if content:
                named_stems = [stem(t.text) for t in content if stem(t.text) in self.command_stems | cue_stems]
                in_name = span.capitalized and len(named_stems) < len(content)
                named = sum(not (in_name and word in cue_stems) for word in named_stems)
                score -= 0.5 * named / len(content)
            # An identifier, code or period ("rs6034464", "2022/AL2562", "B1004", "2022-2023") for a
            # parameter named or described as one.
            if wants_code and any(any(c.isdigit() for c in t.text) for t in words):
                score += _CODE_BONUS
            # A formula for a parameter that takes one, a currency by name for a currency.
            if (wants_formula and (span.start, span.end) in formulas) or self._names_currency(name, span):
                score += _CODE_BONUS
            scores.append(score)
        return scores


_UNIT_NAME_STEMS = frozenset(stem(word) for word in _UNIT_NAMES | {"hour", "day", "week", "month", "year"})


_MEASURE = re.compile(r"\d+(?:\.\d+)?(?P<unit>[a-zµ°Ω]+)", re.I)


def _is_quantity_word(token: Token) -> bool:
    """A number, a measure ("1kg") or a unit said after a number ("hour" of "24 hour")."""
    measure = _MEASURE.fullmatch(token.text)
    unit = measure is not None and measure.group("unit").lower() in UNIT_WORDS
    return token.text.isdigit() or unit or stem(token.text) in _UNIT_NAME_STEMS


def _unnumbered_words(name: str) -> list[str]:
    """``year2`` → ["year"]: a numbered sibling's words."""
    return identifier_words(re.sub(r"\d+", "_", name))


def _is_capital(token: Token) -> bool:
    return token.is_word and token.text[0].isupper()


# Small words inside a name ("Bank of America", "R vs Adams").
_NAME_JOINERS = frozenset({"of", "the", "de", "vs", "v", "versus"})


def _capitalized_runs(run: list[Token], sentence_start: Token | None) -> set[tuple[int, int]]:
    """(first, last) indexes of maximal runs of capitalised words ("New York City", "BRCA1"); a
    capitalised first word of the sentence alone does not count."""

    def capital(token: Token) -> bool:
        return token.text[0].isupper() or (token.text[0].isdigit() and any(c.isalpha() for c in token.text))

    found: set[tuple[int, int]] = set()
    index = 0
    while index < len(run):
        if not capital(run[index]) or (
            run[index] is sentence_start and not (index + 1 < len(run) and capital(run[index + 1]))
        ):
            index += 1
            continue
        last = index
        while last + 1 < len(run) and (
            capital(run[last + 1])
            or (run[last + 1].lower in _NAME_JOINERS and last + 2 < len(run) and capital(run[last + 2]))
        ):
            last += 1
        first = index + 1 if run[index] is sentence_start else index
        found.add((first, last))
        index = last + 1
    return found


def _adjacent(text: str, left: Token, right: Token) -> bool:
    """True when only spaces, hyphens, apostrophes or commas separate two words, or the dot of a
    title ("Mr. X")."""
    gap = text[left.end : right.start]
    return bool(re.fullmatch(r"[\s\-'’,&]*", gap)) or (left.lower in _TITLES and gap == ". ")


_Choice = tuple[int, float, bool, Any]


def _best_assignment(options: list[list[_Choice]], required: list[bool]) -> list[_Choice | None]:
    """One choice (mention index, fit, ...) or none per parameter, no mention twice, maximising the
    fits plus a bonus per pair of parameters whose mentions keep the declared order. Exhaustive
    while small, greedy by fit beyond."""
    best: list[_Choice | None] = [None] * len(options)
    best_score = float("-inf")
    budget = [_ASSIGNMENT_BUDGET]

    def total(chosen: list[_Choice | None]) -> float:
        picked = [(index, choice) for index, choice in enumerate(chosen) if choice is not None]
        score = sum(choice[1] for _, choice in picked)
        score -= _MISSING_REQUIRED * sum(choice is None and need for choice, need in zip(chosen, required, strict=True))
        score += _ORDER_BONUS * sum(
            first[1][0] < second[1][0] for i, first in enumerate(picked) for second in picked[i + 1 :]
        )
        return score

    def search(index: int, chosen: list[_Choice | None], used: set[int]) -> None:
        nonlocal best, best_score
        budget[0] -= 1
        if index == len(options):
            score = total(chosen)
            if score > best_score:
                best, best_score = list(chosen), score
            return
        for choice in options[index]:
            if choice[0] not in used and budget[0] > 0:
                search(index + 1, [*chosen, choice], used | {choice[0]})
        search(index + 1, [*chosen, None], used)

    search(0, [], set())
    if budget[0] > 0:
        return best
    greedy: list[_Choice | None] = [None] * len(options)
    used: set[int] = set()
    ranked = sorted(((c[1], p, c) for p, choices in enumerate(options) for c in choices), key=lambda e: -e[0])
    for _, p_index, choice in ranked:
        if greedy[p_index] is None and choice[0] not in used:
            greedy[p_index] = choice
            used.add(choice[0])
    return greedy


def _greedy_span_scores(
    spans: Sequence[_Span], scores: Sequence[Sequence[float]], required: Sequence[bool]
) -> list[float | None]:
    """Per parameter, the score of the span it gets when the best-fitting (span, parameter) pairs
    are taken first, spans not overlapping; None where it gets none."""
    ranked = sorted(
        ((score, position, index) for position, row in enumerate(scores) for index, score in enumerate(row)),
        key=lambda entry: -entry[0],
    )
    got: list[float | None] = [None] * len(scores)
    taken: list[_Span] = []
    for score, position, index in ranked:
        span = spans[index]
        if got[position] is not None or any(span.start < t.end and t.start < span.end for t in taken):
            continue
        if score == float("-inf") or (not required[position] and score < _OPTIONAL_STRING_MIN_SCORE):
            continue
        got[position] = score
        taken.append(span)
    return got


# Spans each parameter considers in the joint assignment: fewer when there are many parameters, to
# keep the search small ((choices + 1) ** parameters).
_SPAN_CHOICES = 4
_MANY_PARAMETERS = 5
_SPAN_CHOICES_WHEN_MANY = 2


def _best_span_assignment(
    spans: Sequence[_Span], scores: Sequence[Sequence[float]], required: Sequence[bool]
) -> list[int | None]:
    """A span index or none per parameter, spans not overlapping, maximising the total score: the
    hotel's name and its city are chosen together, so the city's preposition ("at the Hilton")
    does not make the hotel the location and leave the name a bad span. Each parameter considers
    its few best spans; an optional one only spans scoring at least the optional minimum."""
    choices = _SPAN_CHOICES if len(scores) <= _MANY_PARAMETERS else _SPAN_CHOICES_WHEN_MANY
    options = [
        [
            index
            for index in sorted(range(len(spans)), key=lambda i: -row[i])[:choices]
            if row[index] > float("-inf") and (need or row[index] >= _OPTIONAL_STRING_MIN_SCORE)
        ]
        for row, need in zip(scores, required, strict=True)
    ]
    best: list[int | None] = [None] * len(options)
    best_total = float("-inf")

    def search(position: int, chosen: list[int | None], total: float) -> None:
        nonlocal best, best_total
        if position == len(options):
            if total > best_total:
                best, best_total = list(chosen), total
            return
        for index in options[position]:
            span = spans[index]
            if not any(i is not None and span.start < spans[i].end and spans[i].start < span.end for i in chosen):
                search(position + 1, [*chosen, index], total + scores[position][index])
        search(position + 1, [*chosen, None], total - _MISSING_REQUIRED * required[position])

    search(0, [], 0.0)
    return best


def _in_said_order(found: dict[str, _Value], position: Callable[[_Value], int]) -> dict[str, _Value]:
    """Numbered siblings (``company1``, ``company2``) take their values in the order they were said."""
    groups: dict[str, list[str]] = {}
    for name in found:
        if re.search(r"\d", name):
            groups.setdefault(re.sub(r"\d+", "#", name), []).append(name)
    result = dict(found)
    for siblings in groups.values():
        ordered = sorted(siblings, key=lambda name: [int(n) for n in re.findall(r"\d+", name)])
        values = sorted((found[name] for name in siblings), key=position)
        result.update(zip(ordered, values, strict=True))
    return result


def _role(name: str) -> tuple[str, int] | None:
    """("city", 0) for start_city, ("city", 1) for end_city: the pair a parameter belongs to and
    which end of it it is; None for other names."""
    words = identifier_words(name)
    for index, word in enumerate(words):
        for rank, roles in enumerate((_FIRST_ROLES, _SECOND_ROLES)):
            if word in roles:
                return " ".join(words[:index] + words[index + 1 :]), rank
    return None


def _listed_pairs_in_order(text: str, chosen: dict[str, _Span]) -> dict[str, _Span]:
    """A start and an end said as a list ("between New York and Los Angeles") come in that order."""
    result = dict(chosen)
    roles = {name: _role(name) for name in chosen}
    for name, role in roles.items():
        if role is None or role[1] != 0:
            continue
        partner = next((other for other, r in roles.items() if r == (role[0], 1)), None)
        if partner is None:
            continue
        first, second = sorted((chosen[name], chosen[partner]), key=lambda span: span.start)
        if _LIST_GAP.fullmatch(text[first.end : second.start]):
            result[name], result[partner] = first, second
    return result


def _unit_words(mention: NumberMention) -> list[str]:
    if not mention.unit:
        return []
    words = [mention.unit, *UNIT_WORDS.get(mention.unit, "").split()]
    return words + unit_kinds(words)


def _longest_list(text: str, spans: Sequence[_Span]) -> list[_Span]:
    """The longest run of spans said as one list: only commas, "and" or "or" between them."""
    runs: list[list[_Span]] = []
    for span in sorted(spans, key=lambda span: span.start):
        gap = text[runs[-1][-1].end : span.start] if runs else ""
        if runs and _LIST_GAP.fullmatch(gap):
            runs[-1].append(span)
        else:
            runs.append([span])
    return max(runs, key=len, default=[])


def split_items(value: str) -> list[str]:
    """ "milk, eggs and bread" → ["milk", "eggs", "bread"]."""
    parts = re.split(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+", value)
    return [re.sub(r"^(?:the|a|an)\s+", "", part.strip(), flags=re.I) for part in parts if part.strip()]
