"""Checks arguments against a declared schema, so no call leaves the server in the wrong shape."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openlive.engine.tools.schema import FunctionDeclaration, Schema


class InvalidArgumentsError(ValueError):
    def __init__(self, function: str, problems: list[str]) -> None:
        super().__init__(f"arguments for {function!r} do not match its schema: " + "; ".join(problems))
        self.function = function
        self.problems = problems


def _type_matches(schema: Schema, value: Any) -> bool:
    match schema.type:
        case "any":
            return True
        case "object":
            return isinstance(value, Mapping)
        case "array":
            return isinstance(value, list)
        case "string":
            return isinstance(value, str)
        case "integer":
            return isinstance(value, int) and not isinstance(value, bool)
        case "number":
            return isinstance(value, int | float) and not isinstance(value, bool)
        case "boolean":
            return isinstance(value, bool)
        case "null":
            return value is None
    return False


def schema_problems(schema: Schema, value: Any, path: str = "args") -> list[str]:
    """Everything wrong with ``value`` under ``schema``; empty when it validates."""
    if value is None and (schema.nullable or schema.type in ("null", "any")):
        return []
    if schema.any_of:
        if any(not schema_problems(alternative, value, path) for alternative in schema.any_of):
            return []
        return [f"{path}: matches none of the allowed alternatives"]
    if not _type_matches(schema, value):
        return [f"{path}: expected {schema.type}, got {type(value).__name__}"]
    if schema.enum and value not in schema.enum:
        return [f"{path}: {value!r} is not one of {list(schema.enum)}"]
    problems: list[str] = []
    if schema.type in ("integer", "number"):
        if schema.minimum is not None and value < schema.minimum:
            problems.append(f"{path}: {value} is below the minimum {schema.minimum:g}")
        if schema.maximum is not None and value > schema.maximum:
            problems.append(f"{path}: {value} is above the maximum {schema.maximum:g}")
    elif schema.type == "array":
        if schema.min_items is not None and len(value) < schema.min_items:
            problems.append(f"{path}: fewer than {schema.min_items} items")
        if schema.max_items is not None and len(value) > schema.max_items:
            problems.append(f"{path}: more than {schema.max_items} items")
        if schema.items is not None:
            for index, item in enumerate(value):
                problems.extend(schema_problems(schema.items, item, f"{path}[{index}]"))
    elif schema.type == "object":
        problems.extend(f"{path}: missing required property {name!r}" for name in schema.required if name not in value)
        for name, item in value.items():
            child = schema.properties.get(name)
            if child is not None:
                problems.extend(schema_problems(child, item, f"{path}.{name}"))
            elif not schema.additional_properties:
                problems.append(f"{path}: unexpected property {name!r}")
    return problems


def validate_arguments(declaration: FunctionDeclaration, args: Mapping[str, Any]) -> None:
    """Raise :class:`InvalidArgumentsError` unless ``args`` fit ``declaration``'s parameters."""
    problems = schema_problems(declaration.parameters, args)
    if problems:
        raise InvalidArgumentsError(declaration.name, problems)
