"""The serve options that let bigger models take over: ``--tool-planner llm`` gives the whole
function-calling decision to the LLM, ``--asr-model DIR`` loads another CTranslate2 Whisper. Only
packaged models run here, so the options are exercised with them: the packaged SmolLM2 as the whole
planner and the assembled packaged Whisper base given as a directory."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from google import genai
from google.genai import types

from openlive.backends.asr.model_files import ensure_whisper_base
from tests.conftest import LIVE_MODEL, RunningServer, sdk_for, start_server, stop_server
from tests.speech_e2e.voice import REPLY_WAIT_S, voice_config, voice_session, words_of
from tests.support.speech import espeak_speech
from tests.tools_e2e.test_sdk_tools import TASK_TOOLS, text_config


@pytest.fixture(scope="module")
def optioned_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    tmp = tmp_path_factory.mktemp("model-options")
    server = start_server(tmp, tls=True, extra=["--tool-planner", "llm", "--asr-model", str(ensure_whisper_base())])
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def client(optioned_server: RunningServer) -> Iterator[genai.Client]:
    with sdk_for(optioned_server) as client:
        yield client


async def test_the_llm_planner_makes_the_whole_call(client: genai.Client, optioned_server: RunningServer) -> None:
    async with client.aio.live.connect(model=LIVE_MODEL, config=text_config(TASK_TOOLS)) as session:
        await session.send_client_content(
            turns=types.Content(role="user", parts=[types.Part(text="Set the thermostat to 21 degrees.")])
        )
        async for message in session.receive():
            if message.tool_call is not None:
                calls = message.tool_call.function_calls or []
                break
            assert message.server_content is None or not message.server_content.turn_complete, "no toolCall"
    assert [(call.name, call.args) for call in calls] == [("set_thermostat", {"temperature": 21})]
    assert "tool planner: llm" in optioned_server.log()


async def test_speech_is_heard_by_the_whisper_directory_given(client: genai.Client) -> None:
    async with voice_session(client, voice_config()) as talk:
        talk.open_microphone().say(espeak_speech("What is the capital of France?", "en-gb-x-rp"))
        reply = await talk.next_reply(REPLY_WAIT_S)
    assert {"capital", "france"} <= set(words_of(reply.input_text)), reply.input_text


@pytest.mark.parametrize(
    ("option", "reason"),
    [
        ("--asr-model", "holds no CTranslate2 Whisper model (missing model.bin"),
        ("--llm-model", "no such file"),
    ],
)
def test_a_model_that_is_not_there_stops_serve_with_the_reason(tmp_path: Path, option: str, reason: str) -> None:
    missing = tmp_path / "no-model"
    if option == "--asr-model":
        missing.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "openlive.cli", "serve", "--no-tls", "--port", "0", option, str(missing)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin", "OPENLIVE_DATA_DIR": str(tmp_path / "data")},
    )
    assert result.returncode == 2  # a usage error, before anything is loaded
    assert reason in result.stderr, result.stderr[-2000:]
