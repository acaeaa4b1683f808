"""The validator that guards every emitted call."""

from __future__ import annotations

from typing import Any

import pytest

from openlive.engine.tools.schema import parse_function_declaration
from openlive.engine.tools.validation import InvalidArgumentsError, schema_problems, validate_arguments

DECLARATION = parse_function_declaration(
    {
        "name": "set_thermostat",
        "parameters": {
            "type": "OBJECT",
            "properties": {
                "room": {"type": "STRING"},
                "celsius": {"type": "NUMBER", "minimum": 5, "maximum": 30},
                "mode": {"type": "STRING", "enum": ["heat", "cool"]},
                "days": {"type": "ARRAY", "items": {"type": "INTEGER"}, "maxItems": 3},
                "schedule": {
                    "type": "OBJECT",
                    "properties": {"start": {"type": "STRING"}, "repeat": {"type": "BOOLEAN"}},
                    "required": ["start"],
                },
                "note": {"type": "STRING", "nullable": True},
            },
            "required": ["room", "celsius"],
        },
    }
)


def test_valid_arguments_pass() -> None:
    args = {
        "room": "kitchen",
        "celsius": 20,
        "mode": "heat",
        "days": [1, 2],
        "schedule": {"start": "07:00", "repeat": True},
        "note": None,
    }
    validate_arguments(DECLARATION, args)


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ({"celsius": 20}, "missing required property 'room'"),
        ({"room": 3, "celsius": 20}, "args.room: expected string"),
        ({"room": "hall", "celsius": "20"}, "args.celsius: expected number"),
        ({"room": "hall", "celsius": True}, "args.celsius: expected number"),
        ({"room": "hall", "celsius": 45}, "above the maximum"),
        ({"room": "hall", "celsius": 20, "mode": "warm"}, "'warm' is not one of"),
        ({"room": "hall", "celsius": 20, "days": [1, "2"]}, "args.days[1]: expected integer"),
        ({"room": "hall", "celsius": 20, "days": [1, 2, 3, 4]}, "more than 3 items"),
        ({"room": "hall", "celsius": 20, "schedule": {"repeat": True}}, "args.schedule: missing required"),
        ({"room": "hall", "celsius": 20, "schedule": {"start": "7", "repeat": "yes"}}, "expected boolean"),
        ({"room": "hall", "celsius": 20, "colour": "red"}, "unexpected property 'colour'"),
        ({"room": None, "celsius": 20}, "args.room: expected string"),
    ],
)
def test_bad_arguments_are_rejected(args: dict[str, Any], problem: str) -> None:
    with pytest.raises(InvalidArgumentsError) as caught:
        validate_arguments(DECLARATION, args)
    assert any(problem in message for message in caught.value.problems), caught.value.problems


def test_integer_excludes_floats_and_booleans() -> None:
    days = DECLARATION.parameters.properties["days"]
    assert schema_problems(days, [1.5])
    assert schema_problems(days, [False])
    assert not schema_problems(days, [7])
