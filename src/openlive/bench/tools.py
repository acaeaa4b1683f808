"""``openlive bench tools``: function-calling accuracy and planning latency.

(a) BFCL (Berkeley Function Calling Leaderboard) categories ``simple_python``, ``multiple`` and
``irrelevance`` from the data bundled in the ``bfcl-eval`` package, scored by AST match against
``possible_answer`` as BFCL's ``ast_checker`` does (re-implemented here: the package's checker imports
every model SDK). (b) The task-manager utterances in ``bench/data/tools/task_manager.jsonl``, scored
from text (the spoken version, audio through the SDK, goes through the server; see
:func:`load_task_manager_set`).

    openlive bench tools [--limit N] [--planner embedded|llm] [--llm none|llama-cpp] [--sets ...] [--half even|odd]
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from openlive.bench.report import BenchTable, median, percentile
from openlive.engine.tools.planner import (
    EmbeddedToolPlanner,
    LlmToolPlanner,
    PlannedCall,
    PlanningRequest,
    ToolPlanner,
)
from openlive.engine.tools.schema import FunctionDeclaration, parse_function_declaration, parse_tools

BFCL_CATEGORIES = ("simple_python", "multiple", "irrelevance")
TARGETS = {"simple_python": 0.80, "multiple": 0.70, "irrelevance": 0.90, "task_manager": 0.90}
TASK_MANAGER_SET = Path("bench/data/tools/task_manager.jsonl")
# BFCL questions carry no date; any fixed time keeps runs reproducible.
_BFCL_NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

# BFCL describes Python parameters with Python type names.
_BFCL_TYPES = {"dict": "object", "float": "number", "tuple": "array", "list": "array", "any": None}
_PYTHON_TYPES: dict[str, type] = {
    "string": str,
    "integer": int,
    "float": float,
    "boolean": bool,
    "array": list,
    "tuple": list,
    "dict": dict,
    "any": str,
}


# ---- BFCL data -------------------------------------------------------------------------------------


def bfcl_data_dir() -> Path:
    spec = find_spec("bfcl_eval")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("bfcl-eval is not installed: pip install --no-deps bfcl-eval==2026.3.23")
    return Path(spec.submodule_search_locations[0]) / "data"


def _bfcl_schema(raw: Any) -> Any:
    """BFCL's Python-typed schema as a JSON Schema the declaration parser accepts."""
    if isinstance(raw, list):
        return [_bfcl_schema(item) for item in raw]
    if not isinstance(raw, Mapping):
        return raw
    out = {key: _bfcl_schema(value) for key, value in raw.items() if key != "type"}
    if "properties" in raw and isinstance(raw["properties"], Mapping):
        out["properties"] = {name: _bfcl_schema(child) for name, child in raw["properties"].items()}
    kind = raw.get("type")
    if isinstance(kind, str):
        mapped = _BFCL_TYPES.get(kind, kind)
        if mapped is not None:
            out["type"] = mapped
    return out


def bfcl_declaration(function: Mapping[str, Any]) -> FunctionDeclaration:
    return parse_function_declaration(
        {
            "name": function["name"],
            "description": function.get("description", ""),
            "parametersJsonSchema": _bfcl_schema(function.get("parameters", {"type": "dict"})),
        }
    )


@dataclass(frozen=True)
class BfclCase:
    id: str
    question: str
    functions: list[dict[str, Any]]
    ground_truth: list[dict[str, Any]]


def load_bfcl(category: str, limit: int | None = None) -> list[BfclCase]:
    directory = bfcl_data_dir()
    answers: dict[str, list[dict[str, Any]]] = {}
    answer_file = directory / "possible_answer" / f"BFCL_v4_{category}.json"
    if answer_file.exists():
        for line in answer_file.read_text().splitlines():
            record = json.loads(line)
            answers[record["id"]] = record["ground_truth"]
    cases = []
    for line in (directory / f"BFCL_v4_{category}.json").read_text().splitlines()[:limit]:
        record = json.loads(line)
        turn = record["question"][0]
        question = next((m["content"] for m in reversed(turn) if m["role"] == "user"), "")
        cases.append(BfclCase(record["id"], question, record["function"], answers.get(record["id"], [])))
    return cases


# ---- BFCL AST checker (Python), after bfcl_eval/eval_checker/ast_eval/ast_checker.py ------------------


def _standardize(text: str) -> str:
    return re.sub(r"[ ,./\-_*^]", "", text).lower().replace("'", '"')


def _answer_type(possible: list[Any]) -> type | None:
    return next((type(answer) for answer in possible if answer != ""), None)


