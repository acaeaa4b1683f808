"""Prometheus metrics for every latency that matters (served at ``GET /metrics``)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

_LATENCY_BUCKETS = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.5, 2.0, 3.0, 5.0)

TURN_STAGE_SECONDS = Histogram(
    "openlive_turn_stage_seconds",
    "Time from the end of user speech (or of a text turn) to each stage of the reply.",
    ["stage"],
    buckets=_LATENCY_BUCKETS,
)
# Their ratio over an interval is each stage's real-time factor under the load of that interval.
STAGE_BUSY_SECONDS = Counter(
    "openlive_stage_busy_seconds",
    "Time each audio stage's model calls took on their worker thread, queueing excluded: "
    "listen (VAD and turn model), asr (each pass), tts.",
    ["stage"],
)
STAGE_AUDIO_SECONDS = Counter(
    "openlive_stage_audio_seconds",
    "Seconds of audio each stage processed: heard (listen, asr) or made (tts).",
    ["stage"],
)
ACTIVE_SESSIONS = Gauge("openlive_active_sessions", "Live sessions open now.")
SESSIONS_CLOSED = Counter("openlive_sessions_closed_total", "Live sessions ended, by close code.", ["code"])
VIDEO_FRAMES = Counter(
    "openlive_video_frames_total", "Video frames received, read, and dropped unread (latest wins).", ["outcome"]
)
READ_AHEAD = Counter(
    "openlive_read_ahead_total",
    "The user's words so far, transcribed while they spoke: evaluated into the prompt, or dropped as stale.",
    ["outcome"],
)
INTERRUPTIONS = Counter("openlive_interruptions_total", "Replies interrupted, by cause.", ["cause"])
TURN_SIGNALS = Counter(
    "openlive_turn_signals_total",
    "Per-turn affect and directedness decisions (emotion labels, turns answered or declined).",
    ["signal"],
)
DIRECTEDNESS_SCORE = Histogram(
    "openlive_directedness_score",
    "How sure proactive audio was that a turn was meant for it.",
    buckets=(0.1, 0.3, 0.5, 0.7, 0.9),
)


def observe_turn_signals(values: dict[str, float]) -> None:
    """Count the one-hot decisions of a turn; keep the directedness score as a distribution."""
    for name, value in values.items():
        if name == "directedness_score":
            DIRECTEDNESS_SCORE.observe(value)
        elif name.startswith(("emotion_", "turn_")) and name != "emotion_confidence" and value:
            TURN_SIGNALS.labels(name).inc(value)


def observe_stage(stage: str, busy_seconds: float, audio_seconds: float) -> None:
    STAGE_BUSY_SECONDS.labels(stage).inc(busy_seconds)
    STAGE_AUDIO_SECONDS.labels(stage).inc(audio_seconds)
