"""Function declarations as clients send them, normalised into one typed schema.

Gemini clients describe parameters in two dialects: ``parameters`` (an OpenAPI subset with
upper-case type names such as ``OBJECT``) and ``parametersJsonSchema`` (plain JSON Schema, what
the Python SDK emits for callables). Keys arrive in camelCase or snake_case. Both dialects become
the same :class:`Schema`, so validation, grammars and argument filling have one shape to handle.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

SchemaType = Literal["object", "array", "string", "integer", "number", "boolean", "null", "any"]
Behavior = Literal["UNSPECIFIED", "BLOCKING", "NON_BLOCKING"]

_TYPES: dict[str, SchemaType] = {
    "object": "object",
    "array": "array",
    "string": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "null": "null",
    "type_unspecified": "any",
}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:\-]{0,127}$")


class SchemaError(ValueError):
    """A declaration or schema the server cannot use; the message says where and why."""


@dataclass(frozen=True)
class Schema:
    type: SchemaType = "any"
    description: str = ""
    title: str = ""
    enum: tuple[Any, ...] = ()
    format: str = ""
    items: Schema | None = None
    properties: Mapping[str, Schema] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    nullable: bool = False
    has_default: bool = False
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    min_items: int | None = None
    max_items: int | None = None
    any_of: tuple[Schema, ...] = ()
    additional_properties: bool = False


@dataclass(frozen=True)
class FunctionDeclaration:
    name: str
    description: str = ""
    parameters: Schema = field(default_factory=lambda: Schema(type="object"))
    behavior: Behavior = "UNSPECIFIED"
    response: Schema | None = None


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def _get(raw: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """``raw[key]`` under its camelCase or snake_case spelling."""
    if key in raw:
        return raw[key]
    return raw.get(_snake(key), default)


def _number(value: Any, where: str) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise SchemaError(f"{where}: expected a number, got {value!r}") from None


def _count(value: Any, where: str) -> int | None:
    # proto3 JSON sends int64 values such as maxItems as strings.
    number = _number(value, where)
    return None if number is None else int(number)


class _Parser:
    def __init__(self, root: Mapping[str, Any], json_schema: bool) -> None:
        self._root = root
        self._json_schema = json_schema

    def parse(self, raw: Any, where: str, depth: int = 0) -> Schema:
        if depth > 32:
            raise SchemaError(f"{where}: schema nests too deeply (recursive $ref?)")
        if raw is True or raw == {}:
            return Schema()
        if not isinstance(raw, Mapping):
            raise SchemaError(f"{where}: a schema must be an object, got {type(raw).__name__}")
        reference = raw.get("$ref")
        if isinstance(reference, str):
            resolved = self._resolve(reference, where)
            merged = {**resolved, **{k: v for k, v in raw.items() if k != "$ref"}}
            return self.parse(merged, where, depth + 1)
        all_of = raw.get("allOf") or raw.get("all_of")
        if isinstance(all_of, list) and all_of:
            merged = {k: v for k, v in raw.items() if k not in ("allOf", "all_of")}
            for part in all_of:
                part_raw = part
                if isinstance(part, Mapping) and isinstance(part.get("$ref"), str):
                    part_raw = self._resolve(part["$ref"], where)
                if isinstance(part_raw, Mapping):
                    merged = {**part_raw, **merged}
            return self.parse(merged, where, depth + 1)

        nullable = bool(_get(raw, "nullable", False))
        declared = _get(raw, "type")
        if isinstance(declared, list):
            kinds = [str(kind).lower() for kind in declared]
            nullable = nullable or "null" in kinds
            kinds = [kind for kind in kinds if kind != "null"]
            declared = kinds[0] if len(kinds) == 1 else None if not kinds else "__union__"
            if declared == "__union__":
                alternatives = tuple(self.parse({**raw, "type": kind}, where, depth + 1) for kind in kinds)
                return Schema(any_of=alternatives, nullable=nullable, description=_text(raw, "description"))
        alternatives_raw = _get(raw, "anyOf") or raw.get("oneOf") or raw.get("one_of")
        any_of: tuple[Schema, ...] = ()
        if isinstance(alternatives_raw, list):
            parsed = [self.parse(alt, f"{where}.anyOf[{i}]", depth + 1) for i, alt in enumerate(alternatives_raw)]
            nullable = nullable or any(alt.type == "null" for alt in parsed)
            parsed = [alt for alt in parsed if alt.type != "null"]
            if len(parsed) == 1 and declared is None:
                only = parsed[0]
                description = _text(raw, "description") or only.description
                return replace(only, nullable=nullable or only.nullable, description=description)
            any_of = tuple(parsed)

        enum_raw = _get(raw, "enum")
        if "const" in raw:
            enum_raw = [raw["const"]]
        enum = tuple(enum_raw) if isinstance(enum_raw, list) else ()
        kind = self._kind(declared, raw, enum, where)

        properties: dict[str, Schema] = {}
        properties_raw = _get(raw, "properties")
        if isinstance(properties_raw, Mapping):
            for name, child in properties_raw.items():
                properties[str(name)] = self.parse(child, f"{where}.{name}", depth + 1)
        elif properties_raw is not None:
            raise SchemaError(f"{where}.properties: expected an object")
        required = _get(raw, "required") or ()
        if not isinstance(required, list | tuple) or not all(isinstance(r, str) for r in required):
            raise SchemaError(f"{where}.required: expected a list of property names")
        unknown = [name for name in required if properties and name not in properties]
        if unknown:
            raise SchemaError(f"{where}.required names undeclared properties: {', '.join(unknown)}")
        ordering = _get(raw, "propertyOrdering")
        if isinstance(ordering, list):
            rank = {name: i for i, name in enumerate(ordering)}
            properties = dict(sorted(properties.items(), key=lambda item: rank.get(item[0], len(rank))))

        items_raw = _get(raw, "items")
        items = self.parse(items_raw, f"{where}[]", depth + 1) if items_raw is not None else None
        extra = _get(raw, "additionalProperties")
        default_present = "default" in raw
        return Schema(
            type=kind,
            description=_text(raw, "description"),
            title=_text(raw, "title"),
            enum=enum,
            format=_text(raw, "format"),
            items=items,
            properties=properties,
            required=tuple(required),
            nullable=nullable,
            has_default=default_present,
            default=raw.get("default"),
            minimum=_number(_get(raw, "minimum"), f"{where}.minimum"),
            maximum=_number(_get(raw, "maximum"), f"{where}.maximum"),
            min_items=_count(_get(raw, "minItems"), f"{where}.minItems"),
            max_items=_count(_get(raw, "maxItems"), f"{where}.maxItems"),
            any_of=any_of,
            # JSON Schema allows extra keys unless told otherwise; the OpenAPI subset has no such notion.
            additional_properties=kind == "object" and (bool(extra) if extra is not None else self._json_schema),
        )

    def _kind(self, declared: Any, raw: Mapping[str, Any], enum: tuple[Any, ...], where: str) -> SchemaType:
        if declared is None:
            if _get(raw, "properties") is not None:
                return "object"
            if _get(raw, "items") is not None:
                return "array"
            if enum and all(isinstance(value, str) for value in enum):
                return "string"
            return "any"
        kind = _TYPES.get(str(declared).lower())
        if kind is None:
            raise SchemaError(f"{where}.type: unknown type {declared!r}")
        return kind

    def _resolve(self, reference: str, where: str) -> Mapping[str, Any]:
        if not reference.startswith("#/"):
            raise SchemaError(f"{where}: only local $ref values are supported, got {reference!r}")
        node: Any = self._root
        for part in reference[2:].split("/"):
            if not isinstance(node, Mapping) or part not in node:
                raise SchemaError(f"{where}: $ref {reference!r} does not resolve")
            node = node[part]
        if not isinstance(node, Mapping):
            raise SchemaError(f"{where}: $ref {reference!r} is not a schema")
        return node


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    return value if isinstance(value, str) else ""


def parse_schema(raw: Any, *, json_schema: bool = False, where: str = "schema") -> Schema:
    """Normalise one schema; ``json_schema`` selects the JSON Schema dialect's defaults."""
    root = raw if isinstance(raw, Mapping) else {}
    return _Parser(root, json_schema).parse(raw, where)


