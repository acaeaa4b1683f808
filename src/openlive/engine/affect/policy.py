"""How the reply should adapt to the user's feeling: words for the prompt, prosody for the voice.

A pure function of the estimate. Unsure estimates change nothing: replying with warmth to
someone who was merely neutral is a smaller harm than cheerfulness to someone grieving, but
both are worse than a plain reply. Above the threshold the voice moves towards the target
prosody in proportion to the confidence.
"""

from __future__ import annotations

from dataclasses import dataclass

from openlive.engine.affect.types import EmotionEstimate, EmotionLabel, ReplyStyle

# Below this confidence the reply keeps its normal style.
MIN_CONFIDENCE = 0.45
# At this confidence (and above) the prosody reaches its full target.
FULL_CONFIDENCE = 0.8


@dataclass(frozen=True)
class _Target:
    instruction: str
    max_sentences: int | None
    speaking_rate: float
    pitch: float
    volume: float


NEUTRAL_STYLE = ReplyStyle(instruction="", max_sentences=None, speaking_rate=1.0, pitch=1.0, volume=1.0)

_TARGETS: dict[EmotionLabel, _Target] = {
    "frustrated": _Target(
        "The user sounds frustrated. Briefly acknowledge the problem without arguing or over-apologising, "
        "stay calm, and go straight to the fix or the answer. Keep it short: at most two sentences.",
        max_sentences=2,
        speaking_rate=0.94,
        pitch=0.97,
        volume=0.95,
    ),
    "sad": _Target(
        "The user sounds sad. Be warm and gentle: acknowledge how they feel before anything else, "
        "don't rush to fix things or cheer them up, and keep your words simple.",
        max_sentences=3,
        speaking_rate=0.9,
        pitch=0.96,
        volume=0.9,
    ),
    "happy": _Target(
        "The user sounds happy and excited. Match their energy: be upbeat, share their enthusiasm "
        "in a few words, then help.",
        max_sentences=3,
        speaking_rate=1.08,
        pitch=1.06,
        volume=1.05,
    ),
    "anxious": _Target(
        "The user sounds anxious. Reassure them calmly, be clear and concrete, and give one simple "
        "next step rather than many options.",
        max_sentences=3,
        speaking_rate=0.92,
        pitch=0.98,
        volume=0.95,
    ),
}


def adapt_reply(estimate: EmotionEstimate) -> ReplyStyle:
    target = _TARGETS.get(estimate.label)
    if target is None or estimate.confidence < MIN_CONFIDENCE:
        return NEUTRAL_STYLE
    # Half the prosody change at the threshold, all of it from FULL_CONFIDENCE up.
    ramp = min(1.0, (estimate.confidence - MIN_CONFIDENCE) / (FULL_CONFIDENCE - MIN_CONFIDENCE))
    strength = 0.5 + 0.5 * ramp

    def towards(value: float) -> float:
        return round(1.0 + strength * (value - 1.0), 3)

    return ReplyStyle(
        instruction=target.instruction,
        max_sentences=target.max_sentences,
        speaking_rate=towards(target.speaking_rate),
        pitch=towards(target.pitch),
        volume=towards(target.volume),
    )
