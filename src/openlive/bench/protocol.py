"""``openlive bench protocol``: client frames parsed and routed per second on one core.

Frames are 20 ms of 16 kHz PCM16 audio as the Python SDK sends them (URL-safe base64 in
``{"realtime_input": {"audio": {...}}}``) and as the JS SDK sends them (standard base64,
camelCase). Each is parsed into a typed message and routed to a per-session audio sink;
server audio frames (40 ms at 24 kHz) are timed for encoding too.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import time
from collections.abc import Callable

import numpy as np

from openlive.bench.report import BenchTable, median
from openlive.protocol.codec import encode_server_message, parse_client_message
from openlive.protocol.messages import Blob, Content, Part, RealtimeInput, ServerContent, ServerMessage


def _pcm(samples: int, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(samples) * 3000).astype("<i2").tobytes()


def python_sdk_frame(pcm: bytes) -> str:
    data = base64.urlsafe_b64encode(pcm).decode()
    return json.dumps({"realtime_input": {"audio": {"data": data, "mime_type": "audio/pcm;rate=16000"}}})


def js_sdk_frame(pcm: bytes) -> str:
    data = base64.b64encode(pcm).decode()
    return json.dumps({"realtimeInput": {"audio": {"data": data, "mimeType": "audio/pcm;rate=16000"}}})


class AudioSink:
    """Stands where the session's audio intake is: keeps the PCM bytes it is routed."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def route(self, frame: str) -> None:
        message = parse_client_message(frame)
        if isinstance(message, RealtimeInput) and message.audio is not None:
            self.buffer += message.audio.data
        else:
            raise AssertionError("expected an audio frame")


def _frames_per_second(work: Callable[[int], object], count: int) -> float:
    started = time.perf_counter()
    for index in range(count):
        work(index)
    return count / (time.perf_counter() - started)


def _measure_routing(encoded: list[str], count: int) -> float:
    sink = AudioSink()
    rate = _frames_per_second(lambda index: sink.route(encoded[index % len(encoded)]), count)
    if len(sink.buffer) != count * 640:
        raise AssertionError("frames were lost in routing")
    return rate


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="openlive bench protocol")
    parser.add_argument("--frames", type=int, default=20000, help="frames per run")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core

    frames = [_pcm(320, seed) for seed in range(64)]
    cases: dict[str, list[str]] = {
        "Python SDK audio frame (url-safe base64, snake_case)": [python_sdk_frame(pcm) for pcm in frames],
        "JS SDK audio frame (standard base64, camelCase)": [js_sdk_frame(pcm) for pcm in frames],
    }
    table = BenchTable(
        name="protocol",
        title="Protocol codec: 20 ms audio frames parsed and routed on one core",
        columns=["case", "frames/s (median)", "min–max frames/s", "µs per frame (median)", "runs"],
    )
    codec_rates = []
    for label, encoded in cases.items():
        rates = [_measure_routing(encoded, args.frames) for _ in range(args.runs)]
        codec_rates.append(median(rates))
        _add_rate_row(table, label, rates)

    reply = ServerMessage(
        ServerContent(model_turn=Content("model", (Part(inline_data=Blob("audio/pcm;rate=24000", _pcm(960, 1))),)))
    )
    rates = [_frames_per_second(lambda _: encode_server_message(reply), args.frames) for _ in range(args.runs)]
    _add_rate_row(table, "server audio frame encoded (40 ms, 24 kHz)", rates)
    frames_per_microphone = 50  # 20 ms frames per second of one live microphone
    table.notes.append(
        f"One live microphone sends {frames_per_microphone} frames/s: one core's codec covers about "
        f"{min(codec_rates) / frames_per_microphone:,.0f} microphones before any model work."
    )
    print(table.render())
    print(f"saved {table.save()}")
    return 0


def _add_rate_row(table: BenchTable, label: str, rates: list[float]) -> None:
    typical = median(rates)
    table.add_row(label, f"{typical:,.0f}", f"{min(rates):,.0f}–{max(rates):,.0f}", f"{1e6 / typical:.2f}", len(rates))
