"""The task-manager declarations of the bench (bench/data/tools/task_manager_tools.json) with
requests phrased the way people say them: level and status words for enum values, a time said
with a dot, a lone verb before a comma. Real all-MiniLM-L6-v2, no LLM."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from openlive.engine.tools.planner import EmbeddedToolPlanner, PlannedCall, PlanningRequest
from openlive.engine.tools.schema import parse_tools
from openlive.engine.tools.selection import split_clauses
from openlive.engine.tools.validation import validate_arguments

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=timezone(timedelta(hours=1)))
TOOLS_FILE = Path(__file__).resolve().parents[2] / "bench" / "data" / "tools" / "task_manager_tools.json"
TOOLS = parse_tools(json.loads(TOOLS_FILE.read_text()))


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        # "urgent" is a level word for "high": it is the priority, not part of the title.
        (
            "Add an urgent task to fix the leaking tap.",
            "add_task",
            {"title": "fix the leaking tap", "priority": "high"},
        ),
        # "to do" is the description's "to-do"; "today" is the filter's value.
        ("What do I have to do today?", "list_tasks", {"filter": "today"}),
        ("which of my tasks are late", "list_tasks", {"filter": "overdue"}),
        # A question is no task to add, its last words no title.
        ("what tasks are still outstanding", "list_tasks", {"filter": "pending"}),
        # "3.30 p.m." is half past three in the afternoon.
        (
            "Set a reminder for 3.30 p.m. to join the team call.",
            "set_reminder",
            {"text": "join the team call", "time": "2026-03-10T15:30:00+01:00"},
        ),
        # A lone "Remove," is the verb of what follows, not a command of its own.
        ("Remove, call the plumber for my list.", "delete_task", {"title": "call the plumber"}),
        # As Whisper base wrote the bench's spoken requests: "by" for "buy" opening the title,
        # a past tense for the verb, and a word split by a hyphen.
        ("Mark by milk is done.", "complete_task", {"title": "buy milk"}),
        ("moved by milk to Thursday.", "reschedule_task", {"title": "buy milk", "due": "2026-03-12"}),
        (
            "Post-pone the quarterly report to next week.",
            "reschedule_task",
            {"title": "quarterly report", "due": "2026-03-17"},
        ),
        # A wh-question is no title to add, even misheard ("which of my tasks are late").
        ("Which on my task start late?", "list_tasks", {"filter": "overdue"}),
        # "by" before a date is the preposition.
        ("Add a task to file the taxes by Friday.", "add_task", {"title": "file the taxes", "due": "2026-03-13"}),
    ],
)
def test_spoken_phrasings_get_the_right_call(
    planner: EmbeddedToolPlanner, text: str, name: str, args: dict[str, Any]
) -> None:
    calls = planner.plan(PlanningRequest(text, TOOLS, NOW), threading.Event())
    by_name = {declaration.name: declaration for declaration in TOOLS}
    for call in calls:
        validate_arguments(by_name[call.name], call.args)
    assert calls == [PlannedCall(name, args)]


def test_a_lone_word_before_a_comma_starts_no_clause() -> None:
    assert split_clauses("Remove, call the plumber for my list.", TOOLS) == ["Remove, call the plumber for my list."]
    assert split_clauses("add milk to my list, then show my tasks", TOOLS) == ["add milk to my list", "show my tasks"]


ERRANDS = parse_tools(
    [
        {
            "functionDeclarations": [
                {
                    "name": "log_errand",
                    "description": "Log an errand to run in town.",
                    "parameters": {
                        "type": "OBJECT",
                        "properties": {"description": {"type": "STRING", "description": "What to do, in a few words."}},
                        "required": ["description"],
                    },
                },
                {
                    "name": "cancel_errand",
                    "description": "Cancel an errand that was logged.",
                    "parameters": {
                        "type": "OBJECT",
                        "properties": {"description": {"type": "STRING", "description": "The errand to cancel."}},
                        "required": ["description"],
                    },
                },
            ]
        }
    ]
)


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        (
            "Log an errand to by stamps at the post office.",
            "log_errand",
            {"description": "buy stamps at the post office"},
        ),
        ("Can-cel the errand pick up the dry cleaning.", "cancel_errand", {"description": "pick up the dry cleaning"}),
    ],
)
def test_misheard_words_in_another_apps_requests(
    planner: EmbeddedToolPlanner, text: str, name: str, args: dict[str, Any]
) -> None:
    assert planner.plan(PlanningRequest(text, ERRANDS, NOW), threading.Event()) == [PlannedCall(name, args)]


@pytest.mark.parametrize("text", ["Which errand should I run first?", "What errands are left in town?"])
def test_a_question_is_no_errand_to_log(planner: EmbeddedToolPlanner, text: str) -> None:
    assert planner.plan(PlanningRequest(text, ERRANDS, NOW), threading.Event()) == []
