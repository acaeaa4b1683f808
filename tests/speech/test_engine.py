"""Engine speech stages (activity, turns, transcriber) on real and synthetic speech."""

from __future__ import annotations

import json

import numpy as np

from openlive.backends.asr.whisper import WhisperAsr
from openlive.backends.turn.smart_turn import SmartTurn
from openlive.backends.vad.silero import SileroVad
from openlive.engine.speech.activity import (
    ActivityDetector,
    ActivitySettings,
    ActivityThresholds,
    EndSensitivity,
    SpeechPaused,
    SpeechResumed,
    SpeechStarted,
    SpeechStopped,
    StartSensitivity,
)
from openlive.engine.speech.transcriber import UtteranceTranscriber
from openlive.engine.speech.turns import (
    EndOfTurnPolicy,
    PauseJudged,
    TurnEndReason,
    TurnEvent,
    TurnTracker,
    UserPaused,
    UserSpeechStarted,
    UserTurnEnded,
)
from openlive.protocol.codec import parse_client_message
from openlive.protocol.messages import AutomaticActivityDetection, SetupMessage
from openlive.session.voice_input import activity_settings
from tests.support.speech import (
    RATE,
    joined,
    load_recording,
    noise,
    piper_speech,
    silence,
    trim_silence,
    word_accuracy,
)

CHUNK = 640  # 40 ms, as clients send


def _feed(target: ActivityDetector | TurnTracker, audio: np.ndarray) -> list[object]:
    events: list[object] = []
    for start in range(0, audio.size, CHUNK):
        events.extend(target.feed(audio[start : start + CHUNK]))
    return events


def test_settings_from_wire_config() -> None:
    setup = parse_client_message(
        json.dumps(
            {
                "setup": {
                    "model": "m",
                    "realtimeInputConfig": {
                        "automatic_activity_detection": {
                            "start_of_speech_sensitivity": "START_SENSITIVITY_LOW",
                            "endOfSpeechSensitivity": "low",
                            "prefix_padding_ms": 20.0,
                            "silenceDurationMs": "100",
                        }
                    },
                }
            }
        )
    )
    assert isinstance(setup, SetupMessage)
    settings = activity_settings(setup.setup.realtime_input_config.automatic_activity_detection)
    assert settings.start_sensitivity is StartSensitivity.LOW
    assert settings.end_sensitivity is EndSensitivity.LOW
    assert settings.prefix_padding_ms == 20 and settings.silence_duration_ms == 100
    assert activity_settings(AutomaticActivityDetection()) == ActivitySettings()
    assert activity_settings(AutomaticActivityDetection(disabled=True)).disabled
    thresholds = ActivityThresholds.from_settings(settings)
    assert thresholds.pause_ms == 100  # the client's 100 ms silence must be noticed in time


def test_speech_start_carries_prefix_padding(vad: SileroVad) -> None:
    speech = load_recording("lk_weather_question.wav")
    detector = ActivityDetector(vad.open_stream(), ActivitySettings(prefix_padding_ms=300))
    events = _feed(detector, joined(silence(1.0), speech, silence(1.0)))
    started = [e for e in events if isinstance(e, SpeechStarted)]
    assert len(started) == 1
    assert 0.9 * RATE <= started[0].start_sample <= 1.5 * RATE
    # 300 ms of padding before the first speech frame plus the onset frames.
    assert started[0].audio.size >= 0.3 * RATE
    assert any(isinstance(e, SpeechPaused) for e in events)


def test_noise_and_silence_start_nothing(vad: SileroVad) -> None:
    detector = ActivityDetector(vad.open_stream())
    assert _feed(detector, joined(silence(1.0), noise(2.0, level=0.02), silence(0.5))) == []


def test_start_sensitivity_changes_what_counts(vad: SileroVad) -> None:
    # A short "Oh." (about 200 ms; noise off, so the audio is the same every run) is speech
    # to HIGH sensitivity and too short for LOW; a sentence is speech to both.
    blip = joined(
        silence(0.5), trim_silence(piper_speech("Oh.", length_scale=0.8, noise_scale=0, noise_w_scale=0)), silence(0.8)
    )
    sentence = joined(silence(0.5), load_recording("lk_hello_world.wav"), silence(0.8))

    def starts(sensitivity: StartSensitivity, audio: np.ndarray) -> int:
        detector = ActivityDetector(vad.open_stream(), ActivitySettings(start_sensitivity=sensitivity))
        return sum(isinstance(e, SpeechStarted) for e in _feed(detector, audio))

    assert starts(StartSensitivity.HIGH, blip) == 1
    assert starts(StartSensitivity.LOW, blip) == 0
    assert starts(StartSensitivity.LOW, sentence) == 1


