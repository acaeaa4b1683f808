"""Local LLM latency and memory: LlamaCppLlm (SmolLM2-135M by default), one thread, per KV cache type.

Measures model load time, RSS after load, time to first token for a ~150-token prompt on a fresh slot,
decode speed, time to first token of a second turn served from the slot's KV cache, and the RSS that
each extra busy slot adds.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from openlive.backends.llm.base import ChatMessage, GenerationStats, SamplingParams
from openlive.backends.llm.llama_cpp import KvType, LlamaCppLlm, LlamaCppSlot
from openlive.bench.report import BenchTable, median, percentile

SYSTEM_PROMPT = (
    "You are Ollie, a friendly voice assistant that helps people manage their tasks and their day. "
    "Answer in one or two short sentences, because your replies are spoken aloud. Do not use lists, "
    "markdown or emoji. If the user asks you to add, change or remove a task, confirm what you did. "
    "If you are not sure what the user wants, ask one short question. Today is Tuesday and the user "
    "lives in Lisbon, where it is sunny and twenty degrees. The user has three tasks: buy milk, call "
    "the plumber about the kitchen sink, and finish the quarterly report before Friday."
)
FIRST_QUESTION = "What should I do first today, and why?"
FOLLOW_UP = "Thanks. And after that?"
NEVER = threading.Event()


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class _Samples:
    load_s: list[float] = field(default_factory=list)
    load_rss_mb: list[float] = field(default_factory=list)
    cold_ttft_s: list[float] = field(default_factory=list)
    decode_tps: list[float] = field(default_factory=list)
    cached_ttft_s: list[float] = field(default_factory=list)
    slot_rss_mb: list[float] = field(default_factory=list)
    prompt_tokens: int = 0
    cached_eval_tokens: int = 0


@dataclass
class _Turn:
    text: str
    ttft_s: float
    # From the first piece to the end of the reply.
    rest_s: float
    stats: GenerationStats


def _timed_turn(slot: LlamaCppSlot, messages: Sequence[ChatMessage], max_tokens: int) -> _Turn:
    start = time.perf_counter()
    generation = slot.generate(messages, SamplingParams(temperature=0, max_tokens=max_tokens), NEVER)
    pieces = iter(generation)
    first_piece = next(pieces, "")
    first_at = time.perf_counter()
    text = first_piece + "".join(pieces)
    return _Turn(text, first_at - start, time.perf_counter() - first_at, generation.stats)


def _measure(kv_type: KvType, n_ctx: int, slots: int, runs: int) -> _Samples:
    samples = _Samples()
    for _ in range(runs):
        rss_before = _rss_mb()
        start = time.perf_counter()
        llm = LlamaCppLlm(n_ctx=n_ctx, max_slots=slots, kv_type=kv_type)
        samples.load_s.append(time.perf_counter() - start)
        samples.load_rss_mb.append(_rss_mb() - rss_before)

        busy = []
        for index in range(slots):
            rss_slot = _rss_mb()
            slot = llm.open_slot()
            # Sessions differ from the first word on, so none reuses another's prompt by chance.
            messages = [
                ChatMessage("system", f"Session {index}. {SYSTEM_PROMPT}"),
                ChatMessage("user", FIRST_QUESTION),
            ]
            first = _timed_turn(slot, messages, max_tokens=64)
            if index > 0:
                samples.slot_rss_mb.append(_rss_mb() - rss_slot)
            samples.prompt_tokens = first.stats.prompt_tokens
            samples.cold_ttft_s.append(first.ttft_s)
            if first.stats.completion_tokens > 1:
                samples.decode_tps.append((first.stats.completion_tokens - 1) / first.rest_s)
            follow_up = [*messages, ChatMessage("assistant", first.text), ChatMessage("user", FOLLOW_UP)]
            second = _timed_turn(slot, follow_up, max_tokens=1)
            samples.cached_ttft_s.append(second.ttft_s)
            samples.cached_eval_tokens = second.stats.prompt_tokens - second.stats.cached_tokens
            busy.append(slot)
        for slot in busy:
            slot.close()
        llm.close()
    return samples


def _ms(values: Sequence[float]) -> str:
    return f"{median(values) * 1000:.0f} (p90 {percentile(values, 90) * 1000:.0f})"


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="openlive bench llm", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="model loads per KV type (default 3)")
    parser.add_argument("--slots", type=int, default=8, help="slots, all used in turn (default 8)")
    parser.add_argument("--n-ctx", type=int, default=8192, help="KV cells shared by all slots")
    parser.add_argument("--kv-types", default="q8_0,f16", help="comma-separated: q8_0, f16")
    args = parser.parse_args(argv)
    kv_types: list[KvType] = [kind for kind in ("q8_0", "f16") if kind in args.kv_types.split(",")]

    table = BenchTable(
        name="llm-llama-cpp",
        title="LlamaCppLlm, SmolLM2-135M-Instruct Q4_1, 1 thread",
        columns=[
            "KV type",
            "load s",
            "RSS after load MB",
            "TTFT fresh slot ms",
            "decode tok/s",
            "TTFT cached 2nd turn ms",
            "RSS per extra busy slot MB",
        ],
    )
    prompt_tokens = cached_eval = 0
    wall_start, cpu_start = time.perf_counter(), time.process_time()
    for kv_type in kv_types:
        samples = _measure(kv_type, args.n_ctx, args.slots, args.runs)
        prompt_tokens, cached_eval = samples.prompt_tokens, samples.cached_eval_tokens
        table.add_row(
            kv_type,
            f"{median(samples.load_s):.2f}",
            f"{median(samples.load_rss_mb):.0f}",
            _ms(samples.cold_ttft_s),
            f"{median(samples.decode_tps):.0f}",
            _ms(samples.cached_ttft_s),
            f"{median(samples.slot_rss_mb):.1f}",
        )
    cpu_share = (time.process_time() - cpu_start) / (time.perf_counter() - wall_start)
    table.notes += [
        f"{args.runs} loads per KV type; each load runs {args.slots} slots in turn (medians over all).",
        f"Fresh-slot prompt: {prompt_tokens} tokens; the cached second turn evaluated {cached_eval} new "
        "tokens, the rest came from the slot's KV cache.",
        f"n_ctx={args.n_ctx} KV cells shared by {args.slots} slots, preallocated at load, so busy slots "
        "add almost no RSS.",
        f"The bench got {cpu_share:.0%} of one core on average (1 engine thread); load average at the end "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores. Below 100%, other work shared the core.",
    ]
    print(table.render())
    table.save()
    return 0
