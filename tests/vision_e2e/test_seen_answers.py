"""Questions about a shared screen and a camera, through the Python SDK against a real server.

Frames are rendered screenshots (Pillow, DejaVu Sans) and matplotlib's grace_hopper.jpg, sent the
way apps send them: ``realtimeInput.video`` about once a second, the legacy ``mediaChunks``, or
an image in a ``clientContent`` turn.
"""

from __future__ import annotations

import asyncio
import time

from google import genai
from google.genai import types

from openlive.bench.recordings import word_accuracy
from tests.conftest import LIVE_MODEL, RunningServer
from tests.speech_e2e.voice import REPLY_WAIT_S, voice_session, words_of
from tests.support.images import ScreenContent, camera_jpeg_with_face, empty_room_jpeg, screen_jpeg, screen_png
from tests.support.metrics import metric_value
from tests.support.speech import espeak_speech, joined, silence
from tests.vision_e2e.sharing import READ_WAIT_S, FrameStream, ask, ask_text, ask_until_read

ERROR_TEXT = "Cannot save file: disk full"
SECOND_ROW = "Office rent, Sam, 2,750, Pending"
TEXT_ONLY = types.LiveConnectConfig(response_modalities=[types.Modality.TEXT], temperature=0)


async def test_typed_questions_about_a_shared_screen(sdk: genai.Client) -> None:
    async with (
        sdk.aio.live.connect(model=LIVE_MODEL, config=TEXT_ONLY) as session,
        FrameStream(session, screen_jpeg()),
    ):
        seen = await ask_until_read(lambda: ask_text(session, "Can you see my screen?"))
        error = await ask_text(session, "What does the error message say?")
        row = await ask_text(session, "What does the second line of the table say?")
        summary = await ask_text(session, "what's on my screen")

    assert seen.startswith("Yes"), seen
    assert ERROR_TEXT in error, error
    assert SECOND_ROW in row, row
    assert "Tasks — Mail" in summary and "Quarterly budget — Sheets" in summary, summary


async def test_latest_frame_wins(sdk: genai.Client) -> None:
    denied = ScreenContent(dialog_message="Cannot save file: permission denied")
    question = "Read me the error message."
    async with (
        sdk.aio.live.connect(model=LIVE_MODEL, config=TEXT_ONLY) as session,
        FrameStream(session, screen_jpeg()) as share,
    ):
        first = await ask_until_read(lambda: ask_text(session, question))
        await share.show(screen_jpeg(denied))
        # The new frame is read (only its changed region) before the question is answered.
        second = await ask_text(session, question)

    assert ERROR_TEXT in first, first
    assert "permission denied" in second and "disk full" not in second, second


async def test_legacy_media_chunks_carry_png_frames(sdk: genai.Client) -> None:
    async with (
        sdk.aio.live.connect(model=LIVE_MODEL, config=TEXT_ONLY) as session,
        FrameStream(session, screen_png(), "image/png", legacy_media_chunks=True),
    ):
        answer = await ask_until_read(lambda: ask_text(session, "what does the 3rd row of the table say"))

    assert "Travel, Priya, 980, Rejected" in answer, answer


def _screenshot_part() -> types.Part:
    return types.Part(inline_data=types.Blob(data=screen_png(), mime_type="image/png"))


async def test_client_content_image_is_seen(sdk: genai.Client) -> None:
    async with sdk.aio.live.connect(model=LIVE_MODEL, config=TEXT_ONLY) as session:
        turn = types.Content(role="user", parts=[_screenshot_part()])
        await session.send_client_content(turns=turn, turn_complete=False)
        answer = await ask_until_read(lambda: ask_text(session, "What does the error message say?"))

    assert ERROR_TEXT in answer, answer


async def test_image_in_the_question_turn(sdk: genai.Client) -> None:
    """An image sent with the question is read before the question is answered."""
    async with sdk.aio.live.connect(model=LIVE_MODEL, config=TEXT_ONLY) as session:
        answer = await ask(session, _screenshot_part(), types.Part(text="What does the error message say?"))

    assert ERROR_TEXT in answer, answer


async def test_can_you_see_me(sdk: genai.Client) -> None:
    async with (
        sdk.aio.live.connect(model=LIVE_MODEL, config=TEXT_ONLY) as session,
        FrameStream(session, camera_jpeg_with_face()) as camera,
    ):
        with_face = await ask_until_read(lambda: ask_text(session, "Can you see me?"))
        await camera.show(empty_room_jpeg())
        empty_room = await ask_text(session, "can you see me")

    assert "yes" in with_face.lower(), with_face
    assert "no" in words_of(empty_room) or "can't" in empty_room.lower(), empty_room
    assert "yes" not in empty_room.lower(), empty_room


async def test_spoken_question_about_the_screen(sdk: genai.Client) -> None:
    question = "What does the error message say?"
    async with voice_session(sdk) as talk, FrameStream(talk.session, screen_jpeg()):

        async def typed_probe() -> str:
            # A question with a short answer: the reply is spoken in full before the next one.
            probe = types.Content(role="user", parts=[types.Part(text="Can you see me?")])
            await talk.session.send_client_content(turns=probe, turn_complete=True)
            return (await talk.next_reply(REPLY_WAIT_S)).output_text

        await ask_until_read(typed_probe)
        microphone = talk.open_microphone()
        await microphone.say(joined(silence(0.3), espeak_speech(question, "en-us+f2"))).finished
        reply = await talk.next_reply(REPLY_WAIT_S)

    assert word_accuracy(question, reply.input_text) >= 0.8, reply.input_text
    assert reply.audio_seconds > 1.0 and reply.turn_complete, reply
    assert ERROR_TEXT.lower() in reply.output_text.lower(), reply.output_text


def _frames_read(server: RunningServer) -> float:
    return metric_value(server.base_url, server.ssl_context(), 'openlive_video_frames_total{outcome="read"}')


async def _wait_until_read(server: RunningServer, read_before: float) -> None:
    deadline = time.monotonic() + READ_WAIT_S
    while time.monotonic() < deadline:
        if _frames_read(server) > read_before:
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"no frame was read within {READ_WAIT_S:.0f} s")


async def test_what_is_seen_is_evaluated_before_the_next_question(sdk: genai.Client, tls_server: RunningServer) -> None:
    """While the user is silent the server evaluates the prompt's start, the short screen description
    included, so a question then costs the LLM only its own words (usageMetadata shows it)."""
    question = "How many legs does a spider have?"
    async with (
        sdk.aio.live.connect(model=LIVE_MODEL, config=TEXT_ONLY) as session,
        FrameStream(session, screen_jpeg()),
    ):
        # The frame is read while nothing else happens in the session: no reply comes after it.
        await _wait_until_read(tls_server, _frames_read(tls_server))
        await asyncio.sleep(2.0)  # time for the head start (a few hundred ms of LLM work)
        await session.send_client_content(
            turns=types.Content(role="user", parts=[types.Part(text=question)]), turn_complete=True
        )
        usage = None
        async for message in session.receive():
            usage = message.usage_metadata or usage

    assert usage is not None and usage.prompt_token_count and usage.cached_content_token_count
    # The question (9 tokens), its end-of-turn marker and the reply header; the screen note alone is 30+.
    assert usage.prompt_token_count - usage.cached_content_token_count <= 20, usage
