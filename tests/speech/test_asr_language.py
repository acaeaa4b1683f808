"""Which language Whisper transcribes in when the client names none: the expected one unless detection is sure."""

from __future__ import annotations

from openlive.audio import Float32Audio
from openlive.backends.asr.whisper import WhisperAsr
from openlive.engine.speech.transcriber import UtteranceTranscriber
from tests.support.speech import RATE, TRANSCRIPTS, espeak_speech, load_recording, word_accuracy

# espeak's en-us voice saying this is detected as Finnish (p ≈ 0.85) and transcribed as Finnish words.
MISDETECTED_ENGLISH = "put pay the electricity bill on my to-do list for next Monday"
# The German part of the shared multilingual recording: "Jeden, der diese Software und die dazugehörigen…".
GERMAN_SECONDS = (30.0, 36.0)


def _german_speech() -> Float32Audio:
    start, end = GERMAN_SECONDS
    return load_recording("multilingual.mp3")[int(start * RATE) : int(end * RATE)]


def test_unsure_detection_keeps_the_expected_language(asr: WhisperAsr) -> None:
    audio = espeak_speech(MISDETECTED_ENGLISH, "en-us")
    undecided = asr.transcribe(audio)
    assert undecided.language != "en", undecided  # the premise: with no expectation Whisper picks another
    heard = asr.transcribe(audio, expected_language="en-US")
    assert heard.language == "en"
    assert word_accuracy(MISDETECTED_ENGLISH, heard.text) >= 0.8, heard.text


def test_confident_detection_beats_the_expected_language(asr: WhisperAsr) -> None:
    german = asr.transcribe(_german_speech(), expected_language="en")
    assert german.language == "de" and german.language_probability >= 0.9, german
    english = asr.transcribe(load_recording("lk_weather_question.wav"), expected_language="de")
    assert english.language == "en", english
    assert word_accuracy(TRANSCRIPTS["lk_weather_question.wav"], english.text) >= 0.8, english.text


def test_transcriber_expects_the_language_last_heard(asr: WhisperAsr) -> None:
    first = UtteranceTranscriber(asr)
    assert first.language == "en"  # nothing heard yet: the default expectation
    assert first.final(_german_speech()).language == "de"
    second = first.next_utterance()
    assert second.language == "de"
    assert second.final(load_recording("lk_weather_question.wav")).language == "en"
    # A language code from the client is used as given, whatever is heard.
    named = UtteranceTranscriber(asr, language="en-US")
    assert named.final(_german_speech()).language == "en-US"


def test_repeat_past_the_end_of_the_speech_is_dropped(asr: WhisperAsr) -> None:
    # Beam search (2) on this clip, speech up to its last sample, used to add "He began a confused
    # complaint against" after the sentence, in a segment starting 0.24 s before the end.
    text = asr.transcribe(load_recording("stereo_diarization.wav", channel=0), "en").text
    reference = "He began a confused complaint against the wizard, who had vanished behind the curtain on the left."
    assert word_accuracy(reference, text) >= 0.9, text
