"""The embedded planner on typed requests, with the real all-MiniLM-L6-v2 embedder and no LLM."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from openlive.engine.tools.planner import EmbeddedToolPlanner, PlannedCall, PlanningRequest
from openlive.engine.tools.schema import FunctionDeclaration, parse_tools
from openlive.engine.tools.validation import validate_arguments

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=timezone(timedelta(hours=1)))

TOOLS = parse_tools(
    [
        {
            "functionDeclarations": [
                {
                    "name": "turn_on_lights",
                    "description": "Switch the lights on in a room.",
                    "parameters": {
                        "type": "OBJECT",
                        "properties": {"room": {"type": "STRING", "description": "Which room"}},
                    },
                },
                {
                    "name": "turn_off_lights",
                    "description": "Switch the lights off in a room.",
                    "parameters": {
                        "type": "OBJECT",
                        "properties": {"room": {"type": "STRING", "description": "Which room"}},
                    },
                },
                {
                    "name": "set_thermostat",
                    "description": "Set the heating thermostat to a target temperature.",
                    "parameters": {
                        "type": "OBJECT",
                        "properties": {
                            "temperature": {"type": "NUMBER", "description": "Target temperature in degrees"},
                            "unit": {"type": "STRING", "enum": ["celsius", "fahrenheit"]},
                        },
                        "required": ["temperature"],
                    },
                },
                {
                    "name": "add_task",
                    "description": "Add a new task to the user's to-do list.",
                    "parametersJsonSchema": {
                        "type": "object",
                        "properties": {
                            "title": {"type": "string", "description": "Short title of the task"},
                            "due": {"type": "string", "format": "date-time", "description": "When it is due"},
                            "priority": {"type": "string", "enum": ["low", "normal", "high"]},
                            "estimate_minutes": {"type": "integer", "description": "Expected minutes of work"},
                        },
                        "required": ["title"],
                    },
                },
            ]
        }
    ]
)


def plan(planner: EmbeddedToolPlanner, text: str, tools: list[FunctionDeclaration] = TOOLS) -> list[PlannedCall]:
    calls = planner.plan(PlanningRequest(text, tools, NOW), threading.Event())
    by_name = {declaration.name: declaration for declaration in tools}
    for call in calls:
        validate_arguments(by_name[call.name], call.args)
    return calls


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        ("turn on the lights in the kitchen", "turn_on_lights", {"room": "kitchen"}),
        ("please switch off the lights in the bedroom", "turn_off_lights", {"room": "bedroom"}),
        ("set the thermostat to twenty degrees", "set_thermostat", {"temperature": 20}),
        ("make it 68 fahrenheit on the thermostat", "set_thermostat", {"temperature": 68, "unit": "fahrenheit"}),
        (
            "add a task to buy milk tomorrow at five pm",
            "add_task",
            {"title": "buy milk", "due": "2026-03-11T17:00:00+01:00"},
        ),
        (
            "add a high priority task to renew my passport by next Monday",
            "add_task",
            {"title": "renew my passport", "due": "2026-03-16", "priority": "high"},
        ),
        (
            "add a task to paint the fence, it will take 90 minutes",
            "add_task",
            {"title": "paint the fence", "estimate_minutes": 90},
        ),
    ],
)
def test_typed_requests_get_the_right_call(
    planner: EmbeddedToolPlanner, text: str, name: str, args: dict[str, Any]
) -> None:
    assert plan(planner, text) == [PlannedCall(name, args)]


def test_two_commands_in_one_request_give_two_calls(planner: EmbeddedToolPlanner) -> None:
    calls = plan(planner, "turn on the lights and set the thermostat to 20")
    assert calls == [PlannedCall("turn_on_lights", {}), PlannedCall("set_thermostat", {"temperature": 20})]


def test_a_list_of_items_gives_one_call_each(planner: EmbeddedToolPlanner) -> None:
    calls = plan(planner, "add milk and eggs to my list")
    assert calls == [PlannedCall("add_task", {"title": "milk"}), PlannedCall("add_task", {"title": "eggs"})]


def test_one_task_with_a_compound_title_stays_one_call(planner: EmbeddedToolPlanner) -> None:
    assert plan(planner, "add a task to buy milk and eggs") == [PlannedCall("add_task", {"title": "buy milk and eggs"})]


@pytest.mark.parametrize(
    "text",
    [
        "what's the capital of France",
        "thanks!",
        "tell me a joke",
        "how are you doing today",
        "who wrote Romeo and Juliet",
        "",
    ],
)
def test_small_talk_and_uncovered_questions_get_no_call(planner: EmbeddedToolPlanner, text: str) -> None:
    assert plan(planner, text) == []


def test_a_required_value_missing_from_the_request_means_no_call(planner: EmbeddedToolPlanner) -> None:
    assert plan(planner, "set the thermostat") == []


def test_no_declarations_no_calls(planner: EmbeddedToolPlanner) -> None:
    assert plan(planner, "turn on the lights", []) == []