def parse_function_declaration(raw: Mapping[str, Any]) -> FunctionDeclaration:
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise SchemaError(f"functionDeclarations: invalid function name {name!r}")
    where = f"function {name!r}"
    parameters_raw = _get(raw, "parameters")
    json_raw = _get(raw, "parametersJsonSchema")
    if parameters_raw is not None and json_raw is not None:
        raise SchemaError(f"{where}: give parameters or parametersJsonSchema, not both")
    if json_raw is not None:
        parameters = parse_schema(json_raw, json_schema=True, where=f"{where}.parametersJsonSchema")
    elif parameters_raw is not None:
        parameters = parse_schema(parameters_raw, where=f"{where}.parameters")
    else:
        parameters = Schema(type="object")
    if parameters.type == "any" and not parameters.properties:
        parameters = replace(parameters, type="object")
    if parameters.type != "object":
        raise SchemaError(f"{where}: parameters must describe an object, got {parameters.type}")
    behavior = str(_get(raw, "behavior") or "UNSPECIFIED").upper()
    if behavior not in ("UNSPECIFIED", "BLOCKING", "NON_BLOCKING"):
        raise SchemaError(f"{where}: unknown behavior {behavior!r}")
    response_raw = _get(raw, "responseJsonSchema")
    response_json = response_raw is not None
    if response_raw is None:
        response_raw = _get(raw, "response")
    response = (
        parse_schema(response_raw, json_schema=response_json, where=f"{where}.response")
        if response_raw is not None
        else None
    )
    return FunctionDeclaration(
        name=name,
        description=_text(raw, "description"),
        parameters=parameters,
        behavior=behavior,  # type: ignore[arg-type]  # checked against the Literal just above
        response=response,
    )


