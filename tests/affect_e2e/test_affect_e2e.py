"""Affective dialog and proactive audio through the Python SDK, against a real server.

Speech comes from ``openlive.bench.speechgen`` (the generator behind bench/data/affect and
bench/data/proactive) and is streamed at real-time pace; replies are judged on what the SDK
hands the app (transcripts and 24 kHz audio) and on the server's "turn signals" log line.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from google import genai
from google.genai import types

from openlive.bench.proactive import DATA as DIRECTEDNESS_SET
from openlive.bench.speechgen import VoiceSpec, synthesize
from openlive.bench.voice_client import Reply
from openlive.engine.affect.policy import FULL_CONFIDENCE, MIN_CONFIDENCE, adapt_reply
from openlive.engine.affect.types import EmotionEstimate
from tests.conftest import RunningServer
from tests.speech_e2e.voice import REPLY_WAIT_S, assert_spoken_reply, voice_config, voice_session, words_of
from tests.support.speech import fresh_synthesize, normalise_words

NEUTRAL_VOICE = VoiceSpec(engine="piper")
# Angry delivery: faster, louder, higher and with wider pitch swings than the same voice at rest.
ANGRY_VOICE = VoiceSpec(engine="piper", rate=1.25, pitch=1.25, pitch_range=1.6, gain_db=6.0)
# One breath: a pause at a sentence end would let the turn detector end the turn there.
FRUSTRATED_REQUEST = "I'm really fed up because this is the third time the upload has failed on me!"
NEUTRAL_REQUEST = "Can you tell me the time zone of Paris?"
# Report-half background turns the detector declines offline (Whisper-base transcript, empty
# room): TV narration through a loudspeaker and two people talking across the room.
BACKGROUND_IDS = ("pro-083", "pro-033", "pro-179")
DIRECTED_QUESTION = "Assistant, what's the capital of France?"
# Room noise between speakers, long enough for each clip's turn to end before the next starts.
GAP_BETWEEN_SPEAKERS_S = 2.5
# Piper peak-normalises every sentence, then scales it by the prosody's volume; resampling
# moves that peak by well under this.
PEAK_TOLERANCE = 0.012
SIGNALS_LINE = re.compile(r"turn signals: (\{.*\})$", re.MULTILINE)


@dataclass(frozen=True)
class HeardTurn:
    reply: Reply
    signals: list[dict[str, Any]]  # the server's "turn signals" records logged during the turn


def affective_config(*, proactive_audio: bool) -> types.LiveConnectConfig:
    proactivity = types.ProactivityConfig(proactive_audio=True) if proactive_audio else None
    return voice_config(enable_affective_dialog=True, proactivity=proactivity)


async def speak_and_hear(client: genai.Client, server: RunningServer, text: str, voice: VoiceSpec) -> HeardTurn:
    """One spoken request in a fresh affective session: the finished reply and the signals logged for it.

    Proactive audio stays off here: whether a complaint is addressed to the assistant is the
    other test's subject, and a declined turn would have no reply to measure.
    """
    logged_before = len(server.log())
    async with voice_session(client, affective_config(proactive_audio=False)) as talk:
        talk.open_microphone().say(synthesize(text, voice))
        reply = await talk.next_reply(REPLY_WAIT_S)
    records = [json.loads(match) for match in SIGNALS_LINE.findall(server.log()[logged_before:])]
    return HeardTurn(reply, records)


def sentence_count(text: str) -> int:
    return len([part for part in re.split(r"[.!?]+(?:\s+|$)", text.strip()) if part.strip()])


def peak_level(reply: Reply) -> float:
    samples = np.frombuffer(bytes(reply.audio), dtype=np.int16).astype(np.int32)
    return float(np.abs(samples).max()) / 32767


def final_signals(turn: HeardTurn) -> dict[str, Any]:
    """The record of the turn's last analysis (a speculative one at a pause may precede it)."""
    assert turn.signals, "the server logged no turn signals: were the affective/proactive fields parsed?"
    return turn.signals[-1]


