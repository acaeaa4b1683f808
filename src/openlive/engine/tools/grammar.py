"""GBNF grammars (llama.cpp's grammar format) generated from tool schemas.

Two kinds: a choice among given strings (the small model picks, it cannot invent), and the JSON
array of calls ``[{"name": ..., "args": {...}}]`` that a model taking the whole decision must emit.
Required properties come first in declaration order; optional ones may follow, each at most once and
in declaration order, which keeps every accepted output valid against the schema.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from openlive.engine.tools.schema import FunctionDeclaration, Schema

_BASE_RULES = {
    "ws": "[ ]?",
    "char": r'[^"\\\x7F\x00-\x1F] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F]{4})',
    "string": '"\\"" char{0,256} "\\""',
    "integer": '"-"? ("0" | [1-9] [0-9]{0,15})',
    "number": 'integer ("." [0-9]{1,15})? ([eE] [-+]? [0-9]{1,3})?',
    "boolean": '"true" | "false"',
    "null": '"null"',
    "json-value": "json-object | json-array | string | number | boolean | null",
    "json-object": '"{" ws ( string ws ":" ws json-value ( ws "," ws string ws ":" ws json-value ){0,31} )? ws "}"',
    "json-array": '"[" ws ( json-value ( ws "," ws json-value ){0,63} )? ws "]"',
}
_BASE_DEPENDENCIES = {
    "string": ["char"],
    "number": ["integer"],
    "json-value": ["json-object", "json-array", "string", "number", "boolean", "null"],
    "json-object": ["ws", "string", "json-value"],
    "json-array": ["ws", "json-value"],
}


def gbnf_literal(text: str) -> str:
    """``text`` as a GBNF string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def json_literal(value: Any) -> str:
    """A GBNF literal that matches exactly the JSON encoding of ``value``."""
    return gbnf_literal(json.dumps(value, ensure_ascii=False))


class _GrammarBuilder:
    def __init__(self) -> None:
        self.rules: dict[str, str] = {}

    def use(self, name: str) -> str:
        if name in _BASE_RULES and name not in self.rules:
            self.rules[name] = _BASE_RULES[name]
            for dependency in _BASE_DEPENDENCIES.get(name, []):
                self.use(dependency)
        return name

    def add(self, name: str, body: str) -> str:
        name = re.sub(r"[^a-zA-Z0-9-]+", "-", name).strip("-").lower() or "rule"
        unique, suffix = name, 1
        while unique in self.rules and self.rules[unique] != body:
            suffix += 1
            unique = f"{name}-{suffix}"
        self.rules[unique] = body
        return unique

    def schema(self, schema: Schema, name: str) -> str:
        rule = self._schema_body(schema, name)
        if schema.nullable and schema.type not in ("null", "any"):
            return self.add(f"{name}-or-null", f"{rule} | {self.use('null')}")
        return rule

    def _schema_body(self, schema: Schema, name: str) -> str:
        if schema.any_of:
            alternatives = [self.schema(alt, f"{name}-{i}") for i, alt in enumerate(schema.any_of)]
            return self.add(name, " | ".join(alternatives))
        if schema.enum:
            return self.add(name, " | ".join(json_literal(value) for value in schema.enum))
        match schema.type:
            case "object":
                return self._object(schema, name)
            case "array":
                item = self.schema(schema.items, f"{name}-item") if schema.items else self.use("json-value")
                low = schema.min_items or 0
                high = schema.max_items
                if high is not None and high == 0:
                    return self.add(name, '"[" ws "]"')
                rest_low = max(low - 1, 0)
                rest_high = "" if high is None else str(high - 1)
                repeat = f'( ws "," ws {item} ){{{rest_low},{rest_high}}}'
                body = f'"[" ws {item} {repeat} ws "]"'
                if low == 0:
                    body = f'"[" ws ( {item} {repeat} )? ws "]"'
                self.use("ws")
                return self.add(name, body)
            case "any":
                return self.use("json-value")
            case other:
                return self.use(other)

    def _object(self, schema: Schema, name: str) -> str:
        self.use("ws")
        pairs = {
            key: self.add(
                f"{name}-{key}-kv",
                f'{json_literal(key)} ws ":" ws {self.schema(child, f"{name}-{key}")}',
            )
            for key, child in schema.properties.items()
        }
        required = [pairs[key] for key in schema.required if key in pairs]
        optional = [pairs[key] for key in schema.properties if key not in schema.required]
        body = '"{" ws '
        body += ' ws "," ws '.join(required)
        if optional:
            chains = [self._optional_chain(optional[i:], name) for i in range(len(optional))]
            tail = " | ".join(chains)
            body += f' ( ws "," ws ( {tail} ) )?' if required else f" ( {tail} )?"
        return self.add(name, body + ' ws "}"')

    def _optional_chain(self, pairs: Sequence[str], name: str) -> str:
        """The first pair, then any subset of the later ones in order."""
        first, *rest = pairs
        if not rest:
            return first
        rest_rule = self.add(
            f"{name}-after-{first}",
            " | ".join(self._optional_chain(rest[i:], name) for i in range(len(rest))),
        )
        return f'{first} ( ws "," ws {rest_rule} )?'

    def render(self, root: str) -> str:
        lines = [f"root ::= {root}"]
        lines.extend(f"{name} ::= {body}" for name, body in self.rules.items())
        return "\n".join(lines) + "\n"


def choice_grammar(options: Sequence[str]) -> str:
    """Output exactly one of ``options``."""
    if not options:
        raise ValueError("a choice needs at least one option")
    return f"root ::= {' | '.join(gbnf_literal(option) for option in options)}\n"


def schema_grammar(schema: Schema) -> str:
    """JSON that validates against ``schema``."""
    builder = _GrammarBuilder()
    return builder.render(builder.schema(schema, "value"))


def calls_grammar(declarations: Sequence[FunctionDeclaration], max_calls: int = 4) -> str:
    """A JSON array of zero to ``max_calls`` calls ``{"name": ..., "args": {...}}`` to the declarations."""
    builder = _GrammarBuilder()
    builder.use("ws")
    alternatives = []
    for declaration in declarations:
        args = builder.schema(declaration.parameters, f"args-{declaration.name}")
        alternatives.append(
            builder.add(
                f"call-{declaration.name}",
                f'"{{" ws {gbnf_literal(chr(34) + "name" + chr(34))} ws ":" ws {json_literal(declaration.name)} '
                f'ws "," ws {gbnf_literal(chr(34) + "args" + chr(34))} ws ":" ws {args} ws "}}"',
            )
        )
    if not alternatives:
        return 'root ::= "[" "]"\n'
    call = builder.add("call", " | ".join(alternatives))
    root = f'"[" ws ( {call} ( ws "," ws {call} ){{0,{max_calls - 1}}} )? ws "]"'
    return builder.render(root)
