"""Function declarations written the way a client sends them, for the planner's tests."""

from __future__ import annotations

from typing import Any

from openlive.engine.tools.schema import FunctionDeclaration, parse_function_declaration


def declaration(name: str, description: str, properties: dict[str, Any], required: list[str]) -> FunctionDeclaration:
    return parse_function_declaration(
        {
            "name": name,
            "description": description,
            "parametersJsonSchema": {"type": "object", "properties": properties, "required": required},
        }
    )