def _type_ok(value: Any, possible: list[Any], expected: type, nested: type | None) -> tuple[bool, bool]:
    """(valid, is_variable) as BFCL's type_checker decides them."""
    answer_type = _answer_type(possible)
    is_variable = answer_type is not None and answer_type != expected
    items: Any = value
    if type(value) is expected:
        if nested is None:
            return True, is_variable
        for answer in possible:
            if isinstance(answer, list) and all(_type_ok(item, answer, nested, None)[0] for item in items):
                return True, is_variable
            if not isinstance(answer, list):
                return True, is_variable
    if answer_type is not None and type(value) is answer_type:
        return True, True
    return False, is_variable


def _string_ok(value: str, possible: list[Any]) -> bool:
    return _standardize(value) in [_standardize(answer) for answer in possible if isinstance(answer, str)]


def _list_ok(value: list[Any], possible: list[Any]) -> bool:
    standardized = [_standardize(item) if isinstance(item, str) else item for item in value]
    options = [
        [_standardize(item) if isinstance(item, str) else item for item in answer]
        for answer in possible
        if isinstance(answer, list)
    ]
    return standardized in options


def _dict_ok(value: Mapping[str, Any], possible: list[Any]) -> bool:
    for answer in possible:
        if answer == "" or not isinstance(answer, Mapping):
            continue
        fits = all(
            key in answer
            and (_standardize(item) if isinstance(item, str) else item)
            in [_standardize(a) if isinstance(a, str) else a for a in answer[key]]
            for key, item in value.items()
        ) and all(key in value or "" in options for key, options in answer.items())
        if fits:
            return True
    return False


def _list_dict_ok(value: list[Any], possible: list[Any]) -> bool:
    for answer in possible:
        if (
            isinstance(answer, list)
            and len(answer) == len(value)
            and all(isinstance(v, Mapping) and _dict_ok(v, [a]) for v, a in zip(value, answer, strict=True))
        ):
            return True
    return False


def bfcl_call_matches(function: Mapping[str, Any], args: Mapping[str, Any], answer: Mapping[str, Any]) -> bool:
    """BFCL's simple_function_checker for Python: ``answer`` maps parameter → allowed values."""
    details = function["parameters"]["properties"]
    for required in function["parameters"].get("required", []):
        if required not in args:
            return False
    for name, value in args.items():
        if name not in details or name not in answer:
            return False
        type_name = details[name]["type"]
        expected = _PYTHON_TYPES[type_name]
        nested = None
        if type_name in ("array", "tuple"):
            nested = _PYTHON_TYPES.get(details[name].get("items", {}).get("type", "any"))
        if type_name == "tuple" and isinstance(value, tuple):
            value = list(value)
        if type_name == "float" and type(value) is int:
            value = float(value)
        valid, is_variable = _type_ok(value, answer[name], expected, nested)
        if not valid:
            return False
        if not is_variable:
            if expected is dict:
                if not _dict_ok(value, answer[name]):
                    return False
                continue
            if expected is list and nested is dict:
                if not _list_dict_ok(value, answer[name]):
                    return False
                continue
            if expected is str:
                if not _string_ok(value, answer[name]):
                    return False
                continue
            if expected is list:
                if not _list_ok(value, answer[name]):
                    return False
                continue
        if value not in answer[name]:
            return False
    return all(name in args or "" in options for name, options in answer.items())


def score_bfcl(case: BfclCase, category: str, calls: Sequence[PlannedCall]) -> bool:
    if "irrelevance" in category:
        return not calls
    if len(calls) != len(case.ground_truth) or len(calls) != 1:
        return False
    expected_name, answer = next(iter(case.ground_truth[0].items()))
    call = calls[0]
    if call.name != expected_name:
        return False
    function = next(f for f in case.functions if f["name"] == expected_name)
    return bfcl_call_matches(function, call.args, answer)


# ---- task-manager set --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskManagerCase:
    id: str
    text: str
    now: datetime
    declarations: list[FunctionDeclaration]
    expected: list[PlannedCall]


def load_task_manager_set(path: Path = TASK_MANAGER_SET, limit: int | None = None) -> list[TaskManagerCase]:
    """The utterances with their tools and expected calls; the spoken bench plays the same texts."""
    tools_cache: dict[str, list[FunctionDeclaration]] = {}
    cases = []
    for line in path.read_text().splitlines()[:limit]:
        record = json.loads(line)
        tools_file = record["tools"]
        if tools_file not in tools_cache:
            tools_cache[tools_file] = parse_tools(json.loads((path.parent / tools_file).read_text()))
        expected = [PlannedCall(call["name"], call["args"]) for call in record["expected"]]
        cases.append(
            TaskManagerCase(
                record["id"], record["text"], datetime.fromisoformat(record["now"]), tools_cache[tools_file], expected
            )
        )
    return cases


