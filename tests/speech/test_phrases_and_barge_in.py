from __future__ import annotations

import numpy as np
import pytest

from openlive.engine.speech.barge_in import (
    BargeIn,
    EchoDetector,
    is_backchannel,
    judge_barge_in,
    text_overlap,
)
from openlive.engine.speech.phrases import PhraseSplitter
from tests.support.speech import Audio, espeak_speech, joined, piper_speech, silence


def _split(text: str, step: int = 3, **options: int) -> list[str]:
    """Feed ``text`` a few characters at a time, as an LLM streams it."""
    splitter = PhraseSplitter(**options)
    phrases: list[str] = []
    for start in range(0, len(text), step):
        phrases += splitter.push(text[start : start + step])
    return phrases + splitter.flush()


def test_first_phrase_ends_at_the_first_clause() -> None:
    phrases = _split("Well, I think so, it looks like rain today, so take an umbrella with you.")
    assert phrases[0] == "Well, I think so,"
    assert " ".join(phrases) == "Well, I think so, it looks like rain today, so take an umbrella with you."


def test_first_phrase_ends_before_a_clause_word_or_at_its_word_limit() -> None:
    # Without punctuation the first phrase still ends early, where a speaker could pause.
    assert _split("Paris is known for its vibrant culture.")[0] == "Paris is known"
    # No clause word: the phrase ends at the word limit, but not on a word that leans on the next.
    assert _split("I want to go to the store today.")[0] == "I want to go"
    assert _split("The horizon seems extremely far away.")[0] == "The horizon seems extremely"
    # A fifth word that closes the sentence or clause stays with it.
    assert _split("A week is seven days. Enjoy it.")[0] == "A week is seven days."
    assert _split("Sure, I can do that, and more.")[0] == "Sure, I can do that,"
    # The next word decides, so nothing is cut while it may still be streaming ("for" or "fortunately").
    splitter = PhraseSplitter()
    assert splitter.push("It is sunny for") == []
    assert splitter.push(" sure.") == ["It is sunny"]


def test_first_phrase_is_emitted_before_the_text_ends() -> None:
    splitter = PhraseSplitter()
    assert splitter.push("Sure, I can do that, and") == ["Sure, I can do that,"]
    assert splitter.push(" I will add it") == []
    assert splitter.flush() == ["and I will add it"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It costs 3.5 dollars. That is cheap.", ["It costs 3.5 dollars.", "That is cheap."]),
        ("Dr. Smith will call you. Bye!", ["Dr. Smith will call you.", "Bye!"]),
        ("We need 1,000 items, e.g. pens and paper.", ["We need 1,000 items,", "e.g. pens and paper."]),
        ("Meet J. Smith at 5 p.m. tomorrow.", ["Meet J. Smith", "at 5 p.m. tomorrow."]),
        ('He said "Stop." Then he left.', ['He said "Stop."', "Then he left."]),
        ("Is it ready? Yes! It is.", ["Is it ready?", "Yes!", "It is."]),
        ("Version 2.0.1 is out.", ["Version 2.0.1 is out."]),
    ],
)
def test_sentence_rules(text: str, expected: list[str]) -> None:
    assert _split(text) == expected


def test_later_phrases_need_more_words_before_a_comma() -> None:
    phrases = _split("First, second part here. Then a, b, and c are listed, followed by a much longer clause.")
    assert phrases[0] == "First, second part here."
    assert "Then a," not in phrases


def test_run_on_text_is_cut_at_max_words() -> None:
    words = " ".join(f"word{i}" for i in range(50))
    phrases = _split(words, max_words=20)
    assert all(len(p.split()) <= 20 for p in phrases) and len(phrases) >= 2
    assert " ".join(phrases) == words


@pytest.mark.parametrize("text", ["Mm-hmm.", "Okay.", "Yeah, right.", "uh huh", "I see.", "Got it.", "okay okay"])
def test_backchannels(text: str) -> None:
    assert is_backchannel(text, duration_s=0.6)


@pytest.mark.parametrize("text", ["Wait, stop.", "No, that's wrong.", "Yeah but what about tomorrow?", "Cancel it"])
def test_not_backchannels(text: str) -> None:
    assert not is_backchannel(text, duration_s=0.8)


def test_long_speech_is_not_a_backchannel() -> None:
    assert not is_backchannel("okay", duration_s=3.0)


def _room(audio: Audio, delay_s: float = 0.12, gain: float = 0.3, seed: int = 1) -> Audio:
    """What a laptop microphone hears of its own speaker: delayed, reverberant, quieter, noisy."""
    rng = np.random.default_rng(seed)
    response = np.exp(-np.arange(1600) / 300.0) * rng.standard_normal(1600)
    response[0] = 3.0
    reverberant = np.convolve(audio, response / np.abs(response).sum())[: audio.size]
    delayed = np.concatenate([np.zeros(int(delay_s * 16000), dtype=np.float32), reverberant])[: audio.size]
    heard: Audio = (gain * delayed / (np.abs(delayed).max() + 1e-9) + 0.003 * rng.standard_normal(audio.size)).astype(
        np.float32
    )
    return heard


def test_echo_of_own_voice_is_recognised() -> None:
    played = piper_speech("Here is the weather for today: sunny with a light breeze, and warm later on.")
    detector = EchoDetector()
    for start in range(0, played.size, 4000):
        detector.add_playback(played[start : start + 4000])
    echo = _room(played)[16000:32000]  # one second of the leak, mid-reply
    user = espeak_speech("Wait, can you stop for a moment please?", "en-gb-x-rp")[:16000]
    echo_score, user_score = detector.similarity(echo), detector.similarity(user)
    assert echo_score > 0.55 and user_score < 0.45, (echo_score, user_score)
    # The user talking over the echo is not echo.
    assert detector.similarity((0.5 * echo + user[: echo.size]).astype(np.float32)) < 0.45
    detector.clear()
    assert detector.similarity(echo) == 0.0


def test_echo_history_is_bounded() -> None:
    detector = EchoDetector(history_s=1.0)
    old = piper_speech("This was said a long time ago.")
    detector.add_playback(old)
    detector.add_playback(joined(silence(2.0)))
    assert detector.similarity(old[:8000]) < 0.45


def test_barge_in_decisions() -> None:
    spoken = "The weather in Paris is sunny with a high of twenty degrees."
    assert judge_barge_in(0.4, echo_similarity=0.9) is BargeIn.IGNORE
    assert judge_barge_in(0.3, echo_similarity=0.1) is BargeIn.WAIT
    assert judge_barge_in(1.2, echo_similarity=0.1) is BargeIn.INTERRUPT
    assert judge_barge_in(0.5, 0.1, text="Mm-hmm.", spoken_text=spoken) is BargeIn.IGNORE
    assert judge_barge_in(0.6, 0.1, text="Stop, stop.", spoken_text=spoken) is BargeIn.INTERRUPT
    assert judge_barge_in(0.9, 0.1, text="sunny with a high", spoken_text=spoken) is BargeIn.IGNORE
    # While the user goes on, words that sound like a backchannel only mean wait: "Yeah," may open
    # a request, which is an interruption once it is too long for a backchannel.
    assert judge_barge_in(0.5, 0.1, text="Yeah.", spoken_text=spoken, still_speaking=True) is BargeIn.WAIT
    assert judge_barge_in(1.6, 0.1, text="Yeah.", spoken_text=spoken, still_speaking=True) is BargeIn.INTERRUPT
    assert judge_barge_in(0.4, 0.9, text="Yeah.", spoken_text=spoken, still_speaking=True) is BargeIn.IGNORE
    assert text_overlap("what about London", spoken) == 0.0
