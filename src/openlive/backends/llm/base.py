"""The narrow interface the engine uses to talk to a language model.

An :class:`Llm` is loaded once per process and shared. Each session opens its own
:class:`LlmSlot`, which keeps that conversation's evaluated tokens (a KV-cache slot
for local models) so that a new turn only processes what is new since the last one.
Slot calls are blocking and run on the engine's model executor, never on the event loop.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str


@dataclass(frozen=True)
class SamplingParams:
    temperature: float = 0.7
    top_p: float = 0.95
    top_k: int = 40
    max_tokens: int = 512
    seed: int | None = None
    # GBNF grammar that constrains the output (tool calls, choices); None for free text.
    grammar: str | None = None


@dataclass
class GenerationStats:
    prompt_tokens: int = 0
    # Prompt tokens that were already in the slot's cache and not evaluated again.
    cached_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: Literal["stop", "length", "cancelled", ""] = ""


@dataclass
class Generation:
    """A running generation: iterate for text pieces; ``stats`` is final once iteration ends."""

    pieces: Iterator[str]
    stats: GenerationStats = field(default_factory=GenerationStats)

    def __iter__(self) -> Iterator[str]:
        return self.pieces


class LlmSlot(Protocol):
    def generate(
        self,
        messages: Sequence[ChatMessage],
        params: SamplingParams,
        cancel: threading.Event,
        urgency: threading.Event | None = None,
    ) -> Generation:
        """Stream the assistant reply to ``messages``. Stops early when ``cancel`` is set. While
        ``urgency`` is clear (its listener has words enough to hear for now), the generation may give
        way to other sessions' urgent work; None: always urgent."""
        ...

    def prefill(
        self,
        messages: Sequence[ChatMessage],
        cancel: threading.Event,
        user_start: str = "",
        needed: threading.Event | None = None,
    ) -> None:
        """Evaluate now, while the user is silent, the start of the prompt the next user turn after
        ``messages`` will have (its message opening with ``user_start``), so that turn's reply only
        evaluates the user's words. Until ``needed`` is set, the prefill is a head start that may
        wait while other sessions' replies use the model; ``needed=None`` means needed now."""
        ...

    def message_end_probability(self, messages: Sequence[ChatMessage], cancel: threading.Event) -> float | None:
        """How likely the model finds it that the last message (the user's words so far) ends where
        it does: the probability of the chat template's end-of-message marker right after it. None
        when the template has no such marker or ``cancel`` was set. Evaluates the prompt up to there,
        which a reply to those words then reuses."""
        ...

    def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        """Prompt tokens ``messages`` would take, chat template included."""
        ...

    def close(self) -> None: ...


class Llm(Protocol):
    name: str
    context_length: int

    def open_slot(self) -> LlmSlot: ...

    def count_text_tokens(self, text: str) -> int: ...


class ContextOverflowError(Exception):
    """A conversation no longer fits the model's context window."""
