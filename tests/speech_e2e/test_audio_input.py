"""Audio input as clients send it: any PCM rate, the legacy mediaChunks field, and audio that is wrong."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pytest
import soundfile
from google import genai
from google.genai import types
from PIL import Image

from openlive.audio import resample
from openlive.bench.recordings import load_recording, speech_data_dir, word_accuracy
from openlive.bench.voice_client import Microphone
from tests.conftest import LIVE_MODEL, RunningServer
from tests.gateway.live_client import connect, expect_close, receive_json
from tests.speech_e2e.voice import REPLY_WAIT_S, assert_spoken_reply, voice_session
from tests.support.speech import TRANSCRIPTS, joined, silence

WEATHER = "lk_weather_question.wav"
HELLO = "lk_hello_world.wav"
CLOSE_WAIT_S = 30.0


@pytest.mark.parametrize("rate", [8000, 11025, 22050, 44100, 48000])
async def test_odd_sample_rates_are_transcribed(sdk: genai.Client, rate: int) -> None:
    # From the 24 kHz original, so the higher rates carry the recording's full bandwidth.
    recorded, original_rate = soundfile.read(speech_data_dir() / WEATHER, dtype="float32")
    audio = resample(np.asarray(recorded, dtype=np.float32), original_rate, rate)
    lead_in = np.zeros(round(0.3 * rate), dtype=np.float32)
    async with voice_session(sdk) as talk:
        microphone = talk.open_microphone(Microphone(talk.session, rate=rate))
        assert microphone.mime_type == f"audio/pcm;rate={rate}"
        await microphone.say(np.concatenate([lead_in, audio])).finished
        reply = await talk.next_reply(REPLY_WAIT_S)

    assert word_accuracy(TRANSCRIPTS[WEATHER], reply.input_text) >= 0.8, reply.input_text
    assert_spoken_reply(reply)


async def test_legacy_media_chunks_without_a_rate_mean_16_khz(sdk: genai.Client) -> None:
    async with voice_session(sdk) as talk:
        microphone = talk.open_microphone(Microphone(talk.session, mime_type="audio/pcm", legacy_media_chunks=True))
        await microphone.say(joined(silence(0.3), load_recording(HELLO))).finished
        reply = await talk.next_reply(REPLY_WAIT_S)

    assert word_accuracy(TRANSCRIPTS[HELLO], reply.input_text) >= 0.99, reply.input_text
    assert_spoken_reply(reply)


def _mp3_bytes() -> bytes:
    return (speech_data_dir() / "hotwords.mp3").read_bytes()[:4096]


@pytest.mark.parametrize(
    ("blob", "reason_mentions"),
    [
        (types.Blob(data=bytes(641), mime_type="audio/pcm;rate=16000"), "byte"),
        (types.Blob(data=_mp3_bytes(), mime_type="audio/mp3"), "audio/mp3"),
    ],
    ids=["odd-byte-count", "mp3"],
)
async def test_bad_audio_from_the_sdk_closes_with_1007(
    sdk: genai.Client, blob: types.Blob, reason_mentions: str
) -> None:
    async with voice_session(sdk) as talk:
        await talk.session.send_realtime_input(audio=blob)
        error = await talk.wait_for_close(CLOSE_WAIT_S)

    assert isinstance(error, genai.errors.APIError), repr(error)
    assert error.code == 1007, error
    assert reason_mentions in str(error.details).lower(), error.details


async def test_image_sent_as_audio_closes_with_1007(tls_server: RunningServer) -> None:
    """The SDK refuses to send a non-audio MIME type as audio; a hand-written client can."""
    png = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(png, format="PNG")
    setup = {
        "setup": {
            "model": f"models/{LIVE_MODEL}",
            "generationConfig": {"responseModalities": ["AUDIO"]},
            "inputAudioTranscription": {},
        }
    }
    audio = {"mimeType": "image/png", "data": base64.b64encode(png.getvalue()).decode()}
    ws = await connect(tls_server)
    await ws.send(json.dumps(setup))
    assert "setupComplete" in await receive_json(ws)
    await ws.send(json.dumps({"realtimeInput": {"audio": audio}}))
    code, reason = await expect_close(ws, CLOSE_WAIT_S)

    assert code == 1007
    assert "image/png" in reason, reason
