"""Dates, times and numbers found in requests, against a fixed now."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from openlive.engine.tools.arguments import find_formulas, format_datetime, split_items
from openlive.engine.tools.datetimes import find_datetimes
from openlive.engine.tools.numbers import find_numbers
from openlive.engine.tools.schema import Schema

# A Tuesday morning, one hour east of UTC.
NOW = datetime(2026, 3, 10, 9, 30, tzinfo=timezone(timedelta(hours=1)))


@pytest.mark.parametrize(
    ("text", "span", "day", "clock"),
    [
        ("add a task to buy milk tomorrow at five pm", "tomorrow at five pm", date(2026, 3, 11), time(17)),
        ("remind me on sunday morning", "on sunday morning", date(2026, 3, 15), time(9)),
        ("next Monday", "next Monday", date(2026, 3, 16), None),
        ("call me in two hours", "in two hours", date(2026, 3, 10), time(11, 30)),
        ("in 3 days", "in 3 days", date(2026, 3, 13), None),
        ("museum hours for Jun.20,2023", "for Jun.20,2023", date(2023, 6, 20), None),
        ("starts 2026-04-02T17:45", "2026-04-02T17:45", date(2026, 4, 2), time(17, 45)),
        ("at 5", "at 5", date(2026, 3, 10), time(17)),
        ("at 9 tonight", "at 9 tonight", date(2026, 3, 10), time(21)),
        ("at 8 in the morning", "at 8 in the morning", date(2026, 3, 11), time(8)),
        ("by the 5th of April", "by the 5th of April", date(2026, 4, 5), None),
        ("this weekend", "this weekend", date(2026, 3, 14), None),
        ("at noon tomorrow", "at noon tomorrow", date(2026, 3, 11), time(12)),
        ("in half an hour", "in half an hour", date(2026, 3, 10), time(10)),
        ("due 3/20", "due 3/20", date(2026, 3, 20), None),
        ("a reminder for 3.30 p.m. to call", "for 3.30 p.m.", date(2026, 3, 10), time(15, 30)),
        # "on" ending "London" is no "on" before the date.
        ("air quality in London 2022/08/16", "2022/08/16", date(2022, 8, 16), None),
    ],
)
def test_dates_and_times_resolve_against_now(text: str, span: str, day: date, clock: time | None) -> None:
    # A mention's span takes its leading "on"/"at"/"for"/"due" along, so other values do not keep it.
    mentions = find_datetimes(text, NOW)
    assert len(mentions) == 1
    mention = mentions[0]
    assert text[mention.start : mention.end] == span
    assert (mention.day, mention.clock) == (day, clock)


def test_no_dates_in_plain_numbers() -> None:
    assert find_datetimes("set the thermostat to 20 degrees", NOW) == []
    assert find_datetimes("history till the 14th century", NOW) == []


def test_datetime_formatting_follows_the_parameter() -> None:
    mention = find_datetimes("tomorrow at five pm", NOW)[0]
    assert format_datetime(mention, Schema(type="string", format="date-time"), "due", NOW) == (
        "2026-03-11T17:00:00+01:00"
    )
    assert format_datetime(mention, Schema(type="string", format="date"), "due", NOW) == "2026-03-11"
    assert format_datetime(mention, Schema(type="string"), "start_time", NOW) == "2026-03-11T17:00:00+01:00"
    day_only = find_datetimes("next Monday", NOW)[0]
    assert format_datetime(day_only, Schema(type="string", format="date-time"), "due", NOW) == "2026-03-16"


@pytest.mark.parametrize(
    ("text", "values", "units"),
    [
        ("set the thermostat to twenty degrees", [20], ["degrees"]),
        ("two hundred and five people", [205], ["people"]),
        ("$10,000 at 5% for 2.5 years", [10_000, 5, 2.5], ["", "%", "years"]),
        ("1.5 million dollars", [1_500_000], ["dollars"]),
        ("$1.2M revenue", [1_200_000], ["revenue"]),
        ("sea level of 5000m at 298K", [5000, 298], ["m", "k"]),
        ("from x = -2 to x = 3", [-2, 3], ["", ""]),
        ("charges of 1e-9 and 2e-9", [1e-9, 2e-9], ["", ""]),
        ("accelerating at 2 m/s^2 for 5 seconds", [2, 5], ["m", "seconds"]),
        ("the 14th century", [14], ["century"]),
        ("the blue one please", [], []),
        # One of a time unit said without a number; "a day" after a number is a rate.
        ("doubles every hour for the next month", [1, 1], ["hour", "month"]),
        ("20 miles a day", [20], ["miles"]),
    ],
)
def test_numbers_in_digits_and_words(text: str, values: list[float], units: list[str]) -> None:
    mentions = find_numbers(text)
    assert [m.value for m in mentions] == pytest.approx(values)
    assert [m.unit for m in mentions] == units


def test_split_items() -> None:
    assert split_items("milk, eggs and bread") == ["milk", "eggs", "bread"]
    assert split_items("milk") == ["milk"]


def test_formulas_are_found_whole() -> None:
    # A unit's power ("m^3") and a size ("12x18") are no formulas.
    text = "the derivative of 3x^2 + 2x - 1 at x = 2 for a 12x18 box of 10 m^3"
    assert [text[start:end] for start, end in find_formulas(text)] == ["3x^2 + 2x - 1"]