def test_end_sensitivity_changes_the_pause(vad: SileroVad) -> None:
    # A 250 ms gap is a pause for HIGH end sensitivity (160 ms) and not for LOW (320 ms).
    audio = joined(
        silence(0.3),
        trim_silence(piper_speech("Turn on the")),
        silence(0.25),
        trim_silence(piper_speech("kitchen lights.")),
        silence(1.0),
    )

    def events(sensitivity: EndSensitivity) -> list[object]:
        detector = ActivityDetector(vad.open_stream(), ActivitySettings(end_sensitivity=sensitivity))
        return _feed(detector, audio)

    def count(kind: type, found: list[object]) -> int:
        return sum(isinstance(e, kind) for e in found)

    high, low = events(EndSensitivity.HIGH), events(EndSensitivity.LOW)
    assert count(SpeechPaused, high) == 2 and count(SpeechPaused, low) == 1
    # Either way the gap is long enough to guess the speech may have ended, and it resumes; so may
    # a dip inside a word (one silent frame is enough for a guess), but every guess but the last
    # is taken back.
    for found in (high, low):
        assert count(SpeechResumed, found) >= 1
        assert count(SpeechStopped, found) == count(SpeechResumed, found) + 1
        kinds = [type(e) for e in found if isinstance(e, SpeechStopped | SpeechPaused)]
        assert kinds.index(SpeechStopped) < kinds.index(SpeechPaused)


def test_words_that_sound_finished_end_the_turn_sooner(vad: SileroVad) -> None:
    audio = joined(silence(0.5), piper_speech("What is two plus two?"), silence(1.5))

    def ends(words_probability: float, stale: bool = False) -> list[UserTurnEnded]:
        # No turn model: silence alone would need 600 ms.
        tracker = TurnTracker(vad.open_stream(), None)
        found = []
        for start in range(0, audio.size, 320):
            for event in tracker.feed(audio[start : start + 320]):
                if isinstance(event, UserPaused):
                    tracker.hear_words(event.speech_end_sample + (320 if stale else 0), words_probability)
                found.append(event)
        return _ends(found)

    sure, unsure, stale = ends(0.9), ends(0.3), ends(0.9, stale=True)
    assert len(sure) == len(unsure) == len(stale) == 1
    assert sure[0].silence_ms <= 300 and sure[0].reason is TurnEndReason.SEMANTIC
    assert sure[0].words_probability == 0.9
    # Unsure words, or words about another pause, leave the silence rule alone.
    for ended in (unsure[0], stale[0]):
        assert ended.silence_ms >= 600 and ended.reason is TurnEndReason.SILENCE


def test_policy_maps_probability_to_silence() -> None:
    policy = EndOfTurnPolicy.from_settings(ActivitySettings())
    assert policy.required_silence_ms(0.95) == 200
    assert policy.required_silence_ms(0.05) == 1500
    # Finished-sounding words end the turn quickly, whatever the audio model says.
    assert policy.required_silence_ms(0.05, words_probability=0.85) == 200
    assert policy.required_silence_ms(0.05, words_probability=0.3) == 1500
    assert 200 < policy.required_silence_ms(0.45) < 1500
    assert policy.required_silence_ms(None) == 600
    low = EndOfTurnPolicy.from_settings(ActivitySettings(end_sensitivity=EndSensitivity.LOW))
    assert low.required_silence_ms(0.95) > policy.required_silence_ms(0.95)
    client = EndOfTurnPolicy.from_settings(ActivitySettings(silence_duration_ms=800))
    assert client.required_silence_ms(0.95) == 800 and client.required_silence_ms(None) == 800


def _ends(events: list[TurnEvent]) -> list[UserTurnEnded]:
    return [e for e in events if isinstance(e, UserTurnEnded)]


