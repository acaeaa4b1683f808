"""Speech in, speech out through the Python SDK against a real server: the voice loop as an app uses it.

Speech comes from human recordings (shared/data/speech), espeak-ng voices and a Piper voice
shifted away from openlive's own reply voice. Each microphone streams 20 ms chunks at real-time pace.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from google import genai
from google.genai import types

from openlive.backends.asr.whisper import WhisperAsr
from openlive.bench.speechgen import VoiceSpec, synthesize
from openlive.bench.voice_client import Microphone, Reply
from tests.conftest import RunningServer
from tests.speech_e2e.voice import (
    REPLY_WAIT_S,
    assert_spoken_reply,
    replies_until_audio,
    reply_speech,
    voice_config,
    voice_session,
    wait_until,
    words_of,
)
from tests.support.metrics import metric_value
from tests.support.speech import (
    RATE,
    TRANSCRIPTS,
    espeak_speech,
    joined,
    load_recording,
    silence,
    trim_silence,
    word_accuracy,
)

WEATHER = "lk_weather_question.wav"
CAPITAL = "What is the capital of France?"
# Piper moved away from openlive's own reply voice (higher, slower, a shorter vocal tract).
HIGHER_PIPER = VoiceSpec("piper", rate=0.9, pitch=1.3, formant_shift=1.12)
# Quiet after a turn: long enough for a wrongly split turn or a second reply to show up.
QUIET_AFTER_TURN_S = 1.5


async def test_recorded_question_gets_a_spoken_transcribed_answer(sdk: genai.Client, asr: WhisperAsr) -> None:
    async with voice_session(sdk) as talk:
        microphone = talk.open_microphone()
        await microphone.say(joined(silence(0.3), load_recording(WEATHER))).finished
        reply = await talk.next_reply(REPLY_WAIT_S)
        await asyncio.sleep(QUIET_AFTER_TURN_S)  # the microphone keeps sending a quiet room
        later = talk.take_replies()
        nothing_pending = talk.listener.pending.empty

    assert word_accuracy(TRANSCRIPTS[WEATHER], reply.input_text) >= 0.8, reply.input_text
    assert_spoken_reply(reply)
    heard = asr.transcribe(reply_speech(reply), language="en").text
    assert word_accuracy(reply.output_text, heard) >= 0.7, (reply.output_text, heard)
    # turnComplete ended the turn: nothing of it, and no other turn, came afterwards.
    assert not later and nothing_pending, later


async def test_synthesised_question_is_understood(sdk: genai.Client, asr: WhisperAsr) -> None:
    async with voice_session(sdk) as talk:
        microphone = talk.open_microphone()
        await microphone.say(synthesize(CAPITAL, HIGHER_PIPER)).finished
        reply = await talk.next_reply(REPLY_WAIT_S)

    assert word_accuracy(CAPITAL, reply.input_text) >= 0.8, reply.input_text
    assert_spoken_reply(reply)
    assert "paris" in words_of(reply.output_text), reply.output_text
    assert "paris" in words_of(asr.transcribe(reply_speech(reply), language="en").text)


async def test_each_audio_stage_counts_its_time_and_audio(sdk: genai.Client, tls_server: RunningServer) -> None:
    # The two counters per stage give its real-time factor over any interval (openlive bench latency).
    def counted(kind: str) -> dict[str, float]:
        return {
            stage: metric_value(
                tls_server.base_url, tls_server.ssl_context(), f'openlive_stage_{kind}_seconds_total{{stage="{stage}"}}'
            )
            for stage in ("listen", "asr", "tts")
        }

    question = synthesize(CAPITAL, HIGHER_PIPER)
    busy_before, audio_before = counted("busy"), counted("audio")
    async with voice_session(sdk) as talk:
        await talk.open_microphone().say(question).finished
        reply = await talk.next_reply(REPLY_WAIT_S)
    busy = {stage: seconds - busy_before[stage] for stage, seconds in counted("busy").items()}
    audio = {stage: seconds - audio_before[stage] for stage, seconds in counted("audio").items()}

    assert all(seconds > 0 for seconds in busy.values()), busy
    spoken_s = question.size / RATE
    assert audio["listen"] >= spoken_s and audio["asr"] >= 0.5 * spoken_s, (spoken_s, audio)
    # What was synthesised is what the client got, give or take the resampler's last samples.
    assert abs(audio["tts"] - reply.audio_seconds) < 0.05, (audio["tts"], reply.audio_seconds)


async def test_a_long_question_is_read_ahead_while_it_is_spoken(sdk: genai.Client, tls_server: RunningServer) -> None:
    # Words transcribed and evaluated into the prompt while the user still speaks, so that the end
    # of the turn evaluates only the last few.
    def read_ahead() -> float:
        return metric_value(
            tls_server.base_url, tls_server.ssl_context(), 'openlive_read_ahead_total{outcome="evaluated"}'
        )

    question = "Could you please tell me what the weather is going to be like in Paris tomorrow afternoon?"
    before = read_ahead()
    async with voice_session(sdk) as talk:
        microphone = talk.open_microphone()
        await microphone.say(joined(silence(0.3), synthesize(question, HIGHER_PIPER))).finished
        reply = await talk.next_reply(REPLY_WAIT_S)

    assert word_accuracy(question, reply.input_text) >= 0.8, reply.input_text
    assert_spoken_reply(reply)
    assert read_ahead() > before


async def test_text_input_gets_a_spoken_answer(sdk: genai.Client, asr: WhisperAsr) -> None:
    async with voice_session(sdk) as talk:
        await talk.session.send_client_content(
            turns=types.Content(role="user", parts=[types.Part(text=CAPITAL)]), turn_complete=True
        )
        reply = await talk.next_reply(REPLY_WAIT_S)

    assert_spoken_reply(reply)
    assert "paris" in words_of(reply.output_text), reply.output_text
    assert "paris" in words_of(asr.transcribe(reply_speech(reply), language="en").text)


@dataclass
class SpokenOver:
    """A long story and what happened when the user spoke over it."""

    story: Reply
    barge_in_start: float
    barge_in_end: float
    after_story: list[Reply]  # server turns after the story, up to one with audio

    def heard(self) -> set[str]:
        """The user's words as transcribed (the transcription may come before or after interrupted)."""
        return words_of(" ".join(reply.input_text for reply in (self.story, *self.after_story)))


