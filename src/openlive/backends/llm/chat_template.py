"""Render a chat into a prompt with the model's own Jinja chat template.

GGUF files carry the Hugging Face template in ``tokenizer.chat_template``; rendering it the way
``transformers`` does (sandboxed Jinja, ``trim_blocks``/``lstrip_blocks``, ``raise_exception``,
``add_generation_prompt``) makes any instruct GGUF work without a per-family formatter.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from jinja2 import TemplateError
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

from openlive.backends.llm.base import ChatMessage

CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

# Stand-ins used to find where a template puts a turn's text.
_REPLY_SENTINEL = "\x00openlive-reply\x00"
_USER_SENTINEL = "\x00openlive-user\x00"


def _raise_exception(message: str) -> None:
    raise TemplateError(message)


def _strftime_now(format_string: str) -> str:
    return datetime.now().strftime(format_string)


def _tojson(value: Any, indent: int | None = None) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent)


class ChatTemplate:
    def __init__(self, source: str, bos_token: str = "", eos_token: str = "") -> None:
        environment = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
        environment.globals["raise_exception"] = _raise_exception
        environment.globals["strftime_now"] = _strftime_now
        environment.filters["tojson"] = _tojson
        self._template = environment.from_string(source)
        self.bos_token = bos_token
        self.eos_token = eos_token
        self.end_of_turn = self._find_end_of_turn()

    def render(self, messages: Sequence[ChatMessage], add_generation_prompt: bool = True) -> str:
        return self._template.render(
            messages=[{"role": message.role, "content": message.content} for message in messages],
            add_generation_prompt=add_generation_prompt,
            bos_token=self.bos_token,
            eos_token=self.eos_token,
        )

    def next_user_prefix(self, messages: Sequence[ChatMessage], user_start: str = "") -> str:
        """The prompt a next user turn after ``messages`` starts with, up to where the user's words go.

        ``user_start``: text known to open that user message (context put before the words). All of
        this is known before the user speaks, so it can be evaluated ahead of time.
        """
        turn = ChatMessage("user", user_start + _USER_SENTINEL)
        rendered = self.render([*messages, turn], add_generation_prompt=False)
        prefix, found, _ = rendered.partition(_USER_SENTINEL)
        return prefix if found else self.render(messages, add_generation_prompt=False)

    def _find_end_of_turn(self) -> str:
        """The marker the template closes an assistant turn with (``<|im_end|>`` for ChatML), or ''.

        A model that writes this marker as plain text instead of its special token has ended its turn.
        """
        chat = [ChatMessage("user", "Hi"), ChatMessage("assistant", _REPLY_SENTINEL)]
        try:
            rendered = self.render(chat, add_generation_prompt=False)
        except TemplateError:
            return ""
        _, found, after = rendered.partition(_REPLY_SENTINEL)
        words = after.split()
        return words[0] if found and words else ""
