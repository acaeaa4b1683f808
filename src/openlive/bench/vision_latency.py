"""``openlive bench vision-latency``: does a 1 fps screen share slow down spoken replies?

One real ``openlive serve`` runs in a subprocess and the google-genai SDK talks to it over TLS
on loopback, as in ``openlive bench latency`` (whose microphone, utterances and turn logic this
reuses). The same utterances are spoken twice: in sessions **without video**, and in sessions
whose client also streams screen-share JPEGs (1280×720, :func:`screen_share_frames`: mostly
unchanged, with a clock ticking, tasks being added and an error dialog that comes and goes) at
1 fps through ``send_realtime_input(video=…)`` for the whole session, before, during and after
each utterance. Sessions of the two conditions alternate (A B, B A, A B, …) over the same blocks
of utterances, so slow drift in machine load falls on both alike.

Measured: end of user speech → first reply audio chunk, p50 and p95 per condition, the p50 ratio
(target ≤ 1.10), the per-utterance difference, and what the server spent: its CPU time, the CPU
time of its vision thread (the one thread at nice +10), and its vision frame counters when
``GET /metrics`` has them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import math
import os
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from google.genai import errors, live, types
from websockets.exceptions import ConnectionClosed

from openlive.bench.latency import (
    TURNS_PER_SESSION,
    SpokenTurn,
    Utterance,
    _stage,
    conversation,
    metric_means,
    scrape_metrics,
    speak,
    utterance_set,
)
from openlive.bench.report import BenchTable, percentile
from openlive.bench.scenes import screen_share_frames
from openlive.bench.server import ServerProcess, running_server
from openlive.bench.voice_client import Conversation
from openlive.engine.vision.engine import VISION_NICENESS

RATIO_TARGET = 1.10
FRAME_MIME = "image/jpeg"
# Distinct frames rendered; the share cycles through them (the wrap brings the dialog back).
FRAME_CYCLE = 30
# The share runs this long before the first utterance of a session, as when a user shares
# their screen and then starts talking; it also lets the first, full OCR of the screen start.
SHARE_LEAD_IN_S = 2.0
VISION_METRIC_PREFIX = "openlive_video_frames_total"
# Longer than any session lasts: how long a turn may wait for the connection to close.
SESSION_LIMIT_S = 3600.0


class Condition(Enum):
    NO_VIDEO = "without video"
    SCREEN_SHARE = "1 fps screen share"


# --- the screen share ------------------------------------------------------------------------


class ScreenShare:
    """Sends JPEG frames through ``realtimeInput.video`` at ``fps`` on an absolute schedule."""

    def __init__(self, session: live.AsyncSession, frames: Sequence[bytes], fps: float) -> None:
        self._session = session
        self._frames = frames
        self._interval_s = 1.0 / fps
        self.sent = 0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        start = time.perf_counter()
        for frame in itertools.cycle(self._frames):
            await asyncio.sleep(max(0.0, start + self.sent * self._interval_s - time.perf_counter()))
            await self._session.send_realtime_input(video=types.Blob(data=frame, mime_type=FRAME_MIME))
            self.sent += 1

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="screen-share")

    async def stop(self) -> None:
        """Stop sending; a send that failed (other than by the connection closing) is raised here."""
        if self._task is None:
            return
        if self._task.done():
            with contextlib.suppress(ConnectionClosed, errors.APIError):
                self._task.result()
            return
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


# --- server CPU from /proc ---------------------------------------------------------------------


@dataclass(frozen=True)
class CpuSample:
    total_s: float
    vision_s: float  # threads at the vision thread's nice value


def _task_cpu(stat_path: Path) -> tuple[float, int] | None:
    """(utime + stime in seconds, nice) of one thread; None if it is gone."""
    try:
        fields = stat_path.read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # After the command name: state is field 3 of proc(5), so utime (14) is index 11, nice (19) index 16.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), int(fields[16])


def server_cpu(server: ServerProcess) -> CpuSample:
    total = vision = 0.0
    for task in Path(f"/proc/{server.pid}/task").glob("*"):
        sample = _task_cpu(task / "stat")
        if sample is not None:
            total += sample[0]
            vision += sample[0] if sample[1] == VISION_NICENESS else 0.0
    return CpuSample(total, vision)


# --- runs --------------------------------------------------------------------------------------


@dataclass
class ConditionResult:
    condition: Condition
    turns: list[SpokenTurn] = field(default_factory=list)
    # The same turns, keyed by the utterance's position in the measured list (for pairing).
    turns_by_index: dict[int, SpokenTurn] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    frames_sent: int = 0
    session_seconds: float = 0.0
    cpu_s: float = 0.0
    vision_cpu_s: float = 0.0
    # Sums of server histogram and counter deltas over this condition's sessions.
    metric_deltas: dict[str, float] = field(default_factory=dict)

    def latencies_ms(self) -> list[float]:
        return [(t.reply.first_audio - t.speech_end) * 1000 for t in self.turns if t.reply and t.reply.first_audio]

    def latency_by_utterance(self) -> dict[int, float]:
        """Latency (ms) of each utterance's turn, keyed by its position in the utterance list."""
        return {
            index: (turn.reply.first_audio - turn.speech_end) * 1000
            for index, turn in self.turns_by_index.items()
            if turn.reply and turn.reply.first_audio
        }


