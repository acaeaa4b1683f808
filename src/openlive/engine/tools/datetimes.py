"""Dates and times in a request ("tomorrow at five pm", "next Monday", "in two hours",
"June 20, 2023", "2026-03-01T09:00"), resolved against the current time.

Conventions, chosen to match what people mean most of the time: a bare weekday or "next <weekday>"
is the first such day after today; "this <weekday>" may be today; a time with no date is its next
occurrence; "at 5" without am/pm is the next 5 o'clock (5:00 or 17:00) from now, or 17:00 on
another day; parts of the day are morning 9:00, afternoon 15:00, evening 18:00, tonight/night 20:00.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

_SMALL = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "forty five": 45, "fifty": 50, "a": 1, "an": 1, "a couple of": 2, "a few": 3,
}  # fmt: skip
_ORDINAL_DAYS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "twenty first": 21, "twenty second": 22, "twenty third": 23, "twenty fourth": 24,
    "twenty fifth": 25, "twenty sixth": 26, "twenty seventh": 27, "twenty eighth": 28,
    "twenty ninth": 29, "thirtieth": 30, "thirty first": 31,
}  # fmt: skip
_MINUTE_WORDS = {
    "oh five": 5, "ten": 10, "fifteen": 15, "twenty": 20, "twenty five": 25, "thirty": 30,
    "thirty five": 35, "forty": 40, "forty five": 45, "fifty": 50, "fifty five": 55,
}  # fmt: skip
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTHS["sept"] = 9
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
# Month and weekday names, lower case.
CALENDAR_WORDS = frozenset(_MONTHS) | frozenset(_WEEKDAYS)
_DAY_PARTS = {"morning": 9, "afternoon": 15, "evening": 18, "night": 20, "tonight": 20}
_UNIT_DAYS = {"day": 1, "week": 7, "fortnight": 14}


def _alternatives(words: Iterable[object]) -> str:
    return "|".join(sorted((re.escape(str(w)) for w in words), key=len, reverse=True))


_HOUR_WORD = _alternatives([w for w, v in _SMALL.items() if 1 <= v <= 12 and w not in ("a", "an")])
_COUNT = rf"(?:\d+(?:\.\d+)?|{_alternatives(_SMALL)})"
_MONTH = rf"(?:{_alternatives(_MONTHS)})\.?"
_WEEKDAY = rf"(?:{_alternatives(_WEEKDAYS)})s?"
_DAY_NUM = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|{_alternatives(_ORDINAL_DAYS)})"
_MERIDIEM = r"(?:a\.?m\.?|p\.?m\.?)"
_LEAD = r"(?:\b(?:on|at|by|for|due|until|till|before|around|from)\s+)?"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "iso",
        re.compile(
            r"(?P<y>\d{4})(?P<sep>[-/])(?P<mo>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
            r"(?:[t ](?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?)?(?:z|[+-]\d{2}:?\d{2})?"
        ),
    ),
    ("slash", re.compile(r"(?<![\d/])(?P<mo>\d{1,2})/(?P<d>\d{1,2})(?:/(?P<y>\d{2,4}))?(?![\d/])")),
    (
        "month_day",
        re.compile(rf"\b(?P<mo>{_MONTH})\s*(?:the\s+)?(?P<d>{_DAY_NUM})\b(?:(?:\s*,\s*|\s+)(?P<y>\d{{4}})\b)?"),
    ),
    (
        "day_month",
        re.compile(rf"\b(?:the\s+)?(?P<d>{_DAY_NUM})\s+(?:of\s+)?(?P<mo>{_MONTH})(?:(?:\s*,\s*|\s+)(?P<y>\d{{4}}))?\b"),
    ),
    ("month_year", re.compile(rf"\b(?P<mo>{_MONTH})\s+(?P<y>\d{{4}})\b")),
    ("relative_day", re.compile(r"\b(?:the\s+)?(?P<rel>day after tomorrow|today|tomorrow|yesterday|tonight)\b")),
    ("weekday", re.compile(rf"\b(?:(?P<which>this|next|coming|this coming)\s+)?(?P<wd>{_WEEKDAY})\b")),
    ("period", re.compile(r"\b(?P<which>next|this)\s+(?P<unit>week|month|year|weekend)\b|\b(?:the\s+)?weekend\b")),
    (
        "offset",
        re.compile(
            rf"\b(?:in\s+(?P<n1>{_COUNT}|half an?)\s+(?P<u1>minute|min|hour|hr|day|week|fortnight|month)s?"
            rf"|(?P<n2>{_COUNT})\s+(?P<u2>minute|min|hour|hr|day|week|month)s?\s+from\s+now)\b"
        ),
    ),
    # "3.30 p.m." as well as "3:30 pm": with am/pm said, a dot cannot be a decimal point.
    ("clock", re.compile(rf"\b(?P<h>\d{{1,2}})(?:[:.](?P<mi>\d{{2}}))?\s*(?P<mer>{_MERIDIEM}|o'?clock)(?!\w)")),
    ("clock24", re.compile(r"\b(?P<h>[01]?\d|2[0-3]):(?P<mi>[0-5]\d)\b")),
    (
        "clock_words",
        re.compile(
            rf"\b(?P<h>{_HOUR_WORD})(?:\s+(?P<mi>{_alternatives(_MINUTE_WORDS)}))?\s*(?P<mer>{_MERIDIEM}|o'?clock)(?!\w)"
        ),
    ),
    (
        "at_hour",
        re.compile(
            rf"\b(?:at|by|around)\s+(?P<h>\d{{1,2}}|{_HOUR_WORD})(?:\s+(?P<mi>{_alternatives(_MINUTE_WORDS)}))?\b(?!\s*(?:%|percent|degrees?|:))"
        ),
    ),
    ("named_time", re.compile(r"\b(?:at\s+)?(?P<name>noon|midday|midnight)\b")),
    ("day_part", re.compile(r"\b(?:(?:in the|this|at)\s+)?(?P<part>morning|afternoon|evening|night)\b")),
]


@dataclass(frozen=True)
class DateTimeMention:
    start: int
    end: int
    day: date | None
    clock: time | None
    # Said to the month only ("next month", "April 2022"): ``day`` is the 1st or a month from today.
    month_only: bool = False


@dataclass
class _Part:
    start: int
    end: int
    date: date | None = None
    time: time | None = None
    # True when the time still needs am/pm resolving once the date is known.
    ambiguous_hour: bool = False
    # A part of the day ("tonight", "morning"): an explicit clock time next to it wins.
    soft_time: bool = False
    month_only: bool = False


def _count(word: str) -> float:
    word = word.strip()
    if word.startswith("half"):
        return 0.5
    try:
        return float(word)
    except ValueError:
        return float(_SMALL[word])


def _day_number(text: str) -> int:
    text = text.strip()
    return _ORDINAL_DAYS[text] if text in _ORDINAL_DAYS else int(re.sub(r"\D", "", text))


def _hour_value(text: str) -> int:
    return int(text) if text.isdigit() else _SMALL[text]


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _upcoming(now: datetime, month: int, day: int) -> date | None:
    candidate = _safe_date(now.year, month, day)
    if candidate is not None and candidate < now.date():
        candidate = _safe_date(now.year + 1, month, day)
    return candidate


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _part(kind: str, match: re.Match[str], now: datetime) -> _Part | None:
    g = match.groupdict()
    today = now.date()
    part = _Part(match.start(), match.end())
    if kind == "iso":
        part.date = _safe_date(int(g["y"]), int(g["mo"]), int(g["d"]))
        if g["h"] is not None:
            part.time = time(int(g["h"]) % 24, int(g["mi"]), int(g["s"] or 0))
    elif kind == "slash":
        year = int(g["y"]) if g["y"] else None
        if year is not None and year < 100:
            year += 2000
        month, day = int(g["mo"]), int(g["d"])
        part.date = _safe_date(year, month, day) if year else _upcoming(now, month, day)
    elif kind in ("month_day", "day_month"):
        month = _MONTHS[g["mo"].rstrip(".")]
        day = _day_number(g["d"])
        part.date = _safe_date(int(g["y"]), month, day) if g["y"] else _upcoming(now, month, day)
    elif kind == "month_year":
        part.date = _safe_date(int(g["y"]), _MONTHS[g["mo"].rstrip(".")], 1)
        part.month_only = True
    elif kind == "relative_day":
        relative = g["rel"]
        offset = {"today": 0, "tonight": 0, "tomorrow": 1, "yesterday": -1, "day after tomorrow": 2}[relative]
        part.date = today + timedelta(days=offset)
        if relative == "tonight":
            part.time, part.soft_time = time(_DAY_PARTS["tonight"]), True
    elif kind == "weekday":
        weekday = _WEEKDAYS[g["wd"].rstrip("s")] if g["wd"].rstrip("s") in _WEEKDAYS else _WEEKDAYS[g["wd"]]
        ahead = (weekday - today.weekday()) % 7
        if ahead == 0 and g["which"] not in ("this",):
            ahead = 7
        part.date = today + timedelta(days=ahead)
    elif kind == "period":
        unit = g["unit"] or "weekend"
        if unit == "weekend":
            part.date = today + timedelta(days=(5 - today.weekday()) % 7)
        elif g["which"] == "this":
            return None
        elif unit == "week":
            part.date = today + timedelta(days=7)
        elif unit == "month":
            part.date = _add_months(today, 1)
            part.month_only = True
        else:
            part.date = _add_months(today, 12)
    elif kind == "offset":
        amount = _count(g["n1"] or g["n2"])
        unit = (g["u1"] or g["u2"]).rstrip("s")
        if unit in ("minute", "min", "hour", "hr"):
            delta = timedelta(minutes=amount) if unit.startswith("min") else timedelta(hours=amount)
            moment = now + delta
            part.date, part.time = moment.date(), moment.time().replace(second=0, microsecond=0, tzinfo=None)
        elif unit == "month":
            part.date = _add_months(today, round(amount))
        else:
            part.date = today + timedelta(days=round(amount * _UNIT_DAYS[unit]))
    elif kind in ("clock", "clock24", "clock_words", "at_hour"):
        hour = _hour_value(g["h"])
        minute_text = g.get("mi")
        minute = 0
        if minute_text:
            minute = int(minute_text) if minute_text.isdigit() else _MINUTE_WORDS[minute_text]
        meridiem = (g.get("mer") or "").replace(".", "")
        if hour > 23 or minute > 59:
            return None
        if meridiem.startswith("p") and hour < 12:
            hour += 12
        elif meridiem.startswith("a") and hour == 12:
            hour = 0
        part.ambiguous_hour = kind == "at_hour" and 1 <= hour <= 12
        part.time = time(hour, minute)
    elif kind == "named_time":
        part.time = time(0) if g["name"] == "midnight" else time(12)
    elif kind == "day_part":
        part.time, part.soft_time = time(_DAY_PARTS[g["part"]]), True
    if part.date is None and part.time is None:
        return None
    return part


def _merge(into: _Part, part: _Part) -> None:
    into.end = part.end
    into.date = into.date or part.date
    if into.time is None or part.time is None:
        timed = into if into.time is not None else part
        into.time, into.soft_time, into.ambiguous_hour = timed.time, timed.soft_time, timed.ambiguous_hour
        return
    hard, soft = (part, into) if into.soft_time else (into, part)
    assert hard.time is not None and soft.time is not None
    moment = hard.time
    if hard.ambiguous_hour and soft.time.hour >= 12 and moment.hour < 12:
        moment = moment.replace(hour=moment.hour + 12)
    # The part of the day has settled am/pm.
    into.time, into.soft_time, into.ambiguous_hour = moment, False, False


_JOINER = re.compile(r"^(?:\s|,|at|on|in the|in|the|of|by|around|from)*$")


def find_datetimes(text: str, now: datetime) -> list[DateTimeMention]:
    """Date/time mentions in ``text``; adjacent date and time parts merge into one mention.

    A mention's span includes a leading "on"/"at"/"by"/"due" so that the words left for other
    arguments do not keep a dangling preposition.
    """
    lowered = text.lower()
    parts: list[_Part] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(lowered):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            part = _part(kind, match, now)
            if part is not None:
                parts.append(part)
                taken.append((match.start(), match.end()))
    parts.sort(key=lambda p: p.start)

    merged: list[_Part] = []
    for part in parts:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and _JOINER.match(lowered[previous.end : part.start])
            and not (previous.date and part.date)
            and not (previous.time and part.time and not (previous.soft_time or part.soft_time))
        ):
            _merge(previous, part)
        else:
            merged.append(part)

    mentions = []
    for part in merged:
        day, moment = part.date, part.time
        if moment is not None and part.ambiguous_hour and moment.hour < 12:
            if day is None or day == now.date():
                if (moment.hour, moment.minute) <= (now.hour, now.minute) and moment.hour + 12 < 24:
                    moment = moment.replace(hour=moment.hour + 12)
            elif moment.hour <= 6:
                moment = moment.replace(hour=moment.hour + 12)
        if moment is not None and day is None:
            day = now.date()
            if (moment.hour, moment.minute) <= (now.hour, now.minute):
                day += timedelta(days=1)
        lead = re.search(rf"{_LEAD}$", lowered[: part.start])
        start = lead.start() if lead and lead.group() else part.start
        mentions.append(DateTimeMention(start, part.end, day, moment, part.month_only and moment is None))
    return mentions
