"""The small LLM's one job in the embedded planner: pick one of a few candidates, by grammar.

It never writes a value itself. The embeddings and rules propose candidates (which function,
which span of the user's words, which enum value); where they cannot separate them, the model
reads the request and answers with one option, constrained so it cannot answer anything else.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from openlive.backends.llm.base import ChatMessage, Llm, LlmSlot, SamplingParams
from openlive.engine.tools.grammar import choice_grammar

_SYSTEM = (
    "You read a user's request and answer a question about it by choosing one of the options. "
    "Answer with the option exactly as written."
)


class LlmChooser:
    def __init__(self, llm: Llm) -> None:
        self._llm = llm
        self._slot: LlmSlot | None = None
        self._lock = threading.Lock()

    def choose(
        self,
        request: str,
        question: str,
        options: Sequence[str],
        cancel: threading.Event,
        hints: Sequence[str] = (),
    ) -> int | None:
        """Index of the option the model picks; None when cancelled or the answer is unusable.

        ``hints`` (one per option, may be empty strings) are shown next to the options, e.g. a
        function's description.
        """
        if len(options) < 2:
            return 0 if options else None
        labels = list(dict.fromkeys(options))
        lines = []
        for index, option in enumerate(options):
            hint = hints[index] if index < len(hints) and hints[index] else ""
            lines.append(f"- {option}" + (f" ({hint})" if hint else ""))
        prompt = f'Request: "{request}"\n{question}\nOptions:\n' + "\n".join(lines)
        messages = [ChatMessage("system", _SYSTEM), ChatMessage("user", prompt)]
        params = SamplingParams(temperature=0.0, max_tokens=48, grammar=choice_grammar(labels), seed=0)
        with self._lock:
            if self._slot is None:
                self._slot = self._llm.open_slot()
            generation = self._slot.generate(messages, params, cancel)
            answer = "".join(generation).strip()
        if cancel.is_set() or answer not in labels:
            return None
        return options.index(answer)

    def close(self) -> None:
        with self._lock:
            if self._slot is not None:
                self._slot.close()
                self._slot = None