@contextlib.asynccontextmanager
async def _screen_share(
    session: live.AsyncSession, frames: Sequence[bytes] | None, fps: float
) -> AsyncIterator[ScreenShare | None]:
    if frames is None:
        yield None
        return
    share = ScreenShare(session, frames, fps)
    share.start()
    try:
        await asyncio.sleep(SHARE_LEAD_IN_S)
        yield share
    finally:
        await share.stop()


async def _speak_unless_closed(talk: Conversation, utterance: Utterance) -> SpokenTurn:
    """:func:`speak`, but the server closing the connection raises its error instead of hanging
    (the microphone stops, so the end of speech would never come)."""
    speaking = asyncio.create_task(speak(talk, utterance))
    closed = asyncio.create_task(talk.wait_for_close(SESSION_LIMIT_S))
    done, _ = await asyncio.wait({speaking, closed}, return_when=asyncio.FIRST_COMPLETED)
    if speaking in done:
        closed.cancel()
        return speaking.result()
    speaking.cancel()
    await asyncio.gather(speaking, return_exceptions=True)
    raise closed.result()


async def run_session(
    server: ServerProcess,
    result: ConditionResult,
    utterances: Sequence[tuple[int, Utterance]],
    frames: Sequence[bytes] | None,
    fps: float,
    seed: int,
) -> None:
    """One SDK session speaking ``utterances`` (with their indices), sharing ``frames`` if given."""
    before_metrics, before_cpu, started = scrape_metrics(server), server_cpu(server), time.perf_counter()
    try:
        async with conversation(server, seed=seed) as talk, _screen_share(talk.session, frames, fps) as share:
            for index, utterance in utterances:
                turn = await _speak_unless_closed(talk, utterance)
                result.turns.append(turn)
                result.turns_by_index[index] = turn
                if turn.reply is None:
                    result.failures.append(f"{result.condition.value}: no reply to {utterance.label}")
            result.frames_sent += share.sent if share is not None else 0
    except (errors.APIError, ConnectionClosed) as error:
        result.failures.append(f"{result.condition.value} session ended: {error}")
    after_metrics, after_cpu = scrape_metrics(server), server_cpu(server)
    result.session_seconds += time.perf_counter() - started
    result.cpu_s += after_cpu.total_s - before_cpu.total_s
    result.vision_cpu_s += after_cpu.vision_s - before_cpu.vision_s
    if before_metrics is not None and after_metrics is not None:
        for key, value in after_metrics.items():
            delta = value - before_metrics.get(key, 0.0)
            result.metric_deltas[key] = result.metric_deltas.get(key, 0.0) + delta


async def _bench(args: argparse.Namespace, server: ServerProcess) -> BenchTable:
    utterances = utterance_set(args.utterances + 1)
    warm_up, measured = utterances[0], list(enumerate(utterances[1:]))
    frames = screen_share_frames(FRAME_CYCLE)
    # A discarded turn with the share on, so model loading and first-call costs hit no condition.
    await run_session(server, ConditionResult(Condition.SCREEN_SHARE), [(-1, warm_up)], frames, args.fps, seed=999)

    results = {condition: ConditionResult(condition) for condition in Condition}
    blocks = [measured[first : first + TURNS_PER_SESSION] for first in range(0, len(measured), TURNS_PER_SESSION)]
    for number, block in enumerate(blocks):
        order = list(Condition) if number % 2 == 0 else list(reversed(Condition))
        for condition in order:
            shared = frames if condition is Condition.SCREEN_SHARE else None
            await run_session(server, results[condition], block, shared, args.fps, seed=number)
    return _table(args, results, len(blocks), statistics.mean(len(frame) for frame in frames))


# --- the table ---------------------------------------------------------------------------------


def _ms(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.0f}"


def _yes(condition: bool) -> str:
    return "yes" if condition else "**no**"