def parse_tools(tools: Sequence[Mapping[str, Any]]) -> list[FunctionDeclaration]:
    """The function declarations in a ``tools`` list; other tool kinds (search, code) are skipped.

    A name declared twice keeps its last declaration, as a later ``contextUpdate`` would.
    """
    by_name: dict[str, FunctionDeclaration] = {}
    for index, tool in enumerate(tools):
        if not isinstance(tool, Mapping):
            raise SchemaError(f"tools[{index}]: expected an object")
        declarations = _get(tool, "functionDeclarations") or []
        if not isinstance(declarations, list):
            raise SchemaError(f"tools[{index}].functionDeclarations: expected a list")
        for raw in declarations:
            if not isinstance(raw, Mapping):
                raise SchemaError(f"tools[{index}].functionDeclarations: expected objects")
            declaration = parse_function_declaration(raw)
            by_name.pop(declaration.name, None)
            by_name[declaration.name] = declaration
    return list(by_name.values())


def to_json_schema(schema: Schema) -> dict[str, Any]:
    """The schema in plain JSON Schema form (for prompts and grammar generation)."""
    out: dict[str, Any] = {}
    if schema.any_of:
        out["anyOf"] = [to_json_schema(alt) for alt in schema.any_of]
    elif schema.type != "any":
        out["type"] = [schema.type, "null"] if schema.nullable else schema.type
    if schema.description:
        out["description"] = schema.description
    if schema.enum:
        out["enum"] = list(schema.enum)
    if schema.format:
        out["format"] = schema.format
    if schema.items is not None:
        out["items"] = to_json_schema(schema.items)
    if schema.properties:
        out["properties"] = {name: to_json_schema(child) for name, child in schema.properties.items()}
    if schema.required:
        out["required"] = list(schema.required)
    if schema.type == "object" and not schema.additional_properties:
        out["additionalProperties"] = False
    for key, value in (
        ("minimum", schema.minimum),
        ("maximum", schema.maximum),
        ("minItems", schema.min_items),
        ("maxItems", schema.max_items),
    ):
        if value is not None:
            out[key] = value
    return out
