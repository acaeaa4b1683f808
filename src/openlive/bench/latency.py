"""``openlive bench latency``: how fast openlive answers speech, measured as a user's app sees it.

A real ``openlive serve`` runs in a subprocess; the google-genai SDK talks to it over TLS on
loopback, exactly as an app would. Each session has a microphone that sends 20 ms chunks of
16 kHz PCM at real-time pace for as long as the session lives: the utterance when the user
speaks, a quiet room (noise at -62 dBFS) otherwise. After each reply the user waits until the
reply would have finished playing before speaking again.

Measured:

* **end of user speech → first reply audio chunk** received by the client. The end of speech
  is the moment the chunk holding the last speech sample was sent; which sample that is comes
  from the audio itself (see :func:`speech_end_sample`).
* the same with 1, 2, 4 and 8 sessions at once, each with its own stream of utterances;
* **text in → first audio chunk** (``send_client_content`` with text, AUDIO replies);
* what the client can see of the stages: end of speech → first ``inputTranscription``
  and → first ``outputTranscription``, and how fast reply audio arrives against its duration;
  the server's own per-stage figures come from ``GET /metrics`` when the server has it;
* server memory from ``/proc/<pid>/status``: with the models loaded, after one warm-up turn,
  and the resident memory each further set-up session adds.

Utterances: the shared human recordings (``$OPENLIVE_SPEECH_DATA``) and questions synthesised
in several voices by :mod:`openlive.bench.speechgen` (Piper with changed rate, pitch and formants,
so it does not sound like openlive's own Piper voice, and espeak-ng voices).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import re
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from google.genai import errors, types
from websockets.exceptions import ConnectionClosed

from openlive.audio import Float32Audio
from openlive.backends.vad.silero import SileroVad
from openlive.bench.recordings import load_recording, speech_data_dir
from openlive.bench.report import BenchTable, percentile
from openlive.bench.server import ServerProcess, running_server
from openlive.bench.speechgen import VoiceSpec, cached_speech
from openlive.bench.voice_client import RATE, Conversation, Microphone, Reply

LIVE_MODEL = "gemini-2.5-flash-native-audio-preview-12-2025"
SYSTEM_INSTRUCTION = "You are a helpful voice assistant. Answer in one short sentence."
# Keeps every reply short enough that the playback wait stays reasonable.
MAX_REPLY_TOKENS = 60
# Spoken turns per SDK session before the client reconnects: a short conversation each,
# so the shared LLM context never fills up during a long run.
TURNS_PER_SESSION = 4
LEAD_IN_S = 0.3
AFTER_PLAYBACK_S = 0.5
TURN_TIMEOUT_S = 45.0
SESSION_STAGGER_S = 0.37
SETTLE_S = 1.0
VAD_FRAME = 512
VAD_SPEECH = 0.5
END_REFINE_S = 0.1
END_LEVEL_DB = 35.0

LATENCY_TARGET = "p50 ≤ 500, p95 ≤ 800 (stretch p50 ≤ 300)"
TEXT_TARGET_MS = 200.0
# The audio stages whose real-time factors the server counts (openlive.metrics.STAGE_BUSY_SECONDS).
_RTF_STAGES = ("listen", "asr", "tts")
# A pause inside a reply shorter than this passes for a breath between phrases.
STALL_NOTICED_MS = 100.0
RSS_TARGET_BYTES = 2.5 * 2**30
SESSION_RSS_TARGET_BYTES = 30 * 2**20

# (file, channel or None to average the channels); transcripts are in the folder's README.
RECORDINGS: tuple[tuple[str, int | None], ...] = (
    ("lk_weather_question.wav", None),
    ("lk_hello_world.wav", None),
    ("jfk.flac", None),
    ("stereo_diarization.wav", 0),
    ("stereo_diarization.wav", 1),
)
QUESTIONS = (
    "What is the capital of France?",
    "How many days are there in a week?",
    "Can you tell me a short joke?",
    "Remind me to call my mother on Sunday morning.",
    "What is the weather going to be like this weekend?",
    "Add a task to buy milk tomorrow at five pm.",
    "How far away is the moon?",
    "What should I cook for dinner tonight?",
    "Turn off the lights in the living room please.",
    "Who wrote the play Romeo and Juliet?",
    "What is two plus two?",
    "Give me one tip for sleeping better.",
    "How do I say thank you in Spanish?",
    "What is on my calendar for tomorrow?",
    "Why is the sky blue?",
    "Can you recommend a good book to read?",
    "What time is it in Tokyo right now?",
)
# Piper is openlive's own reply voice, so its renderings are moved away from it in rate,
# pitch and vocal-tract length; espeak-ng brings other voices.
VOICES = (
    VoiceSpec("piper", rate=0.9, pitch=1.3, formant_shift=1.12),
    VoiceSpec("espeak", "en-us"),
    VoiceSpec("piper", rate=1.2, pitch=0.85, formant_shift=0.95),
    VoiceSpec("espeak", "en-gb-x-rp", rate=0.9),
    VoiceSpec("piper", rate=1.05, pitch=1.7, formant_shift=1.18),
    VoiceSpec("espeak", "en-us+f2"),
    VoiceSpec("espeak", "en-us+f4", rate=1.15),
)
TEXT_QUESTIONS = QUESTIONS[:10]


@dataclass(frozen=True)
class Utterance:
    label: str
    audio: Float32Audio  # 16 kHz mono, as the microphone picks it up
    speech_end: int  # index just past the last speech sample


def speech_end_sample(audio: Float32Audio, vad: SileroVad) -> int:
    """Index just past the last speech sample, 0 if there is no speech.

    Silero VAD (offline, whole clip) finds the last 32 ms frame of speech; its score lags the
    sound by a frame or two, so the end is then moved back to the last 10 ms step, at most
    :data:`END_REFINE_S` earlier, that is still within 35 dB of the clip's loudest step.
    """
    stream = vad.open_stream()
    end = 0
    for start in range(0, audio.size - VAD_FRAME + 1, VAD_FRAME):
        if stream.speech_probability(audio[start : start + VAD_FRAME]) >= VAD_SPEECH:
            end = start + VAD_FRAME
    step = RATE // 100
    steps = audio[: audio.size // step * step].reshape(-1, step).astype(np.float64)
    if end == 0 or steps.size == 0:
        return end
    loud = float(np.sqrt((steps**2).mean(axis=1)).max()) * 10 ** (-END_LEVEL_DB / 20)
    for stop in range(end, max(step, end - round(END_REFINE_S * RATE)), -step):
        if float(np.sqrt(np.mean(audio[stop - step : stop].astype(np.float64) ** 2))) >= loud:
            return stop
    return end


def _recording(name: str, channel: int | None) -> Float32Audio | None:
    if not (speech_data_dir() / name).is_file():
        return None
    return load_recording(name, channel)


def utterance_set(count: int) -> list[Utterance]:
    """``count`` utterances, recordings and synthesised questions interleaved (repeated if needed)."""
    vad = SileroVad()
    recorded = []
    for name, channel in RECORDINGS:
        audio = _recording(name, channel)
        if audio is not None:
            side = "" if channel is None else f" ({'left' if channel == 0 else 'right'})"
            recorded.append(Utterance(f"recording {name}{side}", audio, speech_end_sample(audio, vad)))
    synthesised = []
    for index, text in enumerate(QUESTIONS[: max(0, count - len(recorded))]):
        spec = VOICES[index % len(VOICES)]
        audio = cached_speech("latency", text, spec)
        label = f"{spec.engine} {spec.voice} rate {spec.rate:g} pitch {spec.pitch:g}"
        synthesised.append(Utterance(label, audio, speech_end_sample(audio, vad)))
    mixed: list[Utterance] = []
    for index in range(max(len(recorded), len(synthesised))):
        mixed += recorded[index : index + 1] + synthesised[index : index + 1]
    return [mixed[index % len(mixed)] for index in range(count)]


# --- spoken turns ---------------------------------------------------------------------------


def live_config() -> types.LiveConnectConfig:
    return types.LiveConnectConfig(
        response_modalities=[types.Modality.AUDIO],
        input_audio_transcription=types.AudioTranscriptionConfig(),
        output_audio_transcription=types.AudioTranscriptionConfig(),
        system_instruction=SYSTEM_INSTRUCTION,
        max_output_tokens=MAX_REPLY_TOKENS,
    )


@contextlib.asynccontextmanager
async def conversation(server: ServerProcess, seed: int | None = None) -> AsyncIterator[Conversation]:
    """An SDK session on ``server``; with a ``seed``, its microphone (quiet room noise) is on."""
    client = server.genai_client()
    async with client.aio.live.connect(model=LIVE_MODEL, config=live_config()) as session:
        talk = Conversation(session)
        if seed is not None:
            talk.open_microphone(Microphone(session, seed=seed))
        try:
            yield talk
        finally:
            await talk.close()


@dataclass(frozen=True)
class SpokenTurn:
    utterance: Utterance
    speech_end: float
    reply: Reply | None  # None: no reply audio after the end of speech within the timeout
    # Server turns before the reply: the utterance was cut into several turns (an early answer,
    # or one begun and interrupted by the rest of the utterance).
    split_turns: int
    stray_replies: int  # server turns that came after the previous reply, before this utterance

    @property
    def latency_ms(self) -> float | None:
        """End of speech → first reply audio; None without reply audio."""
        if self.reply is None or self.reply.first_audio is None:
            return None
        return (self.reply.first_audio - self.speech_end) * 1000


async def speak(talk: Conversation, utterance: Utterance) -> SpokenTurn:
    """Say ``utterance`` after a short lead-in and wait for the reply to arrive and finish playing."""
    assert talk.microphone is not None, "open the microphone first"
    stray = len(talk.take_replies())
    lead_in = round(LEAD_IN_S * RATE)
    audio = np.concatenate([np.zeros(lead_in, np.float32), utterance.audio])
    speech_end = await talk.microphone.say(audio, lead_in + utterance.speech_end).speech_end
    split = 0
    while True:
        try:
            reply = await talk.next_reply(speech_end + TURN_TIMEOUT_S - time.perf_counter())
        except TimeoutError:
            return SpokenTurn(utterance, speech_end, None, split, stray)
        if reply.first_audio is None or reply.first_audio < speech_end:
            split += 1
            continue
        # The user listens to the whole reply before speaking again; the room noise goes on.
        played = reply.first_audio + reply.audio_seconds + AFTER_PLAYBACK_S
        await asyncio.sleep(max(0.0, played - time.perf_counter()))
        return SpokenTurn(utterance, speech_end, reply, split, stray)


async def ask_in_text(talk: Conversation, question: str) -> tuple[float, Reply]:
    """Send ``question`` as client content; return when it was sent and the reply."""
    await talk.session.send_client_content(
        turns=types.Content(role="user", parts=[types.Part(text=question)]), turn_complete=True
    )
    sent = time.perf_counter()
    return sent, await talk.next_reply(TURN_TIMEOUT_S)


# --- runs ------------------------------------------------------------------------------------


@dataclass
class LevelResult:
    sessions: int
    turns: list[SpokenTurn] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def latencies_ms(self) -> list[float]:
        return [latency for turn in self.turns if (latency := turn.latency_ms) is not None]

    def to_first(self, attribute: str) -> list[float]:
        """End of speech → the first message of a kind (``first_input_text``…), in ms."""
        values = []
        for turn in self.turns:
            moment = getattr(turn.reply, attribute, None) if turn.reply else None
            if moment is not None:
                values.append((moment - turn.speech_end) * 1000)
        return values

    def playback_stalls_ms(self) -> list[float]:
        """Per whole reply (not interrupted, over 0.5 s), the time its playback would wait for audio."""
        return [
            t.reply.playback_stall_seconds() * 1000
            for t in self.turns
            if t.reply and t.reply.turn_complete and not t.reply.interrupted and t.reply.audio_seconds > 0.5
        ]

    def audio_arrival_factors(self) -> list[float]:
        """Reply audio's arrival time from first to last chunk over its duration (< 1: faster than playback)."""
        return [
            (t.reply.last_audio - t.reply.first_audio) / t.reply.audio_seconds
            for t in self.turns
            if t.reply and t.reply.first_audio and t.reply.last_audio and t.reply.audio_seconds > 0.5
        ]


