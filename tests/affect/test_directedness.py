"""Directedness (proactive audio) on real synthesised speech, transcribed by Whisper."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from openlive.backends.asr.whisper import WhisperAsr
from openlive.bench.speechgen import VoiceSpec
from openlive.engine.affect import EmotionEstimator
from openlive.engine.affect.voice import voice_features
from openlive.engine.affect.words import tokens
from openlive.engine.proactivity import (
    ConversationState,
    DirectednessDetector,
    RoomBaseline,
    TurnAnalyzer,
    TurnSignals,
    assistant_names,
)
from openlive.engine.proactivity.names import name_position, set_off_words

from .conftest import speech

INSTRUCTION = "You are Ava, a friendly voice assistant for the Park family. Keep answers short."
USER = VoiceSpec("piper")
# A TV across the room: a different voice through a small loudspeaker, quieter, read briskly.
TV = VoiceSpec("piper", pitch=1.4, formant_shift=1.1, rate=1.15, pitch_range=1.3, gain_db=-10.0, channel="tv")
SPOUSE = VoiceSpec("espeak", "en-gb-x-rp", gain_db=-4.0, channel="far")
NOTHING_SAID = ConversationState()
PROTOTYPES = "src/openlive/engine/proactivity/prototypes.json"


def _heard(
    analyzer: TurnAnalyzer, asr: WhisperAsr, text: str, spec: VoiceSpec, state: ConversationState
) -> TurnSignals:
    """One finished turn, analysed and remembered as a session does."""
    audio = speech(text, spec)
    signals = analyzer.analyze(asr.transcribe(audio, language="en").text, audio, state)
    analyzer.remember(signals)
    return signals


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


def test_sound_can_only_count_against_a_turn(detector: DirectednessDetector, asr: WhisperAsr) -> None:
    """Chatter much louder than the only thing heard before (a quiet TV) gets no credit for it.

    The background-talk SDK test's case: in a fresh room the reference is one quiet clip, so
    any nearer voice is far "above the room"; the words must decide.
    """
    model = detector.model.model
    for name in ("quieter_than_room", "slower_than_room"):
        index = model.feature_names.index(name)
        directed, background = model.classes.index("directed"), model.classes.index("background")
        assert model.weights[directed, index] < model.weights[background, index], name

    names = assistant_names("You are a helpful voice assistant.")
    room = RoomBaseline()
    tv_audio = speech("Don't miss the season finale, Sunday at nine, only on Channel Four.", TV)
    room.add(voice_features(tv_audio, asr.transcribe(tv_audio, language="en").text))
    loud = VoiceSpec("piper", pitch=1.6, formant_shift=1.14, gain_db=4.0)
    audio = speech("It was the funniest thing, the dog ate the whole pizza.", loud)
    transcript = asr.transcribe(audio, language="en").text
    in_room = detector.decide(transcript, NOTHING_SAID, names, voice_features(audio, transcript), room)
    without_sound = detector.decide(transcript, NOTHING_SAID, names)
    assert in_room.features["quieter_than_room"] == 0.0
    # Its slower pace than the brisk TV may lower the score; nothing about its sound raises it.
    assert in_room.score <= without_sound.score + 1e-9
    assert not in_room.directed, in_room


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
    assert name_position(["what", "do", "you", "think", "ava"], names) == "called"
    assert name_position(["i", "need", "to", "mix", "the", "flour"], ("max",)) is None
    # A misheard short name counts where a called name goes: set off by punctuation …
    called = "What do you think, Abba? Should I bring an umbrella?"
    assert name_position(tokens(called), names, set_off_words(called)) == "called"
    # … but not inside a sentence.
    mentioned = "I love Abba songs."
    assert name_position(tokens(mentioned), names, set_off_words(mentioned)) is None

    text = "Ava, what's on my calendar this afternoon?"
    transcript = asr.transcribe(speech(text, USER), language="en").text
    decision = detector.decide(transcript, NOTHING_SAID, names)
    assert decision.features["name_called"] == 1.0
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


def test_a_consent_answers_the_assistants_question_but_not_out_of_the_blue(
    detector: DirectednessDetector, asr: WhisperAsr
) -> None:
    names = assistant_names(INSTRUCTION)
    transcript = asr.transcribe(speech("Sure, go ahead.", USER), language="en").text
    asked = ConversationState(
        seconds_since_assistant=4.0, previous_assistant_text="I found a recipe for pancakes. Shall I read it out?"
    )
    answer = detector.decide(transcript, asked, names)
    out_of_the_blue = detector.decide(transcript, NOTHING_SAID, names)
    assert answer.directed
    assert not out_of_the_blue.directed
    assert answer.features["answers_assistant"] > 0.5
    assert any("answers the assistant" in reason for reason in answer.reasons)


def test_a_question_about_the_world_is_answered_without_a_name_or_an_exchange(
    detector: DirectednessDetector, asr: WhisperAsr
) -> None:
    names = assistant_names(INSTRUCTION)
    for text in ("How much sleep does a teenager need?", "What's 15 times 12?"):
        transcript = asr.transcribe(speech(text, USER), language="en").text
        decision = detector.decide(transcript, NOTHING_SAID, names)
        assert decision.directed, transcript
        assert decision.features["question_impersonal"] == 1.0, transcript
    # Digits count as words, not as fillers.
    digits = detector.features("What's 15 times 12?", NOTHING_SAID, names)
    assert digits["content_words"] == 4.0 and digits["filler_share"] == 0.0


def test_a_question_to_a_person_says_you_unless_you_means_anyone(detector: DirectednessDetector) -> None:
    names = assistant_names(INSTRUCTION)
    assert detector.features("Did you lock the back door?", NOTHING_SAID, names)["question_you"] == 1.0
    assert detector.features("How do you say thank you in French?", NOTHING_SAID, names)["question_you"] == 0.0


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


def test_analysing_learns_nothing_until_the_turn_is_remembered(detector: DirectednessDetector) -> None:
    # A session analyses speculatively at every pause; only the finished turn may teach the room.
    analyzer = TurnAnalyzer(estimator=None, detector=detector, assistant_names=())
    loud = speech("Could you read me the news headlines, please?", USER)
    quiet_audio = speech("Could you read me the news headlines, please?", VoiceSpec("piper", gain_db=-14.0))
    quiet = "Could you read me the news headlines, please?"
    before = analyzer.analyze(quiet, quiet_audio, NOTHING_SAID)
    for _ in range(3):
        analyzer.analyze(quiet, loud, NOTHING_SAID)
    assert analyzer.analyze(quiet, quiet_audio, NOTHING_SAID) == before
    analyzer.remember(analyzer.analyze(quiet, loud, NOTHING_SAID))
    after = analyzer.analyze(quiet, quiet_audio, NOTHING_SAID)
    assert after.directedness is not None and before.directedness is not None
    assert after.directedness.score < before.directedness.score  # now quieter than the room


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


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_the_held_out_set_is_fresh_and_covers_every_kind_of_turn() -> None:
    from openlive.bench.proactive import HELDOUT, TUNING_SETS
    from openlive.bench.speechgen import VoiceSpec as Spec

    heldout = _rows(HELDOUT)
    tuning = [row for path in TUNING_SETS for row in _rows(path)]
    assert len(heldout) >= 100 and len(heldout) + len(tuning) >= 200
    assert len({row["id"] for row in heldout + tuning}) == len(heldout) + len(tuning)
    assert {row["split"] for row in heldout} == {"heldout"}
    for row in heldout + tuning:
        Spec.from_dict(row["voice"])
    categories = {row["category"] for row in heldout}
    assert {"chatter", "tv", "people", "self_talk", "command", "question", "name", "follow_up"} <= categories
    for category in categories:
        # A category is either meant for the assistant or not.
        assert len({row["directed"] for row in heldout if row["category"] == category}) == 1, category
    assert 0.4 <= sum(row["directed"] for row in heldout) / len(heldout) <= 0.6
    # No held-out sentence is a tuning sentence or a prototype the detector compares turns with.
    prototypes = json.loads((Path(__file__).parents[2] / PROTOTYPES).read_text())
    seen = {row["text"].lower() for row in tuning} | {text.lower() for texts in prototypes.values() for text in texts}
    assert not [row["text"] for row in heldout if row["text"].lower() in seen]
