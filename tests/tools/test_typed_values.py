"""Values read by what a parameter is: quantities in the unit it asks for, counts of things, values
said as a list or a range after their parameters' names, months said as such, and numbers whose unit
or form rules a parameter out. Real all-MiniLM-L6-v2, no LLM."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from openlive.backends.embedder.minilm import MiniLmEmbedder
from openlive.engine.tools.arguments import ArgumentFiller
from openlive.engine.tools.numbers import in_base_unit, unit_conflicts
from openlive.engine.tools.places import with_state
from openlive.engine.tools.schema import FunctionDeclaration
from openlive.engine.tools.text import related_words
from tests.tools.declarations import declaration

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

FILTER = declaration(
    "design_low_pass_filter",
    "Design an RC low-pass filter.",
    {
        "resistance": {"type": "number", "description": "The resistance in ohms."},
        "capacitance": {"type": "number", "description": "The capacitance in farads."},
    },
    ["resistance", "capacitance"],
)
GAMES = declaration(
    "suggest_board_games",
    "Suggest board games on a theme.",
    {
        "theme": {"type": "string", "description": "The theme of the games."},
        "limit": {"type": "integer", "description": "The number of games to suggest. Default is 3."},
    },
    ["theme"],
)
RECTANGLE = declaration(
    "rectangle_perimeter",
    "Compute the perimeter of a rectangle.",
    {
        "width": {"type": "integer", "description": "The width."},
        "length": {"type": "integer", "description": "The length."},
    },
    ["width", "length"],
)
LCM = declaration(
    "least_common_multiple",
    "Find the least common multiple of two integers.",
    {
        "first": {"type": "integer", "description": "The first integer."},
        "second": {"type": "integer", "description": "The second integer."},
    },
    ["first", "second"],
)
DOG_PARKS = declaration(
    "find_dog_parks",
    "Find dog parks near a place.",
    {"location": {"type": "string", "description": "The city and state, e.g. Austin, TX"}},
    ["location"],
)
RENTALS = declaration(
    "search_rentals",
    "Search apartments to rent in a city within a price range.",
    {
        "city": {"type": "string", "description": "The city."},
        "price": {
            "type": "object",
            "properties": {
                "min": {"type": "integer", "description": "Lowest monthly rent."},
                "max": {"type": "integer", "description": "Highest monthly rent."},
            },
            "description": "The monthly rent range.",
        },
    },
    ["city", "price"],
)
FESTIVALS = declaration(
    "find_festivals",
    "Find music festivals in a city.",
    {
        "city": {"type": "string", "description": "The city."},
        "date": {"type": "string", "description": "When the festival takes place."},
    },
    ["city", "date"],
)
LAUNCHES = declaration(
    "product_launches",
    "Find product launches by a company.",
    {
        "company": {"type": "string", "description": "The company."},
        "month": {"type": "string", "description": "The month of the launch."},
    },
    ["company", "month"],
)
BODY_MASS = declaration(
    "body_mass_index",
    "Compute the body mass index of a person.",
    {
        "weight": {"type": "number", "description": "Weight of the person."},
        "height": {"type": "number", "description": "Height of the person."},
    },
    ["weight", "height"],
)


@pytest.fixture(scope="module")
def filler() -> ArgumentFiller:
    return ArgumentFiller(MiniLmEmbedder())


@pytest.mark.parametrize(
    ("text", "function", "expected"),
    [
        # Prefixed units in the base unit the description asks for.
        (
            "Design a low-pass filter with a 4.7kΩ resistor and a 220nF capacitor",
            FILTER,
            {"resistance": 4700.0, "capacitance": 2.2e-07},
        ),
        # "five ... games" counts the games the parameter counts.
        ("Suggest five games about Vikings", GAMES, {"theme": "Vikings", "limit": 5}),
        # "two integers" says how many values follow; it is neither of them.
        ("What is the least common multiple of two integers: 12 and 18?", LCM, {"first": 12, "second": 18}),
        # A city where the description asks for "City, State" gets its state.
        ("Are there dog parks in Seattle?", DOG_PARKS, {"location": "Seattle, WA"}),
        # Names listed, then their values in the same order.
        (
            "What is the perimeter of a rectangle with length and width of 12 and 7?",
            RECTANGLE,
            {"width": 7, "length": 12},
        ),
        # "from $1,200 to $1,800" is the low and the high end.
        (
            "Find apartments in Denver from $1,200 to $1,800 a month",
            RENTALS,
            {"city": "Denver", "price": {"min": 1200, "max": 1800}},
        ),
        # A month is passed as said, without a day the user did not give.
        ("Which festivals are on in Austin in May 2027?", FESTIVALS, {"city": "Austin", "date": "May 2027"}),
        ("Any music festivals in Lisbon next month?", FESTIVALS, {"city": "Lisbon", "date": "next month"}),
        # A month's name, capitalised for being a month, fills the parameter named for one.
        ("What did Nintendo launch in March?", LAUNCHES, {"company": "Nintendo", "month": "March"}),
    ],
)
def test_values_follow_what_the_parameter_is(
    filler: ArgumentFiller, text: str, function: FunctionDeclaration, expected: dict[str, Any]
) -> None:
    filled = filler.fill(function, text, NOW)
    assert filled is not None
    assert filled.args == expected


def test_a_length_is_no_weight(filler: ArgumentFiller) -> None:
    # The triangle's base in meters cannot be the person's weight, so the function does not fit.
    text = "Calculate the area of a triangle whose base is 10 meters and height is 5 meters"
    assert filler.fill(BODY_MASS, text, NOW) is None
    assert filler.fill(BODY_MASS, "My weight is 70 kg and my height is 1.8 meters", NOW) is not None


def test_units_and_typos() -> None:
    assert in_base_unit(100, "100µF", "The capacitance in farads (F).") == 0.0001
    assert in_base_unit(50, "50km", "The distance in kilometers.") == 50
    assert unit_conflicts(["meters"], ["weight"])
    assert not unit_conflicts(["kg", "kilograms"], ["weight"])
    assert related_words("acceleeration", "acceleration")
    assert related_words("temprature", "temperature")
    assert not related_words("fraction", "friction")


def test_a_state_only_where_the_format_asks_for_it() -> None:
    assert with_state("Denver", "City and state, e.g. Chicago, Illinois") == "Denver, Colorado"
    assert with_state("Denver", "In the format City, State.") == "Denver, CO"
    assert with_state("Denver", "The city to search in.") == "Denver"
    assert with_state("Denver", "The city and country, e.g. London, UK") == "Denver"
    assert with_state("Springfield", "The city and state, e.g. Austin, TX") == "Springfield"  # which one?
    assert with_state("Boston, MA", "The city and state, e.g. Austin, TX") == "Boston, MA"