async def _stream_worker(
    server: ServerProcess, utterances: Sequence[Utterance], index: int, result: LevelResult
) -> None:
    await asyncio.sleep(index * SESSION_STAGGER_S)
    for first in range(0, len(utterances), TURNS_PER_SESSION):
        try:
            async with conversation(server, seed=index * 1000 + first) as talk:
                for utterance in utterances[first : first + TURNS_PER_SESSION]:
                    result.turns.append(await speak(talk, utterance))
        except (errors.APIError, ConnectionClosed) as error:
            result.failures.append(f"session {index} ended: {error}")


async def run_level(server: ServerProcess, utterances: Sequence[Utterance], sessions: int) -> LevelResult:
    """``sessions`` sessions at once, each speaking its own share of ``utterances`` (rotated)."""
    result = LevelResult(sessions)
    per_session = math.ceil(len(utterances) / sessions)
    streams = [
        [utterances[(index * per_session + k) % len(utterances)] for k in range(per_session)]
        for index in range(sessions)
    ]
    await asyncio.gather(*(_stream_worker(server, stream, index, result) for index, stream in enumerate(streams)))
    return result


async def text_latencies(server: ServerProcess, questions: Sequence[str]) -> tuple[list[float], list[str]]:
    latencies: list[float] = []
    failures: list[str] = []
    for first in range(0, len(questions), TURNS_PER_SESSION):
        try:
            async with conversation(server) as talk:
                for question in questions[first : first + TURNS_PER_SESSION]:
                    sent, reply = await ask_in_text(talk, question)
                    if reply.first_audio is None:
                        failures.append(f"no audio for text {question!r}")
                    else:
                        latencies.append((reply.first_audio - sent) * 1000)
        except (errors.APIError, ConnectionClosed, TimeoutError) as error:
            failures.append(f"text session failed: {error!r}")
    return latencies, failures


