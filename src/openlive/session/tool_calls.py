"""Function calls the session issued to the client, and the words the LLM gets about them."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field

from openlive.engine.tools.planner import PlannedCall
from openlive.engine.tools.schema import FunctionDeclaration, SchemaError, parse_schema
from openlive.protocol.errors import invalid_argument
from openlive.protocol.messages import FunctionBehavior, FunctionCall, FunctionResponse, Tool


def engine_declarations(tools: tuple[Tool, ...]) -> list[FunctionDeclaration]:
    """The client's declarations in the planner's form; a schema it cannot use is a 1007."""
    declarations = []
    for tool in tools:
        for declaration in tool.function_declarations:
            where = f"function_declarations[{declaration.name}]"
            try:
                if declaration.parameters_json_schema is not None:
                    parameters = parse_schema(declaration.parameters_json_schema, json_schema=True, where=where)
                else:
                    parameters = parse_schema(declaration.parameters or {"type": "OBJECT"}, where=where)
            except SchemaError as error:
                raise invalid_argument(f"Invalid function declaration: {error}") from None
            declarations.append(
                FunctionDeclaration(
                    name=declaration.name,
                    description=declaration.description,
                    parameters=parameters,
                    behavior=declaration.behavior.value,
                )
            )
    return declarations


@dataclass(frozen=True)
class PendingCall:
    call: FunctionCall
    blocking: bool


@dataclass
class ToolCallBook:
    """Calls sent in ``toolCall`` messages that the client has not answered yet."""

    behaviors: dict[str, FunctionBehavior] = field(default_factory=dict)
    pending: dict[str, PendingCall] = field(default_factory=dict)

    def declare(self, tools: tuple[Tool, ...]) -> None:
        self.behaviors = {d.name: d.behavior for tool in tools for d in tool.function_declarations}

    def issue(self, planned: list[PlannedCall]) -> tuple[PendingCall, ...]:
        issued = tuple(
            PendingCall(
                FunctionCall(id=f"function-call-{secrets.randbelow(10**17)}", name=call.name, args=call.args),
                blocking=self.behaviors.get(call.name) is not FunctionBehavior.NON_BLOCKING,
            )
            for call in planned
        )
        self.pending.update((item.call.id, item) for item in issued)
        return issued

    def resolve(self, response: FunctionResponse) -> PendingCall:
        pending = self.pending.pop(response.id, None)
        if pending is None:
            raise invalid_argument(f"Unknown function call id in tool_response: {response.id or '(none)'}")
        if response.name and response.name != pending.call.name:
            raise invalid_argument(
                f"tool_response for {response.id} names {response.name!r}, but the call was to {pending.call.name!r}."
            )
        return pending

    @property
    def blocking_pending(self) -> bool:
        return any(item.blocking for item in self.pending.values())


def _call_text(call: FunctionCall) -> str:
    return f"{call.name} with {json.dumps(call.args, ensure_ascii=False)}"


def results_note(results: list[tuple[FunctionCall, FunctionResponse]]) -> str:
    """What the LLM is told once results are back, so it can confirm them to the user."""
    done = "; ".join(
        f"the function {_call_text(call)} returned {json.dumps(response.response, ensure_ascii=False)}"
        for call, response in results
    )
    return f"You called {done}. Tell the user the outcome in one short sentence."


def started_note(calls: tuple[PendingCall, ...]) -> str:
    started = "; ".join(_call_text(item.call) for item in calls)
    return (
        f"You started {started} in the background; the result is not back yet. "
        "Tell the user in one short sentence that you are on it."
    )
