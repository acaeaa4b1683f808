"""Voice sessions through the Python SDK for the end-to-end speech tests."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from google import genai
from google.genai import types

from openlive.audio import Float32Audio, pcm16_to_float32, resample
from openlive.bench.recordings import normalise_words
from openlive.bench.voice_client import REPLY_MIME, REPLY_RATE, Conversation, Reply
from tests.conftest import LIVE_MODEL
from tests.support.speech import RATE

SHORT_ANSWERS = "You are a helpful voice assistant. Answer in one short sentence."
# Generous: the CI machine has two cores shared by the server, the tests and other jobs.
REPLY_WAIT_S = 90.0


def voice_config(**changes: Any) -> types.LiveConnectConfig:
    """AUDIO replies with input and output transcription, as a voice app asks for them."""
    settings: dict[str, Any] = {
        "response_modalities": [types.Modality.AUDIO],
        "input_audio_transcription": types.AudioTranscriptionConfig(),
        "output_audio_transcription": types.AudioTranscriptionConfig(),
        "temperature": 0,
        "system_instruction": SHORT_ANSWERS,
    }
    return types.LiveConnectConfig(**(settings | changes))


@contextlib.asynccontextmanager
async def voice_session(
    client: genai.Client, config: types.LiveConnectConfig | None = None
) -> AsyncIterator[Conversation]:
    async with client.aio.live.connect(model=LIVE_MODEL, config=config or voice_config()) as session:
        talk = Conversation(session)
        try:
            yield talk
        finally:
            await talk.close()


async def wait_until(condition: Callable[[], bool], wait_s: float, what: str) -> None:
    deadline = time.monotonic() + wait_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {wait_s:.0f} s waiting for {what}")
        await asyncio.sleep(0.01)


async def replies_until_audio(talk: Conversation, wait_s: float) -> list[Reply]:
    """Server turns from now until one with audio has begun: the finished ones, then the one
    in progress (whose audio has started)."""
    replies: list[Reply] = []

    def audio_arrived() -> bool:
        replies.extend(talk.take_replies())
        return any(reply.audio for reply in replies) or bool(talk.listener.pending.audio)

    await wait_until(audio_arrived, wait_s, "reply audio")
    return [*replies, talk.listener.pending]


def reply_speech(reply: Reply) -> Float32Audio:
    """The reply audio as 16 kHz float32, for Whisper."""
    return resample(pcm16_to_float32(bytes(reply.audio)), REPLY_RATE, RATE)


def assert_spoken_reply(reply: Reply) -> None:
    """A finished turn of real 24 kHz audio with a transcript of what was said."""
    assert reply.audio_mime_types == {REPLY_MIME}, reply.audio_mime_types
    assert reply.audio_seconds > 0.5, f"only {reply.audio_seconds:.2f} s of reply audio"
    assert reply.turn_complete and not reply.interrupted
    assert normalise_words(reply.output_text), "no outputTranscription text came with the audio"


def words_of(text: str) -> set[str]:
    return set(normalise_words(text))
