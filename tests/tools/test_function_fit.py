"""How well a request's words fit a function's string parameters (``FilledArguments.weakest_value``,
which lowers the function's score) is judged on the words alone: a value the description only gives
as an example does not vouch for the function, one of the values it lists as the parameter's does.
Real all-MiniLM-L6-v2, no LLM."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from openlive.backends.embedder.minilm import MiniLmEmbedder
from openlive.engine.tools.arguments import ArgumentFiller, lists_examples
from openlive.engine.tools.schema import FunctionDeclaration, parse_function_declaration

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def one_string_function(description: str) -> FunctionDeclaration:
    return parse_function_declaration(
        {
            "name": "describe_organelle",
            "description": "Describe the function of a part of a cell.",
            "parametersJsonSchema": {
                "type": "object",
                "properties": {"cell_part": {"type": "string", "description": description}},
                "required": ["cell_part"],
            },
        }
    )


@pytest.fixture(scope="module")
def filler() -> ArgumentFiller:
    return ArgumentFiller(MiniLmEmbedder())


def test_lists_examples() -> None:
    assert lists_examples("The part of the cell, e.g. mitochondria or nucleus.")
    assert lists_examples("A genre such as jazz.")
    assert not lists_examples("Level of detail. Can be 'summary' or 'detailed'.")
    assert not lists_examples("The information needed, i.e., victim, accused, verdict etc.")


def test_example_value_is_filled_but_still_judged_by_the_words(filler: ArgumentFiller) -> None:
    function = one_string_function("The part of the cell, e.g. mitochondria or nucleus.")
    filled = filler.fill(function, "How big is a mitochondria?", NOW, threading.Event())
    assert filled is not None
    assert filled.args == {"cell_part": "mitochondria"}
    assert filled.weakest_value is not None


def test_listed_value_is_evidence_like_an_enum_value(filler: ArgumentFiller) -> None:
    function = one_string_function("The part of the cell. Can be 'mitochondria' or 'nucleus'.")
    filled = filler.fill(function, "How big is a mitochondria?", NOW, threading.Event())
    assert filled is not None
    assert filled.args == {"cell_part": "mitochondria"}
    assert filled.weakest_value is None
