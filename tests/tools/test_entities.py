"""Short string values (names, places, codes) and the conventions a parameter's description states:
values chosen for all parameters together, values the description lists, date layouts it names.
Real all-MiniLM-L6-v2, no LLM."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from openlive.backends.embedder.minilm import MiniLmEmbedder
from openlive.engine.tools.arguments import ArgumentFiller, described_date_layout, described_values
from openlive.engine.tools.schema import FunctionDeclaration
from tests.tools.declarations import declaration

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


RESERVE = declaration(
    "reserve_table",
    "Reserve a table of a given kind at a restaurant in a city.",
    {
        "restaurant_name": {"type": "string", "description": "The name of the restaurant."},
        "city": {"type": "string", "description": "The city the restaurant is in."},
        "table_kind": {"type": "string", "description": "The kind of table."},
    },
    ["restaurant_name", "city", "table_kind"],
)
REPORT = declaration(
    "get_sales_report",
    "Get the sales report of a shop.",
    {
        "shop": {"type": "string", "description": "The name of the shop."},
        "detail_level": {"type": "string", "description": "How detailed the report is. Can be 'brief' or 'detailed'."},
    },
    ["shop", "detail_level"],
)
INVOICES = declaration(
    "list_invoices",
    "List the invoices of a client issued after a date.",
    {
        "client": {"type": "string", "description": "The client's name."},
        "since": {"type": "string", "description": "The earliest issue date, in the format MM-DD-YYYY."},
    },
    ["client", "since"],
)
SAVINGS = declaration(
    "savings_growth",
    "Calculate how savings grow over a number of years.",
    {
        "deposit": {"type": "number", "description": "The amount deposited."},
        "interest": {"type": "number", "description": "The yearly interest as a decimal."},
        "years": {"type": "integer", "description": "How many years the money stays deposited."},
    },
    ["deposit", "interest", "years"],
)
PARCEL = declaration(
    "track_parcel",
    "Track a parcel by its tracking number.",
    {
        "tracking_number": {"type": "string", "description": "The parcel's tracking number."},
        "carrier": {"type": "string", "description": "The company delivering the parcel."},
    },
    ["tracking_number", "carrier"],
)
WEATHER = declaration(
    "city_air_quality",
    "Get the air quality of a city.",
    {
        "city": {"type": "string", "description": "The city."},
        "pollutant": {"type": "string", "description": "The pollutant to report."},
    },
    ["city", "pollutant"],
)

INTEGRAL = declaration(
    "definite_integral",
    "Integrate a function of x between two bounds.",
    {
        "expression": {"type": "string", "description": "The function to integrate, in x."},
        "lower": {"type": "number", "description": "The lower bound."},
        "upper": {"type": "number", "description": "The upper bound."},
    },
    ["expression", "lower", "upper"],
)
TRAFFIC = declaration(
    "road_traffic",
    "Estimate the road traffic between two cities.",
    {
        "origin": {"type": "string", "description": "The city to start from."},
        "destination": {"type": "string", "description": "The city to drive to."},
        "when": {"type": "string", "description": "The time frame, e.g. now, tonight, this weekend."},
    },
    ["origin", "destination"],
)

EXCHANGE = declaration(
    "money_exchange",
    "Exchange an amount of money from one currency to another.",
    {
        "amount": {"type": "number", "description": "How much money to exchange."},
        "source_currency": {"type": "string", "description": "The currency to exchange from."},
        "target_currency": {"type": "string", "description": "The currency to exchange to."},
    },
    ["amount", "source_currency", "target_currency"],
)
CASE = declaration(
    "court_case_summary",
    "Summarise a court case.",
    {"case_name": {"type": "string", "description": "The name of the case."}},
    ["case_name"],
)

TOLL = declaration(
    "road_toll",
    "Compute the road toll for a vehicle.",
    {
        "engine": {"type": "string", "description": "The engine: 'petrol', 'diesel' or 'electric'."},
        "kilometres": {"type": "integer", "description": "How far the vehicle goes."},
    },
    ["engine", "kilometres"],
)


@pytest.fixture(scope="module")
def filler() -> ArgumentFiller:
    return ArgumentFiller(MiniLmEmbedder())


@pytest.mark.parametrize(
    ("text", "function", "expected"),
    [
        # The preposition "at" points at a place, but the name and the city are chosen together.
        (
            "Reserve a window table at the Golden Lotus Restaurant in Boston",
            RESERVE,
            {"restaurant_name": "Golden Lotus Restaurant", "city": "Boston", "table_kind": "window"},
        ),
        # "detail" said, the listed spelling passed.
        (
            "Give me a detail report for the Corner Bakery shop",
            REPORT,
            {"shop": "Corner Bakery", "detail_level": "detailed"},
        ),
        (
            "Show the invoices of Acme Tools since March 14, 2025",
            INVOICES,
            {"client": "Acme Tools", "since": "03-14-2025"},
        ),
        # The percentage is the rate, not the number of years.
        (
            "How do savings of $2000 grow with 4% interest after 7 years?",
            SAVINGS,
            {"deposit": 2000.0, "interest": 0.04, "years": 7},
        ),
        # A code for a parameter named as a number, not the words around it.
        (
            "Track the parcel with tracking number ZX4471093 shipped by FedEx",
            PARCEL,
            {"tracking_number": "ZX4471093", "carrier": "FedEx"},
        ),
        # "San Francisco" stays one name.
        ("What is the ozone level in San Francisco today?", WEATHER, {"city": "San Francisco", "pollutant": "ozone"}),
        # A formula is one value, and its numbers are not the bounds.
        (
            "Integrate 4x^3 - 2x + 7 from 2 to 5",
            INTEGRAL,
            {"expression": "4x^3 - 2x + 7", "lower": 2.0, "upper": 5.0},
        ),
        # Currencies named in words are passed as their ISO 4217 codes.
        (
            "Exchange 300 euros to Swiss francs",
            EXCHANGE,
            {"amount": 300.0, "source_currency": "EUR", "target_currency": "CHF"},
        ),
        # A listed value said as the head of a compound ("diesel-powered").
        (
            "What is the toll for a diesel-powered van going 240 kilometres?",
            TOLL,
            {"engine": "diesel", "kilometres": 240},
        ),
        # "vs" stays inside a name.
        ("Summarise the Roe vs Wade case", CASE, {"case_name": "Roe vs Wade"}),
        # A time frame the description names as a value is passed in its words, not as a date.
        (
            "How bad is the traffic from Boston to Albany this weekend?",
            TRAFFIC,
            {"origin": "Boston", "destination": "Albany", "when": "this weekend"},
        ),
    ],
)
def test_values_are_chosen_together_and_as_described(
    filler: ArgumentFiller, text: str, function: FunctionDeclaration, expected: dict[str, Any]
) -> None:
    filled = filler.fill(function, text, NOW)
    assert filled is not None
    assert filled.args == expected


def test_description_lists_values() -> None:
    assert described_values("Level of detail. Can be 'summary' or 'detailed'.") == ["summary", "detailed"]
    assert described_values("The information needed, i.e., victim, accused, verdict etc.") == [
        "victim",
        "accused",
        "verdict",
    ]
    assert described_values("The name of the shop.") == []


def test_description_names_a_date_layout() -> None:
    assert described_date_layout("Start date in the format of MM-DD-YYYY.") == "%m-%d-%Y"
    assert described_date_layout("The date (month-day-year) to look up.") == "%m-%d-%Y"
    assert described_date_layout("A date as YYYY/MM/DD") == "%Y/%m/%d"
    assert described_date_layout("The time as HH:MM") is None
