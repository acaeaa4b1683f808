"""The LLM's parts with the real SmolLM2-135M: choosing among candidates, and the whole call under a
grammar generated from the schemas (the shape is guaranteed even where a tiny model's content is not)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("llama_cpp")

from llama_cpp.llama_grammar import LlamaGrammar

from openlive.backends.embedder.minilm import MiniLmEmbedder
from openlive.backends.llm.base import Llm
from openlive.backends.llm.llama_cpp import LlamaCppLlm
from openlive.engine.tools.choice import LlmChooser
from openlive.engine.tools.grammar import calls_grammar, choice_grammar
from openlive.engine.tools.planner import (
    EmbeddedToolPlanner,
    LlmToolPlanner,
    PlannedCall,
    PlanningRequest,
)
from openlive.engine.tools.schema import parse_tools
from openlive.engine.tools.validation import validate_arguments

from .test_planner import NOW, TOOLS

TASK_TOOLS = parse_tools(
    json.loads((Path(__file__).parents[2] / "bench/data/tools/task_manager_tools.json").read_text())
)


@pytest.fixture(scope="module")
def llm() -> Iterator[Llm]:
    model = LlamaCppLlm(n_ctx=4096, max_slots=2)
    yield model
    model.close()


def test_generated_grammars_load_in_llama_cpp() -> None:
    for grammar in (calls_grammar(TOOLS), calls_grammar(TASK_TOOLS), choice_grammar(['say "hi"', "a\\b"])):
        LlamaGrammar.from_string(grammar, verbose=False)


@pytest.mark.parametrize("order", [0, 1])
def test_chooser_picks_the_function_that_fits_whatever_the_order(llm: Llm, order: int) -> None:
    options = ["list_tasks", "complete_task"]
    hints = ["List the tasks on the user's to-do list.", "Mark a task as completed when the user has done it."]
    if order:
        options, hints = options[::-1], hints[::-1]
    chooser = LlmChooser(llm)
    picked = chooser.choose(
        "which tasks have I completed", "Which function should handle this request?", options, threading.Event(), hints
    )
    chooser.close()
    assert picked is not None and options[picked] == "list_tasks"


def test_chooser_returns_none_when_cancelled(llm: Llm) -> None:
    chooser = LlmChooser(llm)
    cancel = threading.Event()
    cancel.set()
    assert chooser.choose("turn it on", "Which one?", ["lamp", "fan"], cancel) is None
    chooser.close()


def test_embedded_planner_with_llm_resolves_close_functions(llm: Llm) -> None:
    planner = EmbeddedToolPlanner(MiniLmEmbedder(), llm)
    calls = planner.plan(PlanningRequest("which tasks have I completed", TASK_TOOLS, NOW), threading.Event())
    planner.close()
    assert calls == [PlannedCall("list_tasks", {"filter": "completed"})]


def test_llm_planner_output_always_validates(llm: Llm) -> None:
    planner = LlmToolPlanner(llm, max_calls=2)
    by_name = {declaration.name: declaration for declaration in TOOLS}
    calls = planner.plan(PlanningRequest("turn on the lights in the kitchen", TOOLS, NOW), threading.Event())
    planner.close()
    assert calls, "the grammar allows an empty list, but this request should produce a call"
    for call in calls:
        validate_arguments(by_name[call.name], call.args)
