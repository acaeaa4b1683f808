"""Numbers mentioned in a request, in digits or words, with where they are and the unit after them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from openlive.engine.tools.text import STOPWORDS, Token, tokenize

_UNITS = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
_FRACTIONS = {"half": 0.5, "quarter": 0.25}
# Every word that says a number on its own.
NUMBER_WORDS = frozenset(_UNITS) | frozenset(_TENS) | frozenset(_SCALES) | frozenset(_ORDINALS)
# Not "a": "20 miles a day" is a rate, not one day.
_ONE_OF = frozenset({"every", "each", "next"})
_TIME_UNITS = frozenset({"second", "minute", "hour", "day", "week", "month", "year"})
_DIGITS = re.compile(
    r"(?<![\w.^])(?P<sign>(?<![\d)])[-−])?(?P<currency>[$€£¥])?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d*\.\d+(?:e[-+]?\d+)?|\d+(?:e[-+]?\d+)?)"
    r"(?P<suffix>st|nd|rd|th|%|[a-zµ°Ω]+(?:/[a-z]+)?)?(?![\w])",
    re.IGNORECASE,
)
# Unit abbreviations as words, so "50km" meets a parameter described "in kilometers".
UNIT_WORDS = {
    "km": "kilometers", "m": "meters", "cm": "centimeters", "mm": "millimeters", "kg": "kilograms",
    "g": "grams", "mg": "milligrams", "lb": "pounds", "lbs": "pounds", "oz": "ounces", "ft": "feet",
    "in": "inches", "mi": "miles", "s": "seconds", "sec": "seconds", "secs": "seconds", "min": "minutes",
    "mins": "minutes", "h": "hours", "hr": "hours", "hrs": "hours", "hz": "hertz", "khz": "kilohertz",
    "mph": "miles per hour", "kph": "kilometers per hour", "l": "liters", "ml": "milliliters",
    "°c": "degrees celsius", "°f": "degrees fahrenheit", "k": "kelvin", "w": "watts", "kw": "kilowatts",
    "v": "volts", "a": "amperes", "j": "joules", "n": "newtons", "pa": "pascals", "kpa": "kilopascals",
    "$": "dollars", "usd": "dollars", "€": "euros", "eur": "euros", "£": "pounds",
}  # fmt: skip
# What a unit measures, so "300 K" meets a parameter named temperature and "2 moles" a quantity.
_UNIT_KINDS = {
    "kelvin": "temperature", "celsius": "temperature", "fahrenheit": "temperature",
    "meters": "distance length", "kilometers": "distance length", "centimeters": "length",
    "millimeters": "length", "miles": "distance", "feet": "length height", "inches": "length",
    "seconds": "time duration", "minutes": "time duration", "hours": "time duration",
    "kilograms": "mass weight", "grams": "mass weight", "milligrams": "mass", "pounds": "weight mass",
    "ounces": "weight", "moles": "quantity amount", "mol": "quantity amount", "liters": "volume",
    "milliliters": "volume", "watts": "power", "kilowatts": "power", "volts": "voltage",
    "amperes": "current", "joules": "energy", "newtons": "force", "pascals": "pressure",
    "kilopascals": "pressure", "hertz": "frequency", "kilohertz": "frequency",
}  # fmt: skip


def unit_kinds(unit_words: list[str]) -> list[str]:
    """The quantities that ``unit_words`` ("k", "kelvin") measure."""
    return [kind for word in unit_words for kind in _UNIT_KINDS.get(word, "").split()]


# Words naming a quantity of one dimension, as parameter names use them.
_DIMENSIONS = {
    "length": "distance length height width depth radius diameter altitude elevation thickness",
    "mass": "mass weight",
    "time": "time duration",
    "temperature": "temperature",
    "volume": "volume",
}
_DIMENSION_OF_WORD = {word: dimension for dimension, words in _DIMENSIONS.items() for word in words.split()}


def unit_conflicts(unit_words: list[str], parameter_words: list[str]) -> bool:
    """True when a number's unit measures one dimension and the parameter's name another ("10 meters"
    for a weight)."""
    said = {_DIMENSION_OF_WORD.get(kind) for kind in unit_kinds(unit_words)} - {None}
    wanted = {_DIMENSION_OF_WORD.get(word) for word in parameter_words} - {None}
    return bool(said) and bool(wanted) and not said & wanted


_SUFFIX_SCALE = {"k": 1_000, "m": 1_000_000, "bn": 1_000_000_000}

# SI units by symbol, with the start of their name as a description writes it ("in henries (H)").
_SI_UNITS = {
    "F": "farad", "H": "henr", "Ω": "ohm", "A": "amp", "V": "volt", "s": "second", "m": "met", "g": "gram",
    "W": "watt", "Hz": "hertz", "J": "joule", "N": "newton", "Pa": "pascal", "L": "lit", "mol": "mol",
}  # fmt: skip
_SI_PREFIXES = {
    "p": ("pico", -12), "n": ("nano", -9), "µ": ("micro", -6), "μ": ("micro", -6), "u": ("micro", -6),
    "m": ("milli", -3), "c": ("centi", -2), "k": ("kilo", 3), "M": ("mega", 6), "G": ("giga", 9),
}  # fmt: skip
_SI_QUANTITY = re.compile(
    rf"[\d.]+\s*(?P<prefix>[{''.join(_SI_PREFIXES)}])(?P<unit>{'|'.join(sorted(_SI_UNITS, key=len, reverse=True))})"
)


def in_base_unit(value: float, said: str, description: str) -> float:
    """A prefixed quantity ("100µF", "50mH") in the base unit a parameter's description asks for ("in
    farads"); unchanged when it asks for the prefixed unit or names no unit."""
    match = _SI_QUANTITY.fullmatch(said.strip())
    if match is None:
        return value
    prefix_name, exponent = _SI_PREFIXES[match.group("prefix")]
    base_name = _SI_UNITS[match.group("unit")]
    described = description.lower()
    if re.search(rf"\b{base_name}", described) is None or f"{prefix_name}{base_name}" in described:
        return value
    # Dividing by an exact power of ten keeps 100µF at 0.0001, not 9.999999999999999e-05.
    return value * 10.0**exponent if exponent > 0 else value / 10.0**-exponent


