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
