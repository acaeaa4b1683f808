"""Biasing Whisper towards the session's tool words: the context text, the choice among hypotheses, and real speech."""

from __future__ import annotations

import pytest

from openlive.backends.asr.biasing import Hypothesis, choose_hypothesis, context_vocabulary, merge_biased
from openlive.backends.asr.whisper import WhisperAsr
from openlive.bench.speechgen import VoiceSpec, synthesize
from openlive.engine.speech.asr_context import identifier_words, tool_context
from openlive.engine.speech.transcriber import UtteranceTranscriber
from openlive.engine.tools.schema import parse_tools
from tests.support.speech import TRANSCRIPTS, load_recording, normalise_words, word_accuracy

# A to-do app's declarations, in both schema dialects and with a nested enum.
TODO_TOOLS = [
    {
        "functionDeclarations": [
            {
                "name": "add_task",
                "description": "Add a task to the list.",
                "parameters": {
                    "type": "OBJECT",
                    "properties": {
                        "title": {"type": "STRING"},
                        "priority": {"type": "STRING", "enum": ["low", "high"]},
                    },
                },
            },
            {
                "name": "listTasks",
                "parametersJsonSchema": {
                    "type": "object",
                    "properties": {"filter": {"type": "string", "enum": ["all", "overdue", "HIGH_PRIORITY"]}},
                },
            },
            {
                "name": "reschedule_task",
                "parameters": {
                    "type": "OBJECT",
                    "properties": {
                        "title": {"type": "STRING"},
                        "when": {
                            "type": "OBJECT",
                            "properties": {"part_of_day": {"type": "STRING", "enum": ["morning", "evening"]}},
                        },
                    },
                },
            },
        ]
    }
]
# Requests that Whisper base mishears without the context, and the tool word it then misses. The
# right reading is among its hypotheses (Piper's "list": "Wist all my tasks."), or
# only the prompted decoding hears it (espeak's British "reschedule": "Reset you will").
BRITISH = VoiceSpec(engine="espeak", voice="en-gb-x-rp")
MISHEARD_REQUESTS = [
    ("reschedule clean the garage for Saturday", BRITISH, "reschedule"),
    ("reschedule the dentist to Monday", BRITISH, "reschedule"),
    ("list all my tasks", VoiceSpec(engine="piper", voice="joe"), "list"),
]


@pytest.fixture(scope="module")
def context() -> str:
    return tool_context(parse_tools(TODO_TOOLS))


def test_identifier_words() -> None:
    assert identifier_words("add_task") == "add task"
    assert identifier_words("listTasks") == "list tasks"
    assert identifier_words("HIGH_PRIORITY") == "high priority"
    assert identifier_words("getURLFor2") == "get url for 2"


def test_context_names_functions_then_enumerated_values(context: str) -> None:
    assert context == (
        "add task, list tasks, reschedule task. Priority: low, high. Filter: all, overdue, high priority. "
        "Part of day: morning, evening."
    )
    # Descriptions stay out: sentences make Whisper echo them.
    assert "list." not in context


def test_context_is_empty_without_tools_and_bounded() -> None:
    assert tool_context([]) == ""
    many = parse_tools([{"functionDeclarations": [{"name": f"do_thing_number_{i}"} for i in range(40)]}])
    clipped = tool_context(many, max_words=10)
    assert len(clipped.split()) == 10 and clipped.endswith(".")


def test_choice_takes_context_words_among_close_hypotheses() -> None:
    vocabulary = context_vocabulary("list tasks. Filter: all, overdue.")
    misheard = [Hypothesis("Wist all my tasks.", -0.57), Hypothesis("List all my tasks.", -0.59)]
    assert choose_hypothesis(misheard, vocabulary).text == "List all my tasks."
    # A hypothesis the decoder scored much lower is not taken for its words.
    unlikely = [Hypothesis("Show me my overview tasks.", -0.40), Hypothesis("Show me my overdue tasks.", -0.75)]
    assert choose_hypothesis(unlikely, vocabulary).text == "Show me my overview tasks."
    # Without context words to tell them apart, the decoder's order stands.
    unrelated = [Hypothesis("The meeting went well.", -0.30), Hypothesis("The meeting went well!", -0.29)]
    assert choose_hypothesis(unrelated, vocabulary).text == "The meeting went well."


def test_merge_takes_only_changes_towards_the_context() -> None:
    vocabulary = context_vocabulary("list tasks. Filter: all, overdue.")
    assert merge_biased("Show me my overview tasks.", "Show me my overdue tasks.", vocabulary) == (
        "Show me my overdue tasks."
    )
    # A dropped first word, a dropped article, an echoed repeat or a plural dropped add no context word.
    assert merge_biased("The meeting went well.", "Immediately went well.", vocabulary) == "The meeting went well."
    assert merge_biased("Add a task to call mom.", "Add task to call mom.", vocabulary) == "Add a task to call mom."
    assert merge_biased("Wist all my tasks.", "List all my tasks. List all my tasks.", vocabulary) == (
        "List all my tasks."
    )
    assert merge_biased("Add tasks to vibrate.", "Add task, divide red.", vocabulary) == "Add tasks to vibrate."


@pytest.mark.parametrize(("request_text", "voice", "tool_word"), MISHEARD_REQUESTS)
def test_tool_context_makes_whisper_hear_the_tool_word(
    asr: WhisperAsr, context: str, request_text: str, voice: VoiceSpec, tool_word: str
) -> None:
    audio = synthesize(request_text, voice)
    plain = UtteranceTranscriber(asr, "en-US").final(audio).text
    assert tool_word not in normalise_words(plain), plain  # the premise: misheard without context
    biased = UtteranceTranscriber(asr, "en-US", context=context).final(audio).text
    assert tool_word in normalise_words(biased), biased
    assert word_accuracy(request_text, biased) > word_accuracy(request_text, plain), (plain, biased)


@pytest.mark.parametrize("recording", ["jfk.flac", "lk_weather_question.wav"])
def test_tool_context_leaves_unrelated_speech_alone(asr: WhisperAsr, context: str, recording: str) -> None:
    audio = load_recording(recording)
    heard = asr.transcribe(audio, "en", context=context).text
    assert word_accuracy(TRANSCRIPTS[recording], heard) >= 0.95, heard
    added = set(normalise_words(heard)) - set(normalise_words(TRANSCRIPTS[recording]))
    assert not added & context_vocabulary(context), heard
