"""Per-stage speech timings at one thread: VAD, turn model, ASR (cut vs 30 s window), TTS.

``openlive bench speech_stages [--runs N]``: medians (and p90) over N runs of each item.
Test speech comes from the shared recordings (``$OPENLIVE_SPEECH_DATA``) when present and
from Piper and espeak-ng voices synthesised here.
"""

from __future__ import annotations

import argparse
import functools
import time
from collections.abc import Callable

import numpy as np
import soundfile

from openlive.audio import Float32Audio, int16_to_float32, resample
from openlive.backends.asr.whisper import WhisperAsr
from openlive.backends.tts.base import Tts
from openlive.backends.tts.espeak import EspeakTts
from openlive.backends.tts.piper import PiperTts
from openlive.backends.turn.smart_turn import SmartTurn
from openlive.backends.vad.silero import SileroVad
from openlive.bench.recordings import speech_data_dir, word_accuracy
from openlive.bench.report import BenchTable, median, percentile

RATE = 16000
RECORDINGS = {
    "lk_hello_world.wav": "Hello world.",
    "lk_weather_question.wav": "What is the weather in Paris?",
    "jfk.flac": "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country.",
}
SENTENCES = (
    "Add a task to buy milk tomorrow at five pm.",
    "What is on my screen right now?",
    "Remind me to call my mother on Sunday morning.",
    "Turn off the lights in the living room please.",
    "What is the weather going to be like this weekend?",
)
ESPEAK_VOICES = ("en-us", "en-gb-x-rp", "en-us+f2")
TTS_TEXTS = ("Sure.", "Your meeting with the design team starts at ten tomorrow morning.")


def _timed(function: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _utterances(piper: PiperTts, espeak: dict[str, EspeakTts]) -> list[tuple[str, str, Float32Audio]]:
    items: list[tuple[str, str, Float32Audio]] = []
    for name, text in RECORDINGS.items():
        path = speech_data_dir() / name
        if path.is_file():
            data, rate = soundfile.read(path, dtype="float32", always_2d=True)
            items.append((f"rec:{name}", text, resample(np.ascontiguousarray(data.mean(axis=1)), rate, RATE)))
    for index, text in enumerate(SENTENCES):
        audio = int16_to_float32(np.concatenate(list(piper.synthesize(text))))
        items.append((f"piper:{index}", text, resample(audio, piper.sample_rate, RATE)))
        voice = ESPEAK_VOICES[index % len(ESPEAK_VOICES)]
        spoken = int16_to_float32(np.concatenate(list(espeak[voice].synthesize(text))))
        items.append((f"espeak-{voice}:{index}", text, resample(spoken, espeak[voice].sample_rate, RATE)))
    return items


def _ms(values: list[float]) -> str:
    return f"{median(values):.1f} (p90 {percentile(values, 90):.1f})"


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="openlive bench speech_stages")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per item (median reported)")
    args = parser.parse_args(argv)
    runs = max(1, args.runs)

    table = BenchTable(
        name="speech_stages",
        title="Speech stages at 1 thread (ms: median, p90 over runs)",
        columns=["stage", "input", "latency ms", "RTF", "quality"],
    )
    vad, turn_model, asr, piper = SileroVad(), SmartTurn(), WhisperAsr(), PiperTts()
    espeak = {voice: EspeakTts(voice) for voice in ESPEAK_VOICES}
    items = _utterances(piper, espeak)

    stream = vad.open_stream()
    frames = np.concatenate([audio for _, _, audio in items])
    frames = frames[: frames.size // 512 * 512].reshape(-1, 512)
    per_frame: list[float] = []
    for frame in frames:
        start = time.perf_counter()
        stream.speech_probability(frame)
        per_frame.append((time.perf_counter() - start) * 1000)
    table.add_row(
        "VAD (Silero v6)", f"{len(per_frame)} frames of 32 ms", _ms(per_frame), f"{median(per_frame) / 32:.4f}", ""
    )

    turn_times = [
        t
        for _, _, audio in items[:4]
        for t in _timed(functools.partial(turn_model.completion_probability, audio), runs)
    ]
    table.add_row("turn model (Smart Turn v3.2)", "last 8 s of the turn", _ms(turn_times), "", "")

    for window, full in (("cut", False), ("30 s", True)):
        latencies: list[float] = []
        factors: list[float] = []
        accuracies: list[float] = []
        for _, reference, audio in items:
            item_runs = runs if not full else max(1, runs // 2)
            times = _timed(functools.partial(asr.transcribe, audio, "en", full_window=full), item_runs)
            latencies.extend(times)
            factors.append(median(times) / 1000 / (audio.size / RATE))
            accuracies.append(word_accuracy(reference, asr.transcribe(audio, "en", full_window=full).text))
        exact = sum(a == 1.0 for a in accuracies)
        table.add_row(
            f"ASR Whisper base int8, {window} window",
            f"{len(items)} utterances, {min(a.size for _, _, a in items) / RATE:.1f}-"
            f"{max(a.size for _, _, a in items) / RATE:.1f} s",
            _ms(latencies),
            f"{median(factors):.3f}",
            f"word acc {np.mean(accuracies):.3f}, exact {exact}/{len(items)}",
        )
    detect = _timed(lambda: asr.transcribe(items[0][2]), runs)
    table.add_row("ASR with language detection", items[0][0], _ms(detect), "", "")

    engines: list[tuple[str, Tts]] = [("Piper joe-medium", piper), ("espeak-ng en-us", espeak["en-us"])]
    for label, engine in engines:
        for text in TTS_TEXTS:
            first_audio: list[float] = []
            factors = []
            for _ in range(runs):
                start = time.perf_counter()
                pieces = engine.synthesize(text)
                first = next(iter(pieces))
                first_audio.append((time.perf_counter() - start) * 1000)
                total = np.concatenate([first, *pieces])
                factors.append((time.perf_counter() - start) / (total.size / engine.sample_rate))
            table.add_row(
                f"TTS {label}",
                f"{len(text.split())} words",
                f"first audio {_ms(first_audio)}",
                f"{median(factors):.3f}",
                "",
            )

    table.notes.append(
        "Every engine runs on 1 thread (ORT intra/inter 1, ctranslate2 intra_threads 1). "
        "The cut window is the speech plus 1 s of silence, at least 5 s; see backends/asr/whisper.py."
    )
    table.notes.append(f"{runs} timed runs per item; ASR word accuracy after lowercasing and dropping punctuation.")
    print(table.render())
    table.save()
    return 0
