"""Emotion estimates and reply styles from real synthesised speech, transcribed by Whisper."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from openlive.backends.asr.whisper import WhisperAsr
from openlive.bench.speechgen import VoiceSpec
from openlive.engine.affect import (
    EMOTION_LABELS,
    NEUTRAL_STYLE,
    AffectModels,
    EmotionEstimate,
    EmotionEstimator,
    EmotionLabel,
    FaceCues,
    VoiceBaseline,
    adapt_reply,
    voice_features,
)
from openlive.engine.affect.policy import MIN_CONFIDENCE
from openlive.engine.affect.voice import count_syllables
from openlive.engine.affect.words import lexicon_features

from .conftest import speech

SPEAKER = VoiceSpec("piper")
# The speaker's everyday turns, which teach the session baseline what their voice is like.
WARM_UP = (
    "Can you tell me when the library opens on Saturday?",
    "Add apples and yoghurt to the shopping list.",
    "What's the weather going to be like this afternoon?",
)
NEUTRAL_TEXT = "Please set a reminder to call the dentist tomorrow morning."
FRUSTRATED_TEXT = "Why does this keep failing? I've told you twice already!"
# Louder, faster, higher and wider, as an annoyed speaker sounds.
ANGRY = VoiceSpec("piper", rate=1.12, pitch=1.08, pitch_range=1.35, gain_db=5.0)
SAD = VoiceSpec("piper", rate=0.82, pitch=0.9, pitch_range=0.6, gain_db=-5.0)


def _warm_baseline(spec: VoiceSpec = SPEAKER) -> VoiceBaseline:
    baseline = VoiceBaseline()
    for text in WARM_UP:
        baseline.add(voice_features(speech(text, spec), text))
    return baseline


def _estimate(estimator: EmotionEstimator, asr: WhisperAsr, text: str, spec: VoiceSpec) -> EmotionEstimate:
    audio = speech(text, spec)
    transcript = asr.transcribe(audio, language="en").text
    return estimator.estimate(transcript, _warm_baseline().deltas(voice_features(audio, transcript)))


def test_frustrated_and_neutral_requests_get_different_estimates_and_reply_styles(
    estimator: EmotionEstimator, asr: WhisperAsr
) -> None:
    neutral = _estimate(estimator, asr, NEUTRAL_TEXT, SPEAKER)
    frustrated = _estimate(estimator, asr, FRUSTRATED_TEXT, ANGRY)

    # A plain request may lean elsewhere, but never with the confidence that would change the reply.
    assert neutral.label == "neutral" or neutral.confidence < MIN_CONFIDENCE
    assert frustrated.label == "frustrated" and frustrated.confidence >= MIN_CONFIDENCE
    assert frustrated.scores["frustrated"] > 2 * neutral.scores["frustrated"]
    assert set(frustrated.modalities) == {"voice", "words"}

    calm, adapted = adapt_reply(neutral), adapt_reply(frustrated)
    assert calm == NEUTRAL_STYLE
    assert "frustrated" in adapted.instruction and adapted.max_sentences == 2
    assert adapted.speaking_rate < 1.0 and adapted.volume < 1.0


def test_acted_prosody_is_measured_against_the_speakers_own_baseline() -> None:
    baseline = _warm_baseline()
    plain = baseline.deltas(voice_features(speech(NEUTRAL_TEXT, SPEAKER), NEUTRAL_TEXT))
    angry = baseline.deltas(voice_features(speech(NEUTRAL_TEXT, ANGRY), NEUTRAL_TEXT))
    sad = baseline.deltas(voice_features(speech(NEUTRAL_TEXT, SAD), NEUTRAL_TEXT))

    assert abs(plain.level_db) < 2.0 and abs(plain.pitch_st) < 1.0
    assert angry.level_db > plain.level_db + 3.0 and sad.level_db < plain.level_db - 3.0
    assert angry.pitch_st > plain.pitch_st + 0.8 and sad.pitch_st < plain.pitch_st - 0.8
    assert angry.rate_log > plain.rate_log + 0.05 and sad.rate_log < plain.rate_log - 0.1
    assert sad.pitch_range_st < plain.pitch_range_st < angry.pitch_range_st


def test_a_naturally_high_voice_is_not_excited_once_the_session_knows_it() -> None:
    high = VoiceSpec("piper", pitch=1.6, formant_shift=1.12)
    own = _warm_baseline(high).deltas(voice_features(speech(NEUTRAL_TEXT, high), NEUTRAL_TEXT))
    against_another_speaker = _warm_baseline(SPEAKER).deltas(voice_features(speech(NEUTRAL_TEXT, high), NEUTRAL_TEXT))

    assert abs(own.pitch_st) < 1.0
    assert against_another_speaker.pitch_st > 6.0


def test_the_voice_alone_tells_an_angry_delivery_from_a_plain_one(estimator: EmotionEstimator) -> None:
    baseline = _warm_baseline()
    plain = estimator.estimate(
        NEUTRAL_TEXT, baseline.deltas(voice_features(speech(NEUTRAL_TEXT, SPEAKER), NEUTRAL_TEXT)), modalities=["voice"]
    )
    angry = estimator.estimate(
        NEUTRAL_TEXT, baseline.deltas(voice_features(speech(NEUTRAL_TEXT, ANGRY), NEUTRAL_TEXT)), modalities=["voice"]
    )
    assert plain.modalities == ("voice",)
    assert angry.scores["neutral"] < plain.scores["neutral"]
    assert angry.scores["frustrated"] + angry.scores["happy"] > plain.scores["frustrated"] + plain.scores["happy"]


def test_the_first_turn_of_a_session_relies_on_words(estimator: EmotionEstimator) -> None:
    text = "I'm so worried about the results, what if something is wrong?"
    estimate = estimator.estimate(text, VoiceBaseline().deltas(voice_features(speech(text, SPEAKER), text)))
    assert estimate.modalities == ("words",)
    assert estimate.label == "anxious"


def test_a_smile_on_camera_leans_towards_happy(estimator: EmotionEstimator) -> None:
    text = "The package arrived this morning."
    without = estimator.estimate(text)
    smiling = estimator.estimate(text, face=FaceCues(smile=0.9))
    frowning = estimator.estimate(text, face=FaceCues(frown=0.9, gaze_away=0.5))
    assert "face" in smiling.modalities and "face" not in without.modalities
    assert smiling.scores["happy"] > without.scores["happy"]
    assert frowning.scores["happy"] < without.scores["happy"]
    assert math.isclose(sum(smiling.scores.values()), 1.0)
    with pytest.raises(ValueError):
        FaceCues(smile=1.5)


def test_words_carry_valence_negation_and_syllables() -> None:
    happy, negated = lexicon_features("I am really happy"), lexicon_features("I'm not happy about this at all")
    assert happy["vader_compound"] > 0.4 and negated["vader_compound"] < 0.0
    assert negated["negation"] == 1.0 and happy["negation"] == 0.0
    assert count_syllables("Please set a reminder") == 6


def _estimate_of(label: EmotionLabel, confidence: float) -> EmotionEstimate:
    rest = (1.0 - confidence) / (len(EMOTION_LABELS) - 1)
    scores = {other: confidence if other == label else rest for other in EMOTION_LABELS}
    return EmotionEstimate(label, confidence, scores)


def test_reply_styles_follow_the_feeling_and_only_when_sure() -> None:
    sad, happy, anxious = (
        adapt_reply(_estimate_of("sad", 0.9)),
        adapt_reply(_estimate_of("happy", 0.9)),
        adapt_reply(_estimate_of("anxious", 0.9)),
    )
    assert "warm" in sad.instruction and sad.speaking_rate < 1.0 and sad.volume < 1.0
    assert "energy" in happy.instruction and happy.speaking_rate > 1.0 and happy.pitch > 1.0
    assert "reassure" in anxious.instruction.lower() and anxious.speaking_rate < 1.0
    assert adapt_reply(_estimate_of("frustrated", 0.3)) == NEUTRAL_STYLE
    barely, sure = adapt_reply(_estimate_of("sad", 0.5)), adapt_reply(_estimate_of("sad", 0.95))
    assert 1.0 > barely.speaking_rate > sure.speaking_rate
    assert sure.prosody.rate == sure.speaking_rate


def test_calibration_round_trips(tmp_path: Path, estimator: EmotionEstimator) -> None:
    path = tmp_path / "calibration.json"
    estimator.models.save(path)
    loaded = AffectModels.load(path)
    features = estimator.features(FRUSTRATED_TEXT, None)
    assert loaded.words.probabilities(features) == pytest.approx(estimator.models.words.probabilities(features))
