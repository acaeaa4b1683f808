"""Argument filling for requests in BFCL's style: numbers by the words around them, numbered
siblings in the order said, lists, percentages and verb synonyms. Real all-MiniLM-L6-v2, no LLM."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from openlive.engine.tools.planner import EmbeddedToolPlanner, PlannedCall, PlanningRequest
from openlive.engine.tools.schema import FunctionDeclaration
from openlive.engine.tools.text import related_words, synonym_variant
from openlive.engine.tools.validation import validate_arguments
from tests.tools.declarations import declaration

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


VELOCITY = declaration(
    "final_velocity",
    "Calculate the final velocity of an object given its initial velocity, acceleration and time.",
    {
        "initial_velocity": {"type": "integer", "description": "The initial velocity in meters/second."},
        "acceleration": {"type": "integer", "description": "The acceleration in meters/second^2."},
        "time": {"type": "integer", "description": "The time in seconds."},
    },
    ["initial_velocity", "acceleration", "time"],
)
GCD = declaration(
    "math.gcd",
    "Compute the greatest common divisor of two numbers.",
    {
        "num1": {"type": "integer", "description": "First number."},
        "num2": {"type": "integer", "description": "Second number."},
    },
    ["num1", "num2"],
)
CLOCK = declaration(
    "calculate_clock_angle",
    "Calculate the angle between the hour and minute hands of a clock.",
    {
        "hours": {"type": "integer", "description": "The hour on the clock face."},
        "minutes": {"type": "integer", "description": "The minutes on the clock face."},
    },
    ["hours", "minutes"],
)
STOCKS = declaration(
    "get_stock_price",
    "Retrieve the current stock price of companies.",
    {"company_names": {"type": "array", "items": {"type": "string"}, "description": "The companies."}},
    ["company_names"],
)
REGRESSION = declaration(
    "run_linear_regression",
    "Build a linear regression model.",
    {
        "predictors": {"type": "array", "items": {"type": "string"}, "description": "Names of predictor variables."},
        "target": {"type": "string", "description": "The name of the target variable."},
    },
    ["predictors", "target"],
)
FUTURE_VALUE = declaration(
    "calculate_future_value",
    "Calculate the future value of an investment.",
    {
        "initial_investment": {"type": "integer", "description": "The initial investment amount."},
        "rate_of_return": {"type": "number", "description": "The annual rate of return."},
        "years": {"type": "integer", "description": "The time frame in years."},
    },
    ["initial_investment", "rate_of_return", "years"],
)
COMPATIBILITY = declaration(
    "get_zodiac_compatibility",
    "Retrieve the compatibility score between two Zodiac signs.",
    {
        "sign1": {"type": "string", "description": "The first Zodiac sign."},
        "sign2": {"type": "string", "description": "The second Zodiac sign."},
    },
    ["sign1", "sign2"],
)
MELODY = declaration(
    "compose_melody",
    "Compose a melody from a chord progression.",
    {
        "progression": {"type": "array", "items": {"type": "string"}, "description": "The progression of chords."},
        "measures": {"type": "integer", "description": "The number of measures of the melody."},
    },
    ["progression", "measures"],
)
CASE_STATUS = declaration(
    "lawsuit_details",
    "Retrieve the details of a lawsuit case.",
    {
        "case_id": {"type": "string", "description": "The identifier of the case."},
        "closed_status": {"type": "boolean", "description": "Whether to check if the case is closed."},
    },
    ["case_id"],
)
RESCHEDULE = declaration(
    "reschedule_task",
    "Change the due date of an existing task.",
    {
        "title": {"type": "string", "description": "Title of the task."},
        "due": {"type": "string", "format": "date", "description": "The new due date."},
    },
    ["title", "due"],
)

MIXING = declaration(
    "mixed_gas_temperature",
    "Calculate the temperature of two samples of a gas once mixed.",
    {
        "amount1": {"type": "integer", "description": "How much of the first sample there is."},
        "temperature1": {"type": "integer", "description": "How hot the first sample is."},
        "amount2": {"type": "integer", "description": "How much of the second sample there is."},
        "temperature2": {"type": "integer", "description": "How hot the second sample is."},
    },
    ["amount1", "temperature1", "amount2", "temperature2"],
)
PAINTING = declaration(
    "update_painting",
    "Update the attributes of a painting.",
    {
        "medium": {"type": "string", "description": "The medium of the painting."},
        "accent_colour": {"type": "string", "description": "The accent colour of the painting."},
    },
    ["medium"],
)


@pytest.mark.parametrize(
    ("text", "tool", "args"),
    [
        (
            "Calculate the final velocity of a vehicle after accelerating at 2 meters/second^2 for a duration of "
            "5 seconds, starting from a speed of 10 meters/second.",
            VELOCITY,
            {"initial_velocity": 10, "acceleration": 2, "time": 5},
        ),
        ("Find the greatest common divisor of 36 and 24.", GCD, {"num1": 36, "num2": 24}),
        (
            "What will be the angle between the hour and minute hands of a clock at 6:30 PM?",
            CLOCK,
            {"hours": 6, "minutes": 30},
        ),
        ("What's the current stock price of Apple and Microsoft?", STOCKS, {"company_names": ["Apple", "Microsoft"]}),
        (
            "Run a linear regression with predictor variables 'Age', 'Income' and 'Education' and a target "
            "variable 'Purchase_Amount'.",
            REGRESSION,
            {"predictors": ["Age", "Income", "Education"], "target": "Purchase_Amount"},
        ),
        (
            "Calculate the future value of an investment with an annual rate of return of 8%, an initial "
            "investment of $20000, and a time frame of 5 years.",
            FUTURE_VALUE,
            {"initial_investment": 20000, "rate_of_return": 0.08, "years": 5},
        ),
        (
            "Find the compatibility score of Aries with Gemini.",
            COMPATIBILITY,
            {"sign1": "Aries", "sign2": "Gemini"},
        ),
        (
            "Compose a simple melody with a progression of C, F and G for 4 measures.",
            MELODY,
            {"progression": ["C", "F", "G"], "measures": 4},
        ),
        (
            "I need the details of the lawsuit case with case ID 'LA-1234' and verify if it is already closed.",
            CASE_STATUS,
            {"case_id": "LA-1234", "closed_status": True},
        ),
        ("postpone the quarterly report to Thursday", RESCHEDULE, {"title": "quarterly report", "due": "2026-01-08"}),
        # What a unit measures ("K" a temperature, "moles" an amount) points at the parameter.
        (
            "Mix 4 moles of helium at 350 K with 2 moles of helium at 290 K",
            MIXING,
            {"amount1": 4, "temperature1": 350, "amount2": 2, "temperature2": 290},
        ),
        # An optional parameter's whole name said right after a value names it.
        (
            "Update my painting's medium to watercolour with a green accent colour",
            PAINTING,
            {"medium": "watercolour", "accent_colour": "green"},
        ),
    ],
)
def test_arguments_are_filled_from_the_request(
    planner: EmbeddedToolPlanner, text: str, tool: FunctionDeclaration, args: dict[str, Any]
) -> None:
    calls = planner.plan(PlanningRequest(text, [tool], NOW), threading.Event())
    for call in calls:
        validate_arguments(tool, call.args)
    assert calls == [PlannedCall(tool.name, args)]


def test_related_words_share_a_long_stem() -> None:
    assert related_words("accelerating", "acceleration")
    # Short words must share their whole stem: "time" is not "timer".
    assert not related_words("time", "timer")
    assert not related_words("height", "weight")


def test_only_the_command_verb_is_read_as_a_synonym() -> None:
    assert synonym_variant("move buy milk to Thursday", ["reschedule", "task"]) == "reschedule buy milk to Thursday"
    assert synonym_variant("check off call the plumber", ["complete", "task"]) == "complete call the plumber"
    # "move" here is part of what to be reminded of, not the command.
    assert synonym_variant("in an hour remind me to move the car", ["reschedule", "task"]) is None