@dataclass(frozen=True)
class MemoryResult:
    loaded: int
    after_warm_up: int
    sessions: int
    with_sessions: int
    failures: list[str]

    @property
    def per_extra_session(self) -> float:
        return (self.with_sessions - self.after_warm_up) / max(1, self.sessions - 1)


async def measure_memory(server: ServerProcess, utterance: Utterance, sessions: int) -> MemoryResult:
    """RSS with models loaded; after one warm-up turn; with ``sessions`` idle sessions that each spoke once."""
    loaded = server.memory().rss_bytes
    failures: list[str] = []
    after_warm_up = 0
    async with contextlib.AsyncExitStack() as stack:
        for index in range(sessions):
            talk = await stack.enter_async_context(conversation(server, seed=index))
            turn = await speak(talk, utterance)
            if turn.reply is None:
                failures.append(f"memory session {index}: no reply")
            await talk.close_microphone()  # idle from now on, as when the user mutes
            if index == 0:
                await asyncio.sleep(SETTLE_S)
                after_warm_up = server.memory().rss_bytes
        await asyncio.sleep(SETTLE_S)
        with_sessions = server.memory().rss_bytes
    return MemoryResult(loaded, after_warm_up, sessions, with_sessions, failures)


# --- server metrics --------------------------------------------------------------------------