async def speak_over_a_story(sdk: genai.Client, barge_in_text: str) -> SpokenOver:
    storyteller = voice_config(
        system_instruction="You are a storyteller. Always answer with a long story of at least ten sentences."
    )
    question = espeak_speech("Tell me a long story about a dragon and a brave knight.", "en-us")
    barge_in = espeak_speech(barge_in_text, "en-us")
    async with voice_session(sdk, storyteller) as talk:
        microphone = talk.open_microphone()
        await microphone.say(question).finished
        await wait_until(lambda: talk.listener.pending.first_audio is not None, REPLY_WAIT_S, "the story's audio")
        await asyncio.sleep(0.3)  # the story is playing
        said = microphone.say(barge_in)
        barge_in_start = time.perf_counter()
        story = await talk.next_reply(REPLY_WAIT_S)
        barge_in_end = await said.speech_end
        after_story = await replies_until_audio(talk, REPLY_WAIT_S)
    return SpokenOver(story, barge_in_start, barge_in_end, after_story)


async def test_barge_in_interrupts_and_stops_the_answer(sdk: genai.Client) -> None:
    spoken = await speak_over_a_story(sdk, "Please stop and tell me how many days there are in a week.")

    assert spoken.story.interrupted, "no interrupted: true while the user spoke over the answer"
    assert spoken.story.ended is not None and spoken.story.ended > spoken.barge_in_start
    # After interrupted, the old turn's audio stops: the next audio is the answer to the new
    # question, which cannot start before that question was spoken.
    first_audio_after = min(moment for reply in spoken.after_story for moment in reply.audio_times)
    assert first_audio_after >= spoken.barge_in_end, (
        f"audio came {spoken.barge_in_end - first_audio_after:.2f} s before the user finished speaking over the story"
    )
    assert {"days", "week"} <= spoken.heard()