def _normalized(call: PlannedCall) -> str:
    """Strings compare case-insensitively and without edge punctuation (transcripts vary in both)."""
    args = {
        key: " ".join(value.casefold().strip(" .,!?").split()) if isinstance(value, str) else value
        for key, value in call.args.items()
    }
    return json.dumps({"name": call.name, "args": args}, sort_keys=True)


def calls_match(got: Sequence[PlannedCall], expected: Sequence[PlannedCall]) -> bool:
    """Exact function and argument match, in any order."""
    return sorted(map(_normalized, got)) == sorted(map(_normalized, expected))


# ---- running -------------------------------------------------------------------------------------------


@dataclass
class CategoryResult:
    name: str
    passed: int = 0
    total: int = 0
    latencies_ms: list[float] | None = None
    failures: list[str] | None = None
    # Pass or fail per case, in the set's order; None for a case of the half not run.
    outcomes: list[bool | None] | None = None

    @property
    def accuracy(self) -> float:
        return self.passed / self.total if self.total else float("nan")

    def half_accuracy(self, parity: int) -> float:
        """Accuracy on the cases at even (0) or odd (1) positions of the set."""
        half = [outcome for outcome in (self.outcomes or [])[parity::2] if outcome is not None]
        return sum(half) / len(half) if half else float("nan")


def _timed_plan(planner: ToolPlanner, request: PlanningRequest) -> tuple[list[PlannedCall], float]:
    start = time.perf_counter()
    calls = planner.plan(request, threading.Event())
    return calls, (time.perf_counter() - start) * 1000


def _run_cases(
    name: str, cases: Sequence[Any], attempt: Callable[[Any], tuple[bool, float, str]], parity: int | None = None
) -> CategoryResult:
    """Every case, or only those at even (``parity`` 0) or odd (1) positions."""
    result = CategoryResult(name, latencies_ms=[], failures=[], outcomes=[])
    assert result.latencies_ms is not None and result.failures is not None and result.outcomes is not None
    for index, case in enumerate(cases):
        if parity is not None and index % 2 != parity:
            result.outcomes.append(None)
            continue
        passed, latency, detail = attempt(case)
        result.total += 1
        result.passed += passed
        result.outcomes.append(passed)
        result.latencies_ms.append(latency)
        if not passed:
            result.failures.append(detail)
    return result


def run_bfcl(planner: ToolPlanner, category: str, limit: int | None, parity: int | None = None) -> CategoryResult:
    def attempt(case: BfclCase) -> tuple[bool, float, str]:
        declarations = [bfcl_declaration(function) for function in case.functions]
        calls, latency = _timed_plan(planner, PlanningRequest(case.question, declarations, _BFCL_NOW))
        got = [{c.name: c.args} for c in calls]
        return score_bfcl(case, category, calls), latency, f"{case.id}: {case.question!r} → {got}"

    return _run_cases(category, load_bfcl(category, limit), attempt, parity)


def run_task_manager(planner: ToolPlanner, limit: int | None) -> CategoryResult:
    def attempt(case: TaskManagerCase) -> tuple[bool, float, str]:
        calls, latency = _timed_plan(planner, PlanningRequest(case.text, case.declarations, case.now))
        got = [{c.name: c.args} for c in calls]
        expected = [{c.name: c.args} for c in case.expected]
        return calls_match(calls, case.expected), latency, f"{case.id}: {case.text!r} → {got}, want {expected}"

    return _run_cases("task_manager", load_task_manager_set(limit=limit), attempt)


CALIBRATION_SETS = ("live_simple", "live_irrelevance")


def calibrate(planner: EmbeddedToolPlanner, limit: int | None) -> BenchTable:
    """Sweep the "none" threshold on BFCL's live sets, which the accuracy table does not report.

    A relevant request passes when its best function scores at least the threshold, an
    irrelevant one when it scores below; the threshold with the best mean of the two is marked.
    """
    scores: dict[str, list[float]] = {}
    for category in CALIBRATION_SETS:
        scores[category] = [
            planner.relevance(
                PlanningRequest(case.question, [bfcl_declaration(f) for f in case.functions], _BFCL_NOW),
                threading.Event(),
            )
            for case in load_bfcl(category, limit)
        ]
    relevant, irrelevant = scores["live_simple"], scores["live_irrelevance"]
    table = BenchTable(
        name="tools-calibration",
        title="Function calling: the no-call threshold on BFCL live_simple / live_irrelevance",
        columns=["threshold", "relevant called", "irrelevant not called", "mean"],
    )
    rows = []
    for step in range(15, 71, 2):
        threshold = step / 100
        called = sum(score >= threshold for score in relevant) / len(relevant)
        refused = sum(score < threshold for score in irrelevant) / len(irrelevant)
        rows.append((threshold, called, refused))
    best = max(rows, key=lambda row: row[1] + row[2])
    for threshold, called, refused in rows:
        mark = " ←" if (threshold, called, refused) == best else ""
        table.add_row(f"{threshold:.2f}{mark}", f"{called:.1%}", f"{refused:.1%}", f"{(called + refused) / 2:.1%}")
    table.notes.append(
        f"{len(relevant)} relevant and {len(irrelevant)} irrelevant requests; current default "
        f"threshold {planner.selector.threshold:.2f}."
    )
    return table