_SAMPLE = re.compile(r"^(?P<name>[A-Za-z_:][\w:]*)(?P<labels>\{[^}]*\})?\s+(?P<value>\S+)")


def scrape_metrics(server: ServerProcess) -> dict[str, float] | None:
    """Prometheus samples from ``GET /metrics`` keyed ``name{labels}``; None if the server has none."""
    try:
        status, body = server.get("/metrics")
    except OSError:
        return None
    if status != 200:
        return None
    samples: dict[str, float] = {}
    for line in body.decode(errors="replace").splitlines():
        match = _SAMPLE.match(line)
        if match and not line.startswith("#"):
            with contextlib.suppress(ValueError):
                samples[match["name"] + (match["labels"] or "")] = float(match["value"])
    return samples


def metric_means(before: dict[str, float], after: dict[str, float]) -> dict[str, tuple[float, int]]:
    """Mean and count of each histogram or summary over the interval between two scrapes."""
    means: dict[str, tuple[float, int]] = {}
    for key, total in after.items():
        name, brace, labels = key.partition("{")
        if not name.endswith("_sum"):
            continue
        count_key = name[: -len("_sum")] + "_count" + brace + labels
        count = after.get(count_key, 0.0) - before.get(count_key, 0.0)
        if count > 0:
            means[name[: -len("_sum")] + brace + labels] = ((total - before.get(key, 0.0)) / count, round(count))
    return means


