"""Declaration normalisation: both parameter dialects, both key spellings, one internal schema."""

from __future__ import annotations

from typing import Any

import pytest

from openlive.engine.tools.schema import (
    Schema,
    SchemaError,
    parse_function_declaration,
    parse_tools,
    to_json_schema,
)

OPENAPI_STYLE = {
    "name": "add_task",
    "description": "Add a task.",
    "behavior": "NON_BLOCKING",
    "parameters": {
        "type": "OBJECT",
        "properties": {
            "title": {"type": "STRING", "description": "Task title"},
            "priority": {"type": "STRING", "enum": ["low", "high"], "nullable": True},
            "tags": {"type": "ARRAY", "items": {"type": "STRING"}, "maxItems": "5"},
            "estimate": {"type": "NUMBER", "minimum": 0},
            "subtasks": {
                "type": "OBJECT",
                "properties": {"count": {"type": "INTEGER"}, "done": {"type": "BOOLEAN"}},
                "required": ["count"],
            },
        },
        "required": ["title"],
        "propertyOrdering": ["priority", "title"],
    },
}

JSON_SCHEMA_STYLE = {
    "name": "add_task",
    "description": "Add a task.",
    "behavior": "NON_BLOCKING",
    "parameters_json_schema": {
        "type": "object",
        "$defs": {"Priority": {"type": "string", "enum": ["low", "high"]}},
        "properties": {
            "title": {"type": "string", "description": "Task title"},
            "priority": {"anyOf": [{"$ref": "#/$defs/Priority"}, {"type": "null"}]},
            "tags": {"type": "array", "items": {"type": "string"}, "max_items": 5},
            "estimate": {"type": ["number"], "minimum": 0},
            "subtasks": {
                "type": "object",
                "properties": {"count": {"type": "integer"}, "done": {"type": "boolean"}},
                "required": ["count"],
            },
        },
        "required": ["title"],
    },
}


@pytest.mark.parametrize("raw", [OPENAPI_STYLE, JSON_SCHEMA_STYLE], ids=["openapi", "json-schema"])
def test_both_dialects_give_the_same_typed_schema(raw: dict[str, object]) -> None:
    declaration = parse_function_declaration(raw)
    parameters = declaration.parameters
    assert declaration.behavior == "NON_BLOCKING"
    assert parameters.type == "object"
    assert parameters.required == ("title",)
    assert parameters.properties["title"] == Schema(type="string", description="Task title")
    priority = parameters.properties["priority"]
    assert (priority.type, priority.enum, priority.nullable) == ("string", ("low", "high"), True)
    tags = parameters.properties["tags"]
    assert tags.type == "array" and tags.items == Schema(type="string") and tags.max_items == 5
    assert parameters.properties["estimate"].minimum == 0
    subtasks = parameters.properties["subtasks"]
    assert subtasks.required == ("count",)
    assert {name: child.type for name, child in subtasks.properties.items()} == {
        "count": "integer",
        "done": "boolean",
    }


def test_property_ordering_is_kept() -> None:
    declaration = parse_function_declaration(OPENAPI_STYLE)
    assert list(declaration.parameters.properties)[:2] == ["priority", "title"]


def test_json_schema_allows_extra_keys_unless_closed_and_openapi_does_not() -> None:
    assert parse_function_declaration(JSON_SCHEMA_STYLE).parameters.additional_properties
    assert not parse_function_declaration(OPENAPI_STYLE).parameters.additional_properties


def test_declaration_without_parameters_takes_an_empty_object() -> None:
    declaration = parse_function_declaration({"name": "turn_on_the_lights", "description": "Lights on."})
    assert declaration.parameters == Schema(type="object")
    assert declaration.behavior == "UNSPECIFIED"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"name": "bad name!"}, "invalid function name"),
        ({"name": "f", "parameters": {"type": "OBJECT"}, "parametersJsonSchema": {}}, "not both"),
        ({"name": "f", "parameters": {"type": "STRING"}}, "must describe an object"),
        ({"name": "f", "parameters": {"type": "OBJECT", "required": ["x"], "properties": {"y": {}}}}, "undeclared"),
        ({"name": "f", "parameters": {"type": "WIDGET"}}, "unknown type"),
        ({"name": "f", "behavior": "SOMETIMES"}, "unknown behavior"),
        ({"name": "f", "parametersJsonSchema": {"$ref": "#/$defs/Missing"}}, "does not resolve"),
    ],
)
def test_unusable_declarations_are_refused_with_a_reason(raw: dict[str, object], message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        parse_function_declaration(raw)


def test_parse_tools_skips_other_tool_kinds_and_keeps_the_last_duplicate() -> None:
    tools: list[dict[str, Any]] = [
        {"googleSearch": {}},
        {"function_declarations": [{"name": "turn_on_the_lights", "description": "first"}]},
        {"functionDeclarations": [{"name": "turn_on_the_lights", "description": "second"}, {"name": "dim"}]},
    ]
    declarations = parse_tools(tools)
    assert [d.name for d in declarations] == ["turn_on_the_lights", "dim"]
    assert declarations[0].description == "second"


def test_to_json_schema_round_trips_through_the_parser() -> None:
    parameters = parse_function_declaration(OPENAPI_STYLE).parameters
    again = parse_function_declaration({"name": "f", "parametersJsonSchema": to_json_schema(parameters)})
    assert again.parameters.properties == parameters.properties
    assert again.parameters.required == parameters.required
