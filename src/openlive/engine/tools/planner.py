"""Turns a user's request into function calls, or none.

:class:`ToolPlanner` is the seam: the session asks it for calls and does not care how they are
found. :class:`EmbeddedToolPlanner` is the default for a tiny local model: it splits the decision
into steps a small model does well (embedding similarity chooses the function, rules fill the
arguments from the user's words, the LLM only picks among close candidates).
:class:`LlmToolPlanner` gives the whole decision to a model able to take it, asking for the calls
as JSON constrained by a grammar generated from the schemas. Either way, every call returned
validates against its declaration.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from openlive.backends.embedder.base import Embedder
from openlive.backends.llm.base import ChatMessage, Llm, LlmSlot, SamplingParams
from openlive.engine.tools.arguments import MAX_ITEM_WORDS, ArgumentFiller, is_free_text, is_question, split_items
from openlive.engine.tools.choice import LlmChooser
from openlive.engine.tools.grammar import calls_grammar
from openlive.engine.tools.schema import FunctionDeclaration, Schema, to_json_schema
from openlive.engine.tools.selection import DEFAULT_THRESHOLD, FunctionSelector, ScoredFunction, split_clauses
from openlive.engine.tools.text import (
    COMMAND_VERBS,
    STOPWORDS,
    SYNONYM_WORDS,
    content_stems,
    identifier_words,
    joined_split_words,
    tokenize,
    word_set,
)
from openlive.engine.tools.validation import schema_problems

_log = logging.getLogger(__name__)

# Two functions scoring closer than this are a real choice, left to the LLM when there is one.
_FUNCTION_MARGIN = 0.04
# Functions whose arguments are filled to score the request's frame, and how far below the threshold
# a function's whole-request score may be for it to be tried.
_FRAME_CANDIDATES = 3
_FRAME_FLOOR = 0.3
# Per typed value found for the function, less per date said that it cannot take.
_EVIDENCE_WEIGHT = 0.05
# A required name or place filled from words that hardly fit it ("assist" as a season) says the
# function does not fit the request: the score drops by the weight times the shortfall from the
# floor. Calibrated on the even-indexed cases of BFCL simple_python, multiple and irrelevance
# (relevant kept 172 of 173 passing calls; irrelevant refused 107 of 120, from 91).
_WEAK_VALUE_FLOOR = 0.6
_WEAK_VALUE_WEIGHT = 1.5


@dataclass(frozen=True)
class PlanningRequest:
    text: str
    declarations: Sequence[FunctionDeclaration]
    # Timezone-aware current time in the user's zone: "tomorrow at five" resolves against it.
    now: datetime
    # Recent conversation, oldest first, for planners that can use it.
    context: Sequence[ChatMessage] = ()


@dataclass(frozen=True)
class PlannedCall:
    name: str
    args: dict[str, Any] = field(default_factory=dict)


class ToolPlanner(Protocol):
    def plan(self, request: PlanningRequest, cancel: threading.Event) -> list[PlannedCall]:
        """Calls for the request, possibly none. Blocking: run it on the model executor."""
        ...


def _checked(call: PlannedCall, declarations: Sequence[FunctionDeclaration]) -> PlannedCall | None:
    declaration = next((d for d in declarations if d.name == call.name), None)
    if declaration is None:
        return None
    problems = schema_problems(declaration.parameters, call.args)
    if problems:
        _log.warning("dropping call to %s with invalid arguments: %s", call.name, "; ".join(problems))
        return None
    return call


class EmbeddedToolPlanner:
    def __init__(
        self,
        embedder: Embedder,
        llm: Llm | None = None,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        self._chooser = LlmChooser(llm) if llm is not None else None
        self.selector = FunctionSelector(embedder, threshold)
        self._filler = ArgumentFiller(embedder, self._chooser)

    def plan(self, request: PlanningRequest, cancel: threading.Event) -> list[PlannedCall]:
        declarations = list(request.declarations)
        if not declarations or not request.text.strip():
            return []
        # Speech recognition may split a word it knows no better ("Post-pone the report").
        known_words = COMMAND_VERBS | SYNONYM_WORDS | {word for d in declarations for word in _command_words(d)}
        request = replace(request, text=joined_split_words(request.text, known_words))
        clauses = split_clauses(request.text, declarations)
        if len(clauses) == 1:
            return self._plan_whole(request, declarations, cancel)
        per_clause = [
            self._plan_clause(clause, self.selector.rank(clause, declarations), request.now, cancel)
            for clause in clauses
        ]
        calls = [call for clause_calls in per_clause for call in clause_calls]
        # Clauses that each call the same function are usually one call with several arguments
        # ("change the medium to oil and change the size to 12x18"), and a clause without a call
        # was probably not a command of its own: the whole request is planned then, and the
        # clauses' calls kept only if that finds nothing.
        if all(per_clause) and len({call.name for call in calls}) > 1:
            return calls
        return self._plan_whole(request, declarations, cancel) or calls

    def _plan_whole(
        self, request: PlanningRequest, declarations: list[FunctionDeclaration], cancel: threading.Event
    ) -> list[PlannedCall]:
        ranked = self.selector.rank(request.text, declarations)
        return self._plan_clause(request.text, ranked, request.now, cancel)

    def relevance(self, request: PlanningRequest, cancel: threading.Event) -> float:
        """The best score any declared function gets for the whole request (for calibrating the
        threshold: a call is made when this reaches it)."""
        ranked = self.selector.rank(request.text, list(request.declarations))
        options = self._options(request.text, ranked, request.now, cancel)
        return max((option[0] for option in options), default=float("-inf"))

    def _options(
        self, text: str, ranked: list[ScoredFunction], now: datetime, cancel: threading.Event
    ) -> list[tuple[float, FunctionDeclaration, dict[str, Any]]]:
        """Functions whose arguments can be filled from ``text``, scored on the whole text and on its
        frame: what remains once the arguments are taken out ("remind me to" of "remind me tomorrow
        at 8 to bring the documents"). Long argument values dilute the text's embedding; the frame's
        says what is asked."""
        threshold = self.selector.threshold
        asks = is_question(text)
        options: list[tuple[float, FunctionDeclaration, dict[str, Any]]] = []
        for item in ranked[:_FRAME_CANDIDATES]:
            if item.score < threshold * _FRAME_FLOOR:
                break
            declaration = item.declaration
            filled = self._filler.fill(declaration, text, now, cancel, _command_words(declaration))
            if filled is None:
                continue
            # A wh-question asks for something: its words are no title or note to act on, and what
            # is left once a free-text value is taken out ("what tasks are" of "what tasks are still
            # pending") is no request to store that text.
            keeps_text = asks and any(is_free_text(name) for name in filled.args)
            if keeps_text and _acts(declaration):
                continue
            score = item.score
            if filled.frame and filled.frame != text and content_stems(filled.frame) and not keeps_text:
                score = max(score, self.selector.score(filled.frame, declaration))
            score += _EVIDENCE_WEIGHT * (filled.evidence - filled.unused_dates)
            if filled.weakest_value is not None:
                score -= _WEAK_VALUE_WEIGHT * max(0.0, _WEAK_VALUE_FLOOR - filled.weakest_value)
            options.append((score, declaration, filled.args))
        return options

    def _plan_clause(
        self, text: str, ranked: list[ScoredFunction], now: datetime, cancel: threading.Event
    ) -> list[PlannedCall]:
        """The best function for one clause, or none when no function scores up to the threshold."""
        threshold = self.selector.threshold
        options = [option for option in self._options(text, ranked, now, cancel) if option[0] >= threshold]
        if not options:
            return []
        options.sort(key=lambda option: -option[0])
        close = [option for option in options if options[0][0] - option[0] < _FUNCTION_MARGIN]
        best = options[0]
        if self._chooser is not None and len(close) > 1:
            picked = self._chooser.choose(
                text,
                "Which function should handle this request?",
                [option[1].name for option in close],
                cancel,
                hints=[option[1].description for option in close],
            )
            if picked is not None:
                best = close[picked]
        _, declaration, args = best
        planned = (_checked(call, [declaration]) for call in _per_item(declaration, args))
        return [call for call in planned if call is not None]

    def close(self) -> None:
        if self._chooser is not None:
            self._chooser.close()


# Actions on the user's things (keep, send, change or remove them), named so in a function's name;
# lookups (get, find, search) are not among them.
_ACTING_VERBS = word_set(
    """add create save insert put write record note remember new set remind send post log
    cancel delete remove complete finish mark clear reschedule move update edit rename"""
)


def _acts(declaration: FunctionDeclaration) -> bool:
    return bool(_ACTING_VERBS & set(identifier_words(declaration.name)))


def _command_words(declaration: FunctionDeclaration) -> list[str]:
    """Words that name the action: the function's name and the nouns and verbs of its description."""
    words = identifier_words(declaration.name)
    words += [t.lower for t in tokenize(declaration.description) if t.is_word and t.lower not in STOPWORDS]
    return words


def _per_item(declaration: FunctionDeclaration, args: dict[str, Any]) -> list[PlannedCall]:
    """ "add milk and eggs" to a function taking one item: one call per item.

    Only for a required free-text string whose parts are alike (all short noun phrases, or all
    commands), so "buy milk and eggs" stays one title.
    """
    parameters = declaration.parameters
    for name in parameters.required:
        value = args.get(name)
        schema: Schema = parameters.properties.get(name, Schema())
        if schema.type != "string" or schema.enum or not is_free_text(name) or not isinstance(value, str):
            continue
        items = split_items(value)
        if len(items) < 2 or any(len(item.split()) > MAX_ITEM_WORDS for item in items):
            continue
        starts_with_verb = {item.split()[0].lower() in COMMAND_VERBS for item in items}
        if len(starts_with_verb) == 1:
            return [PlannedCall(declaration.name, {**args, name: item}) for item in items]
    return [PlannedCall(declaration.name, args)]


_LLM_SYSTEM = """You call functions for the user. The current date and time is {now} ({weekday}).
Functions (JSON Schema of their arguments):
{functions}
Reply with a JSON array of the calls that fulfil the user's last request, each {{"name": ..., "args": {{...}}}}, \
using values from the request. Reply [] when no function fits the request."""


class LlmToolPlanner:
    """The whole decision by the LLM, its output constrained to valid calls by a grammar."""

    def __init__(self, llm: Llm, max_calls: int = 4, history_turns: int = 4) -> None:
        self._llm = llm
        self._max_calls = max_calls
        self._history_turns = history_turns
        self._slot: LlmSlot | None = None
        self._lock = threading.Lock()

    def plan(self, request: PlanningRequest, cancel: threading.Event) -> list[PlannedCall]:
        declarations = list(request.declarations)
        if not declarations or not request.text.strip():
            return []
        functions = "\n".join(
            json.dumps(
                {
                    "name": d.name,
                    "description": d.description,
                    "parameters": to_json_schema(d.parameters),
                },
                ensure_ascii=False,
            )
            for d in declarations
        )
        system = _LLM_SYSTEM.format(
            now=request.now.isoformat(timespec="minutes"), weekday=request.now.strftime("%A"), functions=functions
        )
        history = list(request.context)[-self._history_turns :]
        messages = [ChatMessage("system", system), *history, ChatMessage("user", request.text)]
        params = SamplingParams(
            temperature=0.0, max_tokens=512, seed=0, grammar=calls_grammar(declarations, self._max_calls)
        )
        with self._lock:
            if self._slot is None:
                self._slot = self._llm.open_slot()
            reply = "".join(self._slot.generate(messages, params, cancel))
        if cancel.is_set():
            return []
        try:
            raw_calls = json.loads(reply)
        except json.JSONDecodeError:
            _log.warning("LLM tool planner produced unparsable output: %r", reply[:200])
            return []
        calls = [
            _checked(PlannedCall(str(raw.get("name")), dict(raw.get("args") or {})), declarations)
            for raw in raw_calls
            if isinstance(raw, dict)
        ]
        return [call for call in calls if call is not None]

    def close(self) -> None:
        with self._lock:
            if self._slot is not None:
                self._slot.close()
                self._slot = None