async def test_speech_that_opens_like_a_backchannel_still_interrupts(sdk: genai.Client) -> None:
    # "Yes," alone is a backchannel; heard first, with the user still talking, it must not get the
    # whole utterance dropped as one.
    spoken = await speak_over_a_story(sdk, "Yes, yes, so tell me how many days there are in a week.")

    assert spoken.story.interrupted, "speech opening with 'Yes,' did not interrupt the story"
    # Stopped while the user went on, not only once their turn ended.
    assert spoken.story.ended is not None and spoken.story.ended < spoken.barge_in_end, "the story went on"
    assert {"days", "week"} <= spoken.heard()
    assert spoken.after_story[-1].audio_times, "the question after 'Yes,' got no spoken answer"


async def test_manual_activity_start_and_end(sdk: genai.Client) -> None:
    question = "What is the capital of Germany?"
    manual = voice_config(
        realtime_input_config=types.RealtimeInputConfig(
            automatic_activity_detection=types.AutomaticActivityDetection(disabled=True)
        )
    )
    async with voice_session(sdk, manual) as talk:
        microphone = talk.open_microphone(Microphone(talk.session, room=False))
        await talk.session.send_realtime_input(activity_start=types.ActivityStart())
        # A second of silence after the question would end the turn under automatic detection.
        await microphone.say(joined(espeak_speech(question, "en-us"), silence(1.2))).finished
        await asyncio.sleep(0.5)
        answered_early = bool(talk.take_replies()) or talk.listener.pending.first_audio is not None
        await talk.session.send_realtime_input(activity_end=types.ActivityEnd())
        reply = await talk.next_reply(REPLY_WAIT_S)

    assert not answered_early, "answered before activity_end"
    assert word_accuracy(question, reply.input_text) >= 0.8, reply.input_text
    assert_spoken_reply(reply)


async def test_mid_sentence_pause_does_not_end_the_turn(sdk: genai.Client) -> None:
    voice = "en-gb-x-rp"
    hesitation = trim_silence(espeak_speech("Remind me to, uh,", voice))
    rest = trim_silence(espeak_speech("call my mother on Sunday morning.", voice))
    async with voice_session(sdk) as talk:
        microphone = talk.open_microphone()
        said = microphone.say(joined(silence(0.3), hesitation, silence(0.7), rest, silence(0.3)))
        end_of_speech = await said.speech_end
        reply = await talk.next_reply(REPLY_WAIT_S)
        await asyncio.sleep(QUIET_AFTER_TURN_S)
        later = talk.take_replies()

    assert reply.first_audio is not None and reply.first_audio >= end_of_speech, "answered during the pause"
    heard = words_of(reply.input_text)
    assert "remind" in heard and {"mother", "sunday", "morning"} & heard, reply.input_text
    assert not later, f"the pause split the turn: {[r.input_text for r in later]}"


async def test_audio_stream_end_flushes_the_pending_turn(sdk: genai.Client) -> None:
    question = "What is the capital of Germany?"
    async with voice_session(sdk) as talk:
        # A muted microphone: after the words, no audio at all, so silence cannot end the turn.
        microphone = talk.open_microphone(Microphone(talk.session, room=False))
        await microphone.say(trim_silence(espeak_speech(question, "en+m3"))).finished
        await asyncio.sleep(1.0)
        answered_early = bool(talk.take_replies()) or talk.listener.pending.first_audio is not None
        await talk.session.send_realtime_input(audio_stream_end=True)
        reply = await talk.next_reply(REPLY_WAIT_S)

    assert not answered_early, "the turn ended without audioStreamEnd"
    assert word_accuracy(question, reply.input_text) >= 0.8, reply.input_text
    assert_spoken_reply(reply)
