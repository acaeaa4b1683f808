"""``openlive bench tools-spoken``: the task-manager requests spoken through the SDK, scored by their toolCall.

Each utterance of ``bench/data/tools/task_manager.jsonl`` is synthesised (Piper and espeak-ng
voices in turn, see :data:`VOICES`), streamed at real-time pace into a fresh Live session of a
real ``openlive serve`` with the task-manager tools declared and ``AUDIO`` replies, and the
first ``toolCall`` is compared with the expected calls by :func:`openlive.bench.tools.calls_match`,
exactly as the text bench scores them. Calls are answered with a ``toolResponse`` so every turn
completes. Latency runs from the moment the chunk holding the last speech sample was sent to the
arrival of the ``toolCall``.

Dates: the expected calls are written for the set's fixed "now" (Tuesday 2026-03-10 09:30 +01:00),
while the server plans with its own current time. Rather than re-deriving each expected date for
today (which would need the very date resolution under test), the server process gets a
``sitecustomize`` (through ``PYTHONPATH``) that freezes the clock of the session layer only
(``openlive.session.session.datetime.now``) at the set's "now"; nothing else in the server changes.

    openlive bench tools-spoken [--limit N] [--wait S] [--language none --language en-US]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import textwrap
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from google import genai
from google.genai import types

from openlive.bench.report import BenchTable, median, percentile
from openlive.bench.server import running_server
from openlive.bench.speechgen import SAMPLE_RATE, VoiceSpec, cached_speech
from openlive.bench.tools import TARGETS, TASK_MANAGER_SET, TaskManagerCase, calls_match, load_task_manager_set
from openlive.bench.voice_client import Microphone
from openlive.engine.tools.planner import PlannedCall

LIVE_MODEL = "gemini-2.5-flash-native-audio-preview-12-2025"
AUDIO_SET = "tools-spoken"
TOOLS_FILE = TASK_MANAGER_SET.parent / "task_manager_tools.json"
# Taken in turn, so every voice speaks every kind of request somewhere in the set.
VOICES = (
    VoiceSpec(engine="piper", voice="joe"),
    VoiceSpec(engine="espeak", voice="en-us+m1"),
    VoiceSpec(engine="piper", voice="joe", pitch=1.6, formant_shift=1.15, rate=1.1),
    VoiceSpec(engine="espeak", voice="en-gb-x-rp", rate=0.95),
    VoiceSpec(engine="espeak", voice="en-us+adam"),
)
# speechgen pads every clip with this much silence on each side.
_CLIP_PAD_S = 0.25
_SESSION_CLOCK_ENV = "OPENLIVE_BENCH_SESSION_NOW"
_SITECUSTOMIZE = textwrap.dedent(
    '''
    """Benchmark only: freeze the session layer's clock at $OPENLIVE_BENCH_SESSION_NOW."""
    import importlib.abc
    import importlib.util
    import os
    import sys
    from datetime import datetime

    _TARGET = "openlive.session.session"


    class FrozenClock(datetime):
        """``now()`` is the frozen instant, and its ``astimezone()`` keeps the frozen UTC offset."""

        @classmethod
        def now(cls, tz=None):
            frozen = cls.fromisoformat(os.environ["OPENLIVE_BENCH_SESSION_NOW"])
            return frozen if tz is None else frozen.astimezone(tz)

        def astimezone(self, tz=None):
            return self if tz is None else super().astimezone(tz)


    class _FreezeSessionClock(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name != _TARGET:
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(name)
            load = spec.loader.exec_module

            def exec_module(module):
                load(module)
                module.datetime = FrozenClock

            spec.loader.exec_module = exec_module
            return spec


    sys.meta_path.insert(0, _FreezeSessionClock())
    '''
)


@dataclass(frozen=True)
class SpokenOutcome:
    case: TaskManagerCase
    voice: VoiceSpec
    heard: str
    calls: list[PlannedCall] | None  # None: no toolCall within the wait
    latency_ms: float | None

    @property
    def passed(self) -> bool:
        return calls_match(self.calls or [], self.case.expected)

    def describe(self) -> str:
        got = [{c.name: c.args} for c in self.calls or []]
        want = [{c.name: c.args} for c in self.case.expected]
        voice = f"{self.voice.engine}:{self.voice.voice}"
        return f"{self.case.id} ({voice}) said {self.case.text!r}, heard {self.heard.strip()!r} → {got}, want {want}"


def sdk_tools(path: Path = TOOLS_FILE) -> list[types.Tool]:
    """The set's ``tools`` list, as the Task Manager app declares it through the SDK."""
    return [types.Tool.model_validate(tool) for tool in json.loads(path.read_text())]


def live_config(tools: list[types.Tool], language: str | None) -> types.LiveConnectConfig:
    """``language``: the app's ``speechConfig.languageCode``; None leaves the language to the server."""
    return types.LiveConnectConfig(
        response_modalities=[types.Modality.AUDIO],
        tools=[*tools],
        input_audio_transcription=types.AudioTranscriptionConfig(),
        speech_config=types.SpeechConfig(language_code=language) if language else None,
    )


def voice_for(index: int) -> VoiceSpec:
    return VOICES[index % len(VOICES)]


async def speak_request(
    client: genai.Client,
    tools: list[types.Tool],
    case: TaskManagerCase,
    voice: VoiceSpec,
    wait_s: float,
    language: str | None = None,
) -> SpokenOutcome:
    """Say ``case.text`` in a fresh session: the first toolCall (answered, up to the turn's end), or none
    within ``wait_s`` after the end of speech. Turns without a call do not end the wait: a pause in
    the request may end a turn before the words that need the call."""
    audio = cached_speech(AUDIO_SET, case.text, voice)
    speech_end = audio.size - int(_CLIP_PAD_S * SAMPLE_RATE)
    heard, calls, called_at = "", None, None
    async with client.aio.live.connect(model=LIVE_MODEL, config=live_config(tools, language)) as session:
        microphone = Microphone(session)
        sending = asyncio.create_task(microphone.run())
        said = microphone.say(audio, speech_end=speech_end)
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(audio.size / SAMPLE_RATE + wait_s) as limit:
                while True:
                    async for message in session.receive():
                        content = message.server_content
                        if content is not None and content.input_transcription is not None:
                            heard += content.input_transcription.text or ""
                        if message.tool_call is not None and calls is None:
                            called_at = time.perf_counter()
                            function_calls = message.tool_call.function_calls or []
                            calls = [PlannedCall(c.name or "", dict(c.args or {})) for c in function_calls]
                            await session.send_tool_response(
                                function_responses=[
                                    types.FunctionResponse(id=c.id, name=c.name, response={"result": "ok"})
                                    for c in function_calls
                                ]
                            )
                            # The answered call stands; the confirmation that follows is not measured.
                            limit.reschedule(min(limit.when() or loop.time(), loop.time() + wait_s))
                        if content is not None and content.turn_complete and calls is not None:
                            break
                    else:
                        continue
                    break
        except TimeoutError:
            pass
        finally:
            sending.cancel()
            await asyncio.gather(sending, return_exceptions=True)
    latency = None
    if called_at is not None and said.speech_end.done():
        latency = (called_at - said.speech_end.result()) * 1000
    return SpokenOutcome(case, voice, heard, calls, latency)


@contextmanager
def frozen_session_clock(now: datetime) -> Iterator[None]:
    """Environment for a server started inside the block: its session layer's clock reads ``now``."""
    with tempfile.TemporaryDirectory(prefix="openlive-clock-") as folder:
        (Path(folder) / "sitecustomize.py").write_text(_SITECUSTOMIZE)
        saved = {name: os.environ.get(name) for name in ("PYTHONPATH", _SESSION_CLOCK_ENV)}
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [folder, saved["PYTHONPATH"]]))
        os.environ[_SESSION_CLOCK_ENV] = now.isoformat()
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


async def speak_all(
    client: genai.Client, cases: Sequence[TaskManagerCase], wait_s: float, language: str | None, verbose: bool
) -> list[SpokenOutcome]:
    tools, outcomes = sdk_tools(), []
    for index, case in enumerate(cases):
        outcome = await speak_request(client, tools, case, voice_for(index), wait_s, language)
        outcomes.append(outcome)
        if verbose:
            print(("ok  " if outcome.passed else "FAIL") + " " + outcome.describe(), flush=True)
    return outcomes


def run_spoken(
    cases: Sequence[TaskManagerCase], wait_s: float, language: str | None = None, verbose: bool = False
) -> list[SpokenOutcome]:
    """Start a default ``openlive serve`` (its session clock at the set's "now") and speak ``cases``."""
    nows = {case.now for case in cases}
    if len(nows) != 1:
        raise ValueError(f"the spoken bench needs one fixed 'now' for the whole set, found {len(nows)}")
    with (
        tempfile.TemporaryDirectory(prefix="openlive-tools-spoken-") as workdir,
        frozen_session_clock(nows.pop()),
        running_server(Path(workdir)) as server,
    ):
        return asyncio.run(speak_all(server.genai_client(), cases, wait_s, language, verbose))


def _language_label(language: str | None) -> str:
    return language or "not set"


def build_table(runs: Mapping[str | None, Sequence[SpokenOutcome]], wait_s: float, limit: int | None) -> BenchTable:
    """One row per client ``speechConfig.languageCode`` (None: not set) and the outcomes spoken with it."""
    table = BenchTable(
        name="tools-spoken",
        title="Function calling, spoken: task-manager requests as audio through the SDK, scored by toolCall",
        columns=["set", "languageCode", "utterances", "exact match", "target", "median ms", "p90 ms"],
    )
    for language, outcomes in runs.items():
        latencies = [o.latency_ms for o in outcomes if o.latency_ms is not None and o.case.expected]
        passed = sum(o.passed for o in outcomes)
        calling = [o for o in outcomes if o.case.expected]
        silent = [o for o in outcomes if not o.case.expected]
        table.add_row(
            "task_manager (spoken)",
            _language_label(language),
            len(outcomes),
            f"{passed / len(outcomes):.1%}" if outcomes else "n/a",
            f"≥ {TARGETS['task_manager']:.0%}",
            f"{median(latencies):.0f}",
            f"{percentile(latencies, 90):.0f}",
        )
        table.notes.append(
            f"languageCode {_language_label(language)}: {sum(o.passed for o in calling)}/{len(calling)} requests "
            "that need calls matched exactly (function and arguments, openlive.bench.tools.calls_match); "
            f"{sum(o.passed for o in silent)}/{len(silent)} small-talk/out-of-scope requests got no call."
        )
    table.notes.append(
        "Latency: from sending the 20 ms chunk that holds the last speech sample to the toolCall's arrival, "
        "over the requests answered with a call; audio streamed at real-time pace with a quiet room "
        f"(-62 dBFS) around it; no call within {wait_s:.0f} s after speech counts as none."
    )
    table.notes.append(
        "Voices in turn: " + ", ".join(f"{v.engine}:{v.voice}" for v in VOICES) + " (speechgen, deterministic)."
    )
    table.notes.append(
        "languageCode: the client's speechConfig.languageCode ('not set': the server detects the language). "
        "Server at default settings; its session clock is frozen at the set's fixed 'now' so the expected dates "
        "apply unchanged."
    )
    if limit:
        table.notes.append(f"Quick run: first {limit} utterances only.")
    for language, outcomes in runs.items():
        table.notes.extend(f"FAIL [{_language_label(language)}] {o.describe()}" for o in outcomes if not o.passed)
    return table


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="openlive bench tools-spoken", description=__doc__)
    parser.add_argument("--limit", type=int, default=None, help="only the first N utterances")
    parser.add_argument("--wait", type=float, default=8.0, help="seconds after the end of speech to wait for a call")
    parser.add_argument(
        "--language",
        action="append",
        help="speechConfig.languageCode the app sends, e.g. en-US, or 'none' to leave it unset (the default); "
        "repeat to run the set once per value",
    )
    parser.add_argument("--verbose", action="store_true", help="print each utterance's outcome")
    options = parser.parse_args(argv)
    cases = load_task_manager_set(limit=options.limit)
    languages = [None if tag.lower() == "none" else tag for tag in options.language or ["none"]]
    runs = {language: run_spoken(cases, options.wait, language, options.verbose) for language in languages}
    table = build_table(runs, options.wait, options.limit)
    print(table.render())
    print(f"saved {table.save()}")
    return 0
