"""Context text that biases speech recognition towards the words the session expects.

The client's function declarations name what users of this app will say: "add task", "list
tasks", "overdue". Their names (split into words) and the values of their enum parameters make
a short text; descriptions are left out: as a prompt, full sentences made Whisper base echo them
("Remove all completed tasks from the list" heard in "who wrote Romeo and Juliet"), and their
everyday words ("the", "from") would favour readings that say nothing about the app.

Among the readings the decoder itself ranks nearly best, the backend takes the one with the most
words of this text, and from a second decoding with this text as prompt only the changes that
bring in its words (:mod:`openlive.backends.asr.biasing`), so speech about something else keeps a
reading of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from openlive.engine.tools.schema import FunctionDeclaration, Schema

# About 60 tokens: the prompted decoding stays cheap, the text said earlier in the same utterance
# still fits in the backend's prompt after it, and a few common words are favoured, not many.
MAX_CONTEXT_WORDS = 48
_IDENTIFIER_PART = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def identifier_words(identifier: str) -> str:
    """``add_task``, ``addTask`` or ``AddTask`` → "add task"; ``HIGH_PRIORITY`` → "high priority"."""
    return " ".join(part.lower() for part in _IDENTIFIER_PART.findall(identifier))


def _enum_phrases(name: str, schema: Schema) -> Iterable[tuple[str, list[str]]]:
    """(parameter words, its enum values as words) for ``schema`` and the parameters nested in it."""
    values = [identifier_words(value) for value in schema.enum if isinstance(value, str)]
    if values:
        yield identifier_words(name), [value for value in values if value]
    for child_name, child in schema.properties.items():
        yield from _enum_phrases(child_name, child)
    if schema.items is not None:
        yield from _enum_phrases(name, schema.items)
    for option in schema.any_of:
        yield from _enum_phrases(name, option)


def tool_context(declarations: Sequence[FunctionDeclaration], max_words: int = MAX_CONTEXT_WORDS) -> str:
    """A short context text for the ASR made from the declared functions; "" when there are none.

    "add task, list tasks. Priority: low, normal, high." Function names come first (they carry the
    verbs users say), then each enumerated parameter once with its values; words past ``max_words``
    are dropped.
    """
    names = list(dict.fromkeys(filter(None, (identifier_words(d.name) for d in declarations))))
    sentences = [", ".join(names)] if names else []
    seen: set[str] = set()
    for declaration in declarations:
        for parameter, values in _enum_phrases("", declaration.parameters):
            label = parameter or "options"
            if values and label not in seen:
                seen.add(label)
                sentences.append(f"{label.capitalize()}: {', '.join(dict.fromkeys(values))}")
    return _clip_words(". ".join(sentences) + "." if sentences else "", max_words)


def _clip_words(text: str, max_words: int) -> str:
    words = text.split()
    if len(words) <= max_words:
        return text
    return " ".join(words[:max_words]).rstrip(",.:") + "."
