"""Directedness (proactive audio) on real synthesised speech, transcribed by Whisper."""

from __future__ import annotations

import json

import pytest

from openlive.backends.asr.whisper import WhisperAsr
from openlive.bench.speechgen import VoiceSpec
from openlive.engine.affect import EmotionEstimator
from openlive.engine.proactivity import (
    ConversationState,
    DirectednessDetector,
    TurnAnalyzer,
    TurnSignals,
    assistant_names,
)
from openlive.engine.proactivity.names import name_position

from .conftest import speech

INSTRUCTION = "You are Ava, a friendly voice assistant for the Park family. Keep answers short."
USER = VoiceSpec("piper")
# A TV across the room: a different voice through a small loudspeaker, quieter, read briskly.
TV = VoiceSpec("piper", pitch=1.4, formant_shift=1.1, rate=1.15, pitch_range=1.3, gain_db=-10.0, channel="tv")
SPOUSE = VoiceSpec("espeak", "en-gb-x-rp", gain_db=-4.0, channel="far")
NOTHING_SAID = ConversationState()


def _heard(
    analyzer: TurnAnalyzer, asr: WhisperAsr, text: str, spec: VoiceSpec, state: ConversationState
) -> TurnSignals:
    audio = speech(text, spec)
    return analyzer.analyze(asr.transcribe(audio, language="en").text, audio, state)


def test_background_narration_is_ignored_and_a_question_right_after_it_is_answered(
    detector: DirectednessDetector, asr: WhisperAsr
) -> None:
    analyzer = TurnAnalyzer(estimator=None, detector=detector, assistant_names=assistant_names(INSTRUCTION))
    first = _heard(analyzer, asr, "Set a timer for ten minutes.", USER, NOTHING_SAID)
    after_answer = ConversationState(seconds_since_assistant=20.0, previous_assistant_text="Your timer is set.")
    narration = [
        _heard(analyzer, asr, text, TV, after_answer)
        for text in (
            "Authorities say the highway will reopen on Monday morning after the repairs are finished.",
            "Stay with us, the weekend forecast is coming up right after these messages.",
        )
    ]
    chat = _heard(analyzer, asr, "Honey, did you remember to call your sister back?", SPOUSE, after_answer)
    question = _heard(analyzer, asr, "What's the capital of Canada?", USER, after_answer)

    assert first.answer
    assert not any(turn.answer for turn in narration)
    assert not chat.answer
    assert question.answer
    assert question.directedness is not None and narration[0].directedness is not None
    assert question.directedness.score > narration[0].directedness.score + 0.3


def test_the_assistants_name_is_found_in_the_instruction_and_in_speech(
    detector: DirectednessDetector, asr: WhisperAsr
) -> None:
    assert assistant_names(INSTRUCTION) == ("openlive", "assistant", "ava")
    assert assistant_names("Your name is Max. You manage the calendar.") == ("openlive", "assistant", "max")
    assert assistant_names("You are a helpful assistant.") == ("openlive", "assistant")
    names = assistant_names(INSTRUCTION)
    # What ASR makes of the names.
    assert name_position(["hey", "open", "line", "what's", "the", "time"], names) == "start"
    assert name_position(["eva", "play", "some", "music"], names) == "start"
    assert name_position(["what", "do", "you", "think", "ava"], names) == "end"
    assert name_position(["i", "need", "to", "mix", "the", "flour"], ("max",)) is None

    text = "Ava, what's on my calendar this afternoon?"
    transcript = asr.transcribe(speech(text, USER), language="en").text
    decision = detector.decide(transcript, NOTHING_SAID, names)
    assert decision.features["name_start"] == 1.0
    assert decision.directed
    assert any("name" in reason for reason in decision.reasons)


def test_a_follow_up_within_an_active_exchange_is_answered(detector: DirectednessDetector, asr: WhisperAsr) -> None:
    names = assistant_names(INSTRUCTION)
    transcript = asr.transcribe(speech("And what about Sunday?", USER), language="en").text
    active = ConversationState(seconds_since_assistant=2.0, previous_assistant_text="Saturday will be sunny and warm.")
    in_exchange = detector.decide(transcript, active, names)
    out_of_the_blue = detector.decide(transcript, NOTHING_SAID, names)
    assert in_exchange.directed
    assert in_exchange.score > out_of_the_blue.score
    assert any("assistant just spoke" in reason or "exchange" in reason for reason in in_exchange.reasons)


def test_self_talk_and_fillers_are_ignored(detector: DirectednessDetector, asr: WhisperAsr) -> None:
    names = assistant_names(INSTRUCTION)
    for text in ("Hmm, where did I leave my glasses?", "Uh huh."):
        transcript = asr.transcribe(speech(text, VoiceSpec("piper", gain_db=-4.0)), language="en").text
        assert not detector.decide(transcript, NOTHING_SAID, names).directed, transcript


def test_turn_signals_combine_both_and_format_for_logs(
    detector: DirectednessDetector, estimator: EmotionEstimator, asr: WhisperAsr
) -> None:
    analyzer = TurnAnalyzer(estimator=estimator, detector=detector, assistant_names=assistant_names(INSTRUCTION))
    ignored = _heard(analyzer, asr, "Stocks closed lower today as investors worried about rates.", TV, NOTHING_SAID)
    answered = _heard(analyzer, asr, "Ugh, the printer is jammed again, how do I fix it?", USER, NOTHING_SAID)

    assert not ignored.answer and ignored.emotion is None and ignored.reply_style is None
    assert answered.answer and answered.emotion is not None and answered.reply_style is not None

    record = answered.log_record()
    json.dumps(record)  # must be JSON-ready
    assert record["answer"] is True
    assert set(record) == {"answer", "directedness", "emotion", "reply_style"}
    metrics = answered.metrics()
    assert metrics["turn_answered"] == 1.0 and 0.0 <= metrics["directedness_score"] <= 1.0
    assert (
        sum(value for name, value in metrics.items() if name.startswith("emotion_") and "confidence" not in name) == 1
    )
    assert ignored.metrics()["turn_declined"] == 1.0


def test_typed_text_is_always_answered_and_without_a_detector_every_turn_is(
    estimator: EmotionEstimator, asr: WhisperAsr
) -> None:
    analyzer = TurnAnalyzer(estimator=estimator, detector=None, assistant_names=())
    typed = analyzer.analyze("This is wonderful news, thank you so much!", None, NOTHING_SAID)
    heard = _heard(analyzer, asr, "Stocks closed lower today as investors worried about rates.", TV, NOTHING_SAID)
    assert typed.answer and typed.directedness is None
    assert typed.emotion is not None and typed.emotion.label == "happy"
    assert heard.answer


@pytest.mark.parametrize("path", ["affect/emotion.jsonl", "proactive/directedness.jsonl"])
def test_evaluation_sets_are_split_by_id_parity_and_balanced(path: str) -> None:
    from openlive.bench.affect import DATA
    from openlive.bench.speechgen import VoiceSpec as Spec

    rows = [json.loads(line) for line in (DATA.parents[1] / path).read_text().splitlines()]
    assert len(rows) >= (150 if "emotion" in path else 200)
    assert len({row["id"] for row in rows}) == len(rows)
    for row in rows:
        assert (int(row["id"].split("-")[1]) % 2 == 0) == (row["split"] == "tune")
        Spec.from_dict(row["voice"])
    key = "label" if "emotion" in path else "category"
    for value in {row[key] for row in rows}:
        halves = [sum(row[key] == value and row["split"] == split for row in rows) for split in ("tune", "report")]
        assert abs(halves[0] - halves[1]) <= 1, value