def stage_real_time_factors(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """Each audio stage's model time over the audio it processed, between two scrapes (see openlive.metrics)."""
    factors: dict[str, float] = {}
    for key, busy in after.items():
        name, brace, labels = key.partition("{")
        audio_key = "openlive_stage_audio_seconds_total" + brace + labels
        if name != "openlive_stage_busy_seconds_total" or audio_key not in after:
            continue
        audio = after[audio_key] - before.get(audio_key, 0.0)
        if audio > 0:
            factors[_stage(key)] = (busy - before.get(key, 0.0)) / audio
    return factors


# --- tables ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    result: LevelResult
    # Mean and count of each server histogram over this level; None without GET /metrics.
    server_means: dict[str, tuple[float, int]] | None
    # Real-time factor of each audio stage over this level (listen, asr, tts).
    real_time_factors: dict[str, float]


def _ms(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.0f}"


def _mib(value: float) -> str:
    return f"{value / 2**20:,.0f} MiB"


def _factor(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _stalled_share(stalls_ms: Sequence[float]) -> str:
    if not stalls_ms:
        return "–"
    stalled = sum(stall > STALL_NOTICED_MS for stall in stalls_ms)
    return f"{stalled}/{len(stalls_ms)}"


def _yes(condition: bool) -> str:
    return "yes" if condition else "**no**"


def _stage(key: str) -> str:
    """``openlive_turn_stage_seconds{stage="asr"}`` → ``asr``; other keys stay whole."""
    match = re.search(r'stage="([^"]*)"', key)
    return match[1] if match else key


def _latency_rows(table: BenchTable, level: LevelResult) -> None:
    latencies = level.latencies_ms()
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    met = bool(latencies) and p50 <= 500 and p95 <= 800 and len(latencies) == len(level.turns)
    verdict = _yes(met) + (" (stretch met)" if met and p50 <= 300 else "")
    table.add_row(
        "end of speech → first audio chunk", level.sessions, len(latencies), _ms(p50), _ms(p95), LATENCY_TARGET, verdict
    )
    timed = [(turn, latency) for turn in level.turns if (latency := turn.latency_ms) is not None]
    slowest = sorted(timed, key=lambda pair: -pair[1])[:3]
    table.notes.append(
        f"Slowest turns at {level.sessions} session(s): "
        + "; ".join(
            f"{turn.utterance.label} {ms:.0f} ms" + (f" (split {turn.split_turns})" if turn.split_turns else "")
            for turn, ms in slowest
        )
    )
    missing = sum(turn.reply is None for turn in level.turns)
    split = sum(turn.split_turns for turn in level.turns)
    stray = sum(turn.stray_replies for turn in level.turns)
    table.add_row(
        "utterances without reply / split into extra server turns / unprompted replies",
        level.sessions,
        len(level.turns),
        f"{missing} / {split} / {stray}",
        "",
        "0 / 0 / 0",
        _yes(missing == 0 and split == 0 and stray == 0),
    )


def stages_table(levels: Sequence[Level]) -> BenchTable:
    """Where the time goes, per concurrency level: client-side arrivals and the server's stage means."""
    server_keys = [key for key in (levels[0].server_means or {}) if key.split("{")[0].endswith("_seconds")]
    server_keys.sort(key=lambda key: (levels[0].server_means or {})[key][0])
    table = BenchTable(
        name="latency-stages",
        title="Voice turn stages: ms after the end of user speech (client p50; server mean)",
        columns=[
            "sessions",
            "turns",
            "client: inputTranscription",
            "client: outputTranscription",
            "client: first audio",
            *(f"server: {_stage(key)}" for key in server_keys),
            "reply audio arrival ÷ duration",
            "replies with playback stalls",
            "stall ms p95",
            *(f"RTF: {stage}" for stage in _RTF_STAGES),
        ],
    )
    for level in levels:
        result, means = level.result, level.server_means or {}
        table.add_row(
            result.sessions,
            len(result.turns),
            _ms(percentile(result.to_first("first_input_text"), 50)),
            _ms(percentile(result.to_first("first_output_text"), 50)),
            _ms(percentile(result.latencies_ms(), 50)),
            *(_ms(means[key][0] * 1000) if key in means else "–" for key in server_keys),
            f"{percentile(result.audio_arrival_factors(), 50):.2f}",
            _stalled_share(stalls := result.playback_stalls_ms()),
            _ms(percentile(stalls, 95)),
            *(_factor(level.real_time_factors.get(stage)) for stage in _RTF_STAGES),
        )
    if server_keys:
        table.notes.append(
            "Server columns: means of the server's per-turn stage histograms (GET /metrics) over each level, "
            "measured from the server's own estimate of the end of speech."
        )
    else:
        table.notes.append(
            "The server gave no stage histograms on GET /metrics: only what the client sees is reported."
        )
    table.notes.append(
        "Reply audio arrival ÷ duration: time from the first to the last reply chunk over the reply's length "
        "(under 1: the audio arrives faster than it plays). Playback stalls: a client that plays each chunk "
        f"as it arrives would wait for audio mid-reply; counted when over {STALL_NOTICED_MS:.0f} ms in a reply."
    )
    table.notes.append(
        "RTF (real-time factor): a stage's model time on its worker thread, queueing excluded, over the audio it "
        "processed at that level (listen: VAD and turn model on the incoming audio; asr: every pass, partial ones "
        "included, over the audio of that pass; tts: synthesis and resampling over the audio made). It rises with "
        "the sessions sharing the 2 cores."
    )
    return table


def _parse_levels(text: str) -> list[int]:
    levels = sorted({int(item) for item in text.split(",") if item.strip()})
    if not levels or levels[0] < 1:
        raise argparse.ArgumentTypeError("--concurrency takes positive integers, e.g. 1,2,4,8")
    return levels


async def _bench(args: argparse.Namespace, server: ServerProcess) -> list[BenchTable]:
    utterances = utterance_set(args.utterances)
    memory = await measure_memory(server, utterances[0], args.memory_sessions)
    failures = list(memory.failures)
    levels = []
    for sessions in args.concurrency:
        before = scrape_metrics(server)
        result = await run_level(server, utterances, sessions)
        after = scrape_metrics(server)
        failures += result.failures
        if before is not None and after is not None:
            levels.append(Level(result, metric_means(before, after), stage_real_time_factors(before, after)))
        else:
            levels.append(Level(result, None, {}))
    text, text_failures = await text_latencies(server, TEXT_QUESTIONS[: args.text_questions])
    failures += text_failures

    table = BenchTable(
        name="latency",
        title="Voice latency and memory through the Python SDK (ms unless noted)",
        columns=["measure", "sessions", "n", "p50", "p95", "target", "met"],
    )
    for level in levels:
        _latency_rows(table, level.result)
    p50 = percentile(text, 50)
    table.add_row(
        "text in → first audio chunk",
        1,
        len(text),
        _ms(p50),
        _ms(percentile(text, 95)),
        "≤ 200",
        _yes(bool(text) and p50 <= TEXT_TARGET_MS),
    )
    table.add_row("server RSS, models loaded, no session yet", "", "", _mib(memory.loaded), "", "", "")
    table.add_row(
        "server RSS after one warm-up turn",
        1,
        "",
        _mib(memory.after_warm_up),
        "",
        "≤ 2.5 GiB",
        _yes(memory.after_warm_up <= RSS_TARGET_BYTES),
    )
    table.add_row(
        f"RSS added per extra session ((RSS_{memory.sessions} − RSS_1)/{memory.sessions - 1})",
        memory.sessions,
        "",
        _mib(memory.per_extra_session),
        "",
        "≤ 30 MiB",
        _yes(memory.per_extra_session <= SESSION_RSS_TARGET_BYTES),
    )
    table.add_row(
        "server peak RSS over the whole run (VmHWM)", "", "", _mib(server.memory().peak_rss_bytes), "", "", ""
    )

    kinds = sorted({u.label.split(" ")[0] for u in utterances})
    table.notes += [
        f"{len(utterances)} utterances ({', '.join(kinds)}; recordings from {speech_data_dir()}), streamed by the "
        f"google-genai SDK over TLS on loopback in 20 ms chunks at real-time pace. At N sessions, N sessions "
        f"talk at once (starting {SESSION_STAGGER_S} s apart), each through its own share of the utterances; "
        f"{TURNS_PER_SESSION} turns per connection.",
        "End of speech = when the chunk holding the last speech sample was sent (found offline in the clip: the "
        "last frame Silero VAD scores ≥ 0.5, moved back to the last 10 ms within 35 dB of the loudest). "
        "The user waits for each reply to finish playing before speaking again.",
        f"Replies: AUDIO modality, input and output transcription on, max_output_tokens {MAX_REPLY_TOKENS}, "
        f"system instruction {SYSTEM_INSTRUCTION!r}. Text turns: {len(text)} questions by send_client_content.",
        f"Memory: RSS from /proc/<pid>/status; {memory.sessions} sessions each spoke one turn and stayed open, idle.",
        "The bench client runs on the same machine and shares its cores with the server.",
    ]
    table.notes += [f"failure: {failure}" for failure in failures]
    return [table, stages_table(levels)]


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="openlive bench latency", description=__doc__.split("\n\n")[0])
    parser.add_argument("--utterances", type=int, default=20, help="spoken turns per concurrency level (default 20)")
    parser.add_argument("--concurrency", type=_parse_levels, default=[1, 2, 4, 8], help="session counts, e.g. 1,2,4,8")
    parser.add_argument(
        "--quick", action="store_true", help="6 utterances, 1 and 2 sessions, fewer text and memory turns"
    )
    parser.add_argument("--server-arg", action="append", default=[], help="extra argument for `openlive serve`")
    args = parser.parse_args(argv)
    if args.quick:
        args.utterances, args.concurrency = min(args.utterances, 6), [level for level in args.concurrency if level <= 2]
    args.text_questions = 3 if args.quick else len(TEXT_QUESTIONS)
    args.memory_sessions = 3 if args.quick else 8

    with (
        tempfile.TemporaryDirectory(prefix="openlive-bench-latency-") as workdir,
        running_server(Path(workdir), extra_args=args.server_arg) as server,
    ):
        started = time.perf_counter()
        try:
            tables = asyncio.run(_bench(args, server))
        except Exception:
            print(server.log_text()[-4000:])
            raise
    tables[0].notes.append(f"The run took {time.perf_counter() - started:.0f} s after the server was ready.")
    for table in tables:
        print(table.render())
        print(f"saved {table.save()}")
    return 0