def _table(
    args: argparse.Namespace, results: dict[Condition, ConditionResult], blocks: int, frame_bytes: float
) -> BenchTable:
    plain, shared = results[Condition.NO_VIDEO], results[Condition.SCREEN_SHARE]
    table = BenchTable(
        name="vision-latency",
        title="Voice latency with and without a 1 fps screen share, through the Python SDK (ms unless noted)",
        columns=["measure", "condition", "n", "p50", "p95", "target", "met"],
    )
    for result in (plain, shared):
        latencies = result.latencies_ms()
        table.add_row(
            "end of speech → first audio chunk",
            result.condition.value,
            len(latencies),
            _ms(percentile(latencies, 50)),
            _ms(percentile(latencies, 95)),
            "",
            "",
        )
    plain_ms, shared_ms = plain.latencies_ms(), shared.latencies_ms()
    p50_ratio = percentile(shared_ms, 50) / percentile(plain_ms, 50) if plain_ms and shared_ms else math.nan
    p95_ratio = percentile(shared_ms, 95) / percentile(plain_ms, 95) if plain_ms and shared_ms else math.nan
    complete = len(plain_ms) == len(plain.turns) and len(shared_ms) == len(shared.turns)
    table.add_row(
        "p50 with share ÷ p50 without",
        "",
        "",
        f"{p50_ratio:.2f}",
        f"{p95_ratio:.2f} (p95 ÷ p95)",
        f"p50 ≤ {RATIO_TARGET:.2f}",
        _yes(complete and p50_ratio <= RATIO_TARGET),
    )
    plain_by, shared_by = plain.latency_by_utterance(), shared.latency_by_utterance()
    paired = [shared_by[index] - plain_by[index] for index in plain_by.keys() & shared_by.keys()]
    table.add_row(
        "same utterance: with share − without",
        "paired",
        len(paired),
        _ms(statistics.median(paired)) if paired else "–",
        _ms(percentile(paired, 95)),
        "",
        "",
    )
    for result in (plain, shared):
        missing = sum(turn.reply is None for turn in result.turns)
        split = sum(turn.split_turns for turn in result.turns)
        stray = sum(turn.stray_replies for turn in result.turns)
        table.add_row(
            "utterances without reply / split / unprompted replies",
            result.condition.value,
            len(result.turns),
            f"{missing} / {split} / {stray}",
            "",
            "0 / 0 / 0",
            _yes(missing == 0 and split == 0 and stray == 0),
        )
    for result in (plain, shared):
        minutes = result.session_seconds / 60
        table.add_row(
            "server CPU s per session minute (all threads / vision thread)",
            result.condition.value,
            "",
            f"{result.cpu_s / minutes:.1f} / {result.vision_cpu_s / minutes:.1f}" if minutes else "–",
            "",
            "",
            "",
        )
    vision_counters = {
        key: value for key, value in shared.metric_deltas.items() if key.startswith(VISION_METRIC_PREFIX)
    }
    frame_note = ", ".join(f"{key} +{value:g}" for key, value in sorted(vision_counters.items()))
    table.add_row(
        "frames sent by the client (server counters)",
        shared.condition.value,
        shared.frames_sent,
        "",
        "",
        "",
        frame_note or "server does not report processed / dropped frames",
    )
    for result in (plain, shared):
        means = metric_means({}, result.metric_deltas)
        stages = sorted(
            (key for key in means if key.split("{")[0] == "openlive_turn_stage_seconds"), key=lambda k: means[k][0]
        )
        table.add_row(
            "server stage means (ms after end of speech)",
            result.condition.value,
            "",
            "; ".join(f"{_stage(key)} {means[key][0] * 1000:.0f}" for key in stages) or "–",
            "",
            "",
            "",
        )

    table.notes += [
        f"{args.utterances} utterances per condition (recordings and synthesised questions from "
        "`openlive bench latency`), spoken by the google-genai SDK over TLS on loopback in 20 ms chunks at "
        f"real-time pace, {TURNS_PER_SESSION} per session; the two conditions' sessions alternate "
        f"(A B, B A, …) over the same {blocks} blocks of utterances. One discarded warm-up turn first.",
        f"Screen share: {FRAME_CYCLE} distinct 1280×720 JPEG screenshots ({frame_bytes / 1024:.0f} KiB "
        f"on average) cycled at {args.fps:g} fps via send_realtime_input(video=…) from {SHARE_LEAD_IN_S:g} s before "
        "the session's first utterance to its end; the clock changes every 10 frames, a task is added every 7, "
        "the error dialog is shown for the first half of each cycle.",
        "End of speech = when the chunk holding the last speech sample was sent (as in `openlive bench latency`). "
        "Paired: per-utterance difference between the two conditions.",
        f"Server CPU from /proc/<pid>/task/*/stat; the vision thread is the one at nice +{VISION_NICENESS}.",
        f"load average (1 min) at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; the bench "
        "client runs on the same machine and shares the cores with the server.",
    ]
    table.notes += [f"failure: {failure}" for failure in plain.failures + shared.failures]
    return table


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="openlive bench vision-latency", description=__doc__.split("\n\n")[0])
    parser.add_argument("--utterances", type=int, default=12, help="spoken turns per condition (default 12)")
    parser.add_argument("--fps", type=float, default=1.0, help="screen-share frame rate (default 1)")
    parser.add_argument("--server-arg", action="append", default=[], help="extra argument for `openlive serve`")
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="openlive-bench-vision-latency-") as workdir,
        running_server(Path(workdir), extra_args=args.server_arg) as server,
    ):
        started = time.perf_counter()
        try:
            table = asyncio.run(_bench(args, server))
        except Exception:
            print(server.log_text()[-4000:])
            raise
    table.notes.append(f"The run took {time.perf_counter() - started:.0f} s after the server was ready.")
    print(table.render())
    print(f"saved {table.save()}")
    return 0