@dataclass(frozen=True)
class NumberMention:
    value: float
    start: int
    end: int
    # The word right after the number ("degrees", "kg", "%"), lower case; "" if none.
    unit: str
    ordinal: bool = False
    percent: bool = False
    # Written as a word ("two"): often a count of things ("two numbers: 40 and 50"), not a value.
    spelled: bool = False

    @property
    def is_integral(self) -> bool:
        return float(self.value).is_integer()


def _word_value(words: list[str]) -> float | None:
    """Value of a run of number words such as "two hundred and five"; None if not a number."""
    total, current, seen = 0.0, 0.0, False
    for word in words:
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = (current or 1) * 100
        elif word in _SCALES:
            total += (current or 1) * _SCALES[word]
            current = 0
        elif word == "and" and seen:
            continue
        else:
            return None
        seen = True
    return total + current if seen else None


def _unit_after(tokens: list[Token], index: int) -> str:
    if index < len(tokens):
        token = tokens[index]
        if token.text in "%°" or (token.is_word and token.lower not in STOPWORDS):
            return token.lower
    return ""


def find_numbers(text: str) -> list[NumberMention]:
    found: list[NumberMention] = []
    tokens = tokenize(text)
    covered: set[int] = set()
    for match in _DIGITS.finditer(text):
        raw = match.group("num").replace(",", "")
        value = float(raw)
        suffix = (match.group("suffix") or "").lower()
        if match.group("sign"):
            value = -value
        ordinal = suffix in ("st", "nd", "rd", "th")
        # "$1.2M" is a scale; "5000m" and "298K" are units.
        if match.group("currency") and suffix in _SUFFIX_SCALE:
            value *= _SUFFIX_SCALE[suffix]
            suffix = ""
        end = match.end()
        after = [t for t in tokens if t.start >= end]
        if suffix == "%":
            unit = "%"
        elif suffix and not ordinal:
            unit = suffix
        else:
            unit = _unit_after(after, 0)
        if unit in _SCALES:
            value *= _SCALES[unit]
            end = after[0].end
            unit = _unit_after(after, 1)
        found.append(NumberMention(value, match.start(), end, unit, ordinal, suffix == "%" or unit == "percent"))
        covered.update(range(match.start(), end))

    index = 0
    while index < len(tokens):
        token = tokens[index]
        word = token.lower
        if token.start in covered:
            index += 1
            continue
        # "second" is far more often the time unit than the ordinal.
        if word in _ORDINALS and not (word == "second" and (index == 0 or tokens[index - 1].lower != "the")):
            unit = _unit_after(tokens, index + 1)
            found.append(NumberMention(_ORDINALS[word], token.start, token.end, unit, ordinal=True, spelled=True))
            index += 1
            continue
        # "every hour", "for the next month": one of the unit, said without a number.
        if word in _ONE_OF and index + 1 < len(tokens) and tokens[index + 1].lower in _TIME_UNITS:
            found.append(NumberMention(1, token.start, token.end, tokens[index + 1].lower, spelled=True))
            index += 1
            continue
        if word in ("a", "an") and index + 1 < len(tokens) and tokens[index + 1].lower in _FRACTIONS:
            fraction = tokens[index + 1]
            unit = _unit_after(tokens, index + 2)
            found.append(NumberMention(_FRACTIONS[fraction.lower], token.start, fraction.end, unit, spelled=True))
            index += 2
            continue
        run_end = index
        while run_end < len(tokens) and (
            tokens[run_end].lower in _UNITS
            or tokens[run_end].lower in _TENS
            or tokens[run_end].lower in _SCALES
            or (tokens[run_end].lower == "and" and run_end > index)
            or (tokens[run_end].text == "-" and run_end > index)
        ):
            run_end += 1
        while run_end > index and tokens[run_end - 1].lower in ("and", "-"):
            run_end -= 1
        words = [t.lower for t in tokens[index:run_end] if t.text != "-"]
        word_value = _word_value(words) if run_end > index else None
        # "one" alone is usually a pronoun ("the blue one"), so it counts only before a unit word.
        if word_value is not None and not (words == ["one"] and not _unit_after(tokens, run_end)):
            unit = _unit_after(tokens, run_end)
            percent = unit == "percent"
            found.append(
                NumberMention(word_value, token.start, tokens[run_end - 1].end, unit, percent=percent, spelled=True)
            )
            index = run_end
            continue
        index += 1
    return sorted(found, key=lambda mention: mention.start)