def build_planner(kind: str, llm_name: str) -> tuple[ToolPlanner, str]:
    from openlive.backends import registry
    from openlive.backends.embedder.minilm import MiniLmEmbedder

    llm = registry.create("llm", llm_name, n_ctx=4096, max_slots=2) if llm_name != "none" else None
    if kind == "llm":
        if llm is None:
            raise SystemExit("--planner llm needs an LLM (--llm llama-cpp)")
        return LlmToolPlanner(llm), f"LLM-only planner ({llm.name}, grammar-constrained JSON)"
    label = "embedded planner (all-MiniLM-L6-v2 + rules"
    label += f" + {llm.name} choice)" if llm is not None else ", no LLM)"
    return EmbeddedToolPlanner(MiniLmEmbedder(), llm), label


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="openlive bench tools", description=__doc__)
    parser.add_argument("--limit", type=int, default=None, help="only the first N cases of each set")
    parser.add_argument("--planner", choices=("embedded", "llm"), default="embedded")
    parser.add_argument("--llm", default="llama-cpp", help="LLM backend name, or 'none'")
    parser.add_argument("--sets", nargs="+", default=[*BFCL_CATEGORIES, "task_manager"], help="which sets to run")
    parser.add_argument("--show-failures", type=int, default=0, help="print up to N failures per set")
    parser.add_argument(
        "--half",
        choices=("even", "odd"),
        default=None,
        help="BFCL: only the even-indexed cases (for tuning) or the odd-indexed (held out)",
    )
    parser.add_argument(
        "--calibrate", action="store_true", help="sweep the no-call threshold on BFCL's live sets instead"
    )
    options = parser.parse_args(argv)

    planner, label = build_planner(options.planner, options.llm)
    if options.calibrate:
        if not isinstance(planner, EmbeddedToolPlanner):
            raise SystemExit("--calibrate applies to the embedded planner")
        calibration = calibrate(planner, options.limit)
        print(calibration.render())
        print(f"saved {calibration.save()}")
        return 0
    # Loading models is not planning: warm up once before timing.
    planner.plan(PlanningRequest("warm up", [bfcl_declaration({"name": "noop"})], _BFCL_NOW), threading.Event())
    parity = {"even": 0, "odd": 1, None: None}[options.half]
    results = []
    for name in options.sets:
        if name == "task_manager":
            result = run_task_manager(planner, options.limit)
        else:
            result = run_bfcl(planner, name, options.limit, parity)
        results.append(result)
        print(f"{name}: {result.passed}/{result.total}", flush=True)
        for failure in (result.failures or [])[: options.show_failures]:
            print("  FAIL", failure)

    table = BenchTable(
        name="tools",
        title="Function calling: BFCL (AST match) and task-manager utterances (text)",
        columns=["set", "cases", "accuracy", "target", "median ms", "p90 ms"],
    )
    for result in results:
        latencies = result.latencies_ms or []
        target = TARGETS.get(result.name)
        table.add_row(
            result.name,
            result.total,
            f"{result.accuracy:.1%}",
            f"≥ {target:.0%}" if target is not None else "",
            f"{median(latencies):.0f}",
            f"{percentile(latencies, 90):.0f}",
        )
    table.notes.append(f"Planner: {label}. Latency: planning only, per request, on one thread.")
    halves = [
        f"{result.name} {result.half_accuracy(0):.1%} / {result.half_accuracy(1):.1%}"
        for result in results
        if result.name in BFCL_CATEGORIES
    ]
    if halves:
        table.notes.append(
            "BFCL by half, even-indexed cases (the planner's weights were calibrated on these) / odd-indexed "
            "(held out): " + ", ".join(halves) + "."
        )
    table.notes.append("BFCL data: bfcl-eval 2026.3.23, BFCL_v4 files; scored like BFCL's Python AST checker.")
    if options.limit:
        table.notes.append(f"Quick run: first {options.limit} cases of each set only.")
    if options.half:
        table.notes.append(f"BFCL: {options.half}-indexed cases only.")
    print(table.render())
    print(f"saved {table.save()}")
    return 0