def test_finished_question_ends_the_turn_quickly(vad: SileroVad, turn_model: SmartTurn) -> None:
    tracker = TurnTracker(vad.open_stream(), turn_model)
    events = _feed(tracker, joined(silence(0.5), load_recording("lk_weather_question.wav"), silence(2.0)))
    ends = _ends(events)  # type: ignore[arg-type]
    assert len(ends) == 1
    assert ends[0].reason is TurnEndReason.SEMANTIC
    assert ends[0].silence_ms <= 400


def test_hesitation_pause_does_not_end_the_turn(vad: SileroVad, turn_model: SmartTurn) -> None:
    # A hesitation sound right after the words, as people say it (no comma pause before "uh").
    audio = joined(
        silence(0.5),
        piper_speech("Remind me to uh"),
        silence(1.0),
        piper_speech("call my mother on Sunday."),
        silence(2.0),
    )
    tracker = TurnTracker(vad.open_stream(), turn_model)
    events = _feed(tracker, audio)
    ends = _ends(events)  # type: ignore[arg-type]
    assert len(ends) == 1, events
    assert ends[0].audio.size / RATE > 3.0  # the whole sentence, both halves
    assert any(isinstance(e, PauseJudged) and (e.completion_probability or 1) < 0.2 for e in events)


def test_silence_only_without_turn_model_and_flush(vad: SileroVad) -> None:
    tracker = TurnTracker(vad.open_stream(), None)
    events = _feed(tracker, joined(silence(0.3), load_recording("lk_hello_world.wav"), silence(1.0)))
    ends = _ends(events)  # type: ignore[arg-type]
    assert len(ends) == 1 and ends[0].reason is TurnEndReason.SILENCE and ends[0].silence_ms >= 600
    # audioStreamEnd while speaking ends the turn at once.
    tracker.feed(joined(silence(0.3), load_recording("lk_hello_world.wav")[:8000]))
    assert tracker.user_speaking
    flushed = tracker.flush()
    assert flushed is not None and flushed.reason is TurnEndReason.FLUSH
    assert tracker.flush() is None


def test_transcriber_partial_then_final(vad: SileroVad, turn_model: SmartTurn, asr: WhisperAsr) -> None:
    first, second = "Please remind me to uh", "call my mother on Sunday morning."
    audio = joined(silence(0.4), piper_speech(first), silence(0.7), piper_speech(second), silence(2.0))
    tracker = TurnTracker(vad.open_stream(), turn_model)
    transcriber = UtteranceTranscriber(asr, language="en", commit_after_s=1.0)
    partials: list[str] = []
    ended: UserTurnEnded | None = None
    for start in range(0, audio.size, CHUNK):
        for event in tracker.feed(audio[start : start + CHUNK]):
            if isinstance(event, UserSpeechStarted):
                assert ended is None
            elif isinstance(event, UserPaused):
                transcriber.note_pause(event.audio.size)
                partials.append(transcriber.partial(event.audio).text)
            elif isinstance(event, UserTurnEnded):
                ended = event
    assert ended is not None
    calls_before = len(transcriber._cache)
    final = transcriber.final(ended.audio)
    assert len(transcriber._cache) == calls_before  # the speculative pass at the pause is reused
    assert final.final and final.stable_text  # the first half was committed at the pause
    assert word_accuracy(f"{first} {second}", final.text) >= 0.85, final.text
    assert word_accuracy(first, partials[0]) >= 0.8, partials


def test_a_short_tail_after_a_pause_is_heard_with_what_came_before(asr: WhisperAsr) -> None:
    first, tail = "Remind me about the meeting with Sarah on Friday", "at two pm."
    before_pause = joined(silence(0.4), piper_speech(first))
    assert before_pause.size >= 2 * RATE  # late enough into the utterance to commit at
    audio = joined(before_pause, silence(0.35), piper_speech(tail))
    transcriber = UtteranceTranscriber(asr, language="en")
    transcriber.note_pause(before_pause.size)
    transcriber.partial(before_pause)
    final = transcriber.final(audio)
    # What followed the pause was too short to be transcribed alone.
    assert final.stable_text == "", final
    assert word_accuracy(f"{first} at 2 p.m.", final.text) >= 0.85, final.text  # as Whisper writes it