async def test_frustrated_voice_gets_a_shorter_calmer_quieter_reply(
    sdk: genai.Client, tls_server: RunningServer
) -> None:
    frustrated = await speak_and_hear(sdk, tls_server, FRUSTRATED_REQUEST, ANGRY_VOICE)
    neutral = await speak_and_hear(sdk, tls_server, NEUTRAL_REQUEST, NEUTRAL_VOICE)
    for turn in (frustrated, neutral):
        assert_spoken_reply(turn.reply)

    upset, calm = final_signals(frustrated), final_signals(neutral)
    assert upset["emotion"]["label"] == "frustrated", upset
    assert upset["emotion"]["confidence"] >= MIN_CONFIDENCE, upset
    assert calm.get("emotion", {}).get("label") != "frustrated", calm
    assert calm["reply_style"]["adapted"] is False, calm

    # Wording: the policy caps a frustrated reply's sentences and the reply keeps to it.
    target = adapt_reply(EmotionEstimate("frustrated", FULL_CONFIDENCE, {"frustrated": FULL_CONFIDENCE}))
    assert target.max_sentences is not None
    style = upset["reply_style"]
    assert style["adapted"] and style["max_sentences"] == target.max_sentences, style
    spoken = frustrated.reply.output_text
    assert sentence_count(spoken) <= target.max_sentences, spoken

    # Prosody: slower, lower and quieter, at least half way to the policy's target.
    assert target.speaking_rate <= style["speaking_rate"] <= 1 - (1 - target.speaking_rate) / 2, style
    assert target.pitch <= style["pitch"] <= 1 - (1 - target.pitch) / 2, style
    assert target.volume <= style["volume"] <= 1 - (1 - target.volume) / 2, style
    # ... and the audio carries it: the neutral reply peaks at full scale, the frustrated one no
    # higher than the style's volume and at least half the style's change below the neutral one.
    assert peak_level(neutral.reply) == pytest.approx(1.0, abs=PEAK_TOLERANCE)
    assert peak_level(frustrated.reply) <= style["volume"] + PEAK_TOLERANCE
    assert peak_level(neutral.reply) - peak_level(frustrated.reply) >= (1 - style["volume"]) / 2


def background_turns() -> list[tuple[str, VoiceSpec]]:
    rows = [json.loads(line) for line in Path(DIRECTEDNESS_SET).read_text().splitlines() if line.strip()]
    chosen = {row["id"]: row for row in rows if row["id"] in BACKGROUND_IDS}
    assert all(not chosen[id_]["directed"] and chosen[id_]["split"] == "report" for id_ in BACKGROUND_IDS)
    return [(chosen[id_]["text"], VoiceSpec.from_dict(chosen[id_]["voice"])) for id_ in BACKGROUND_IDS]


async def test_background_talk_is_transcribed_not_answered_then_a_question_is(
    sdk: genai.Client, tls_server: RunningServer
) -> None:
    background = background_turns()
    async with voice_session(sdk, affective_config(proactive_audio=True)) as talk:
        microphone = talk.open_microphone()
        # Rendered in fresh processes: espeak-ng's output depends on what it spoke before (see fresh_synthesize).
        clips = [fresh_synthesize(text, voice) for text, voice in [*background, (DIRECTED_QUESTION, NEUTRAL_VOICE)]]
        for clip in clips:
            await microphone.say(clip).finished
            await asyncio.sleep(GAP_BETWEEN_SPEAKERS_S)
        # A clip may arrive as several turns (a pause at a sentence end can end a turn).
        turns = [await talk.next_reply(REPLY_WAIT_S)]
        while not turns[-1].audio:
            turns.append(await talk.next_reply(REPLY_WAIT_S))

    # The question's turns start where its words do: "Assistant," may end a turn of its own,
    # answered and then cut short (interrupted, before any audio) by the rest of the question.
    first_question_turn = next(
        i for i, turn in enumerate(turns) if words_of(turn.input_text) & {"assistant", "capital", "france"}
    )
    declined, question = turns[:first_question_turn], turns[first_question_turn:]
    seen = [f"{turn.input_text!r} audio={turn.audio_seconds:.1f}s said={turn.output_text!r}" for turn in turns]
    for turn in declined:
        assert turn.input_text.strip() and turn.turn_complete and not turn.interrupted, seen
        assert not turn.audio and not turn.output_text, f"background talk was answered: {seen}"
    heard = [word for turn in declined for word in normalise_words(turn.input_text)]
    for text, _ in background:
        spoken = set(normalise_words(text))
        assert len(spoken & set(heard)) >= 0.6 * len(spoken), f"{text!r} not transcribed: {seen}"
    # In the order spoken: the turn that holds most of each clip comes after the previous clip's.
    holders = [
        max(range(len(declined)), key=lambda i: len(set(normalise_words(text)) & words_of(declined[i].input_text)))
        for text, _ in background
    ]
    assert holders == sorted(holders), f"transcripts out of order: {seen}"
    *fragments, answer = question
    assert not any(turn.audio for turn in fragments), seen
    assert_spoken_reply(answer)
    assert "france" in words_of(" ".join(turn.input_text for turn in question)), seen
    assert "paris" in words_of(answer.output_text), seen
