"""The official SDKs, unchanged, against openlive: Python over TLS, JavaScript in Node over plain ws."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from google import genai
from google.genai import types

from tests.conftest import API_KEY, LIVE_MODEL, REPO, RunningServer

JS_DIR = REPO / "tests" / "js"


@pytest.fixture
def sdk_env(tls_server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Exactly the environment lines ``openlive serve`` prints for clients."""
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", tls_server.base_url)
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_server.cert))
    monkeypatch.setenv("GEMINI_API_KEY", API_KEY)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)


async def ask(session: genai.live.AsyncSession, question: str) -> str:
    await session.send_client_content(
        turns=types.Content(role="user", parts=[types.Part(text=question)]), turn_complete=True
    )
    text = ""
    async for message in session.receive():
        text += message.text or ""
    return text


@pytest.mark.usefixtures("sdk_env")
async def test_python_sdk_text_turns_with_context() -> None:
    client = genai.Client()  # base URL, certificate and key all come from the environment
    config = types.LiveConnectConfig(
        response_modalities=[types.Modality.TEXT],
        temperature=0,
        system_instruction="You are a helpful assistant. Answer in one short sentence.",
    )
    async with client.aio.live.connect(model=LIVE_MODEL, config=config) as session:
        assert session.session_id
        first = await ask(session, "What is the capital of France?")
        assert "Paris" in first
        # "that city" only means Paris through the first turn.
        second = await ask(session, "What is that city famous for?")
        assert "Paris" in second


@pytest.mark.usefixtures("sdk_env")
async def test_python_sdk_system_instruction_is_followed() -> None:
    client = genai.Client()
    config = types.LiveConnectConfig(
        response_modalities=[types.Modality.TEXT],
        temperature=0,
        system_instruction="Your name is Zephyrine. You are a friendly voice assistant.",
    )
    async with client.aio.live.connect(model=LIVE_MODEL, config=config) as session:
        assert "Zephyrine" in await ask(session, "What is your name?")


@pytest.mark.usefixtures("sdk_env")
async def test_python_sdk_realtime_text_and_older_model_names() -> None:
    client = genai.Client(http_options=types.HttpOptions(api_version="v1alpha"))
    config = types.LiveConnectConfig(response_modalities=[types.Modality.TEXT], temperature=0)
    async with client.aio.live.connect(model="gemini-live-2.5-flash-preview", config=config) as session:
        await session.send_realtime_input(text="What is the capital of France?")
        text = ""
        async for message in session.receive():
            text += message.text or ""
        assert "Paris" in text


@pytest.mark.usefixtures("sdk_env")
async def test_python_sdk_sees_close_codes() -> None:
    client = genai.Client()
    with pytest.raises(genai.errors.APIError) as caught:
        async with client.aio.live.connect(model="not-a-live-model", config={"response_modalities": ["TEXT"]}):
            pass
    assert caught.value.code == 1008


def test_js_sdk_text_turns_over_plain_ws(plain_server: RunningServer) -> None:
    if not (JS_DIR / "node_modules" / "@google" / "genai").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS_DIR, check=True)
    result = subprocess.run(
        [
            "node",
            "live_text.mjs",
            plain_server.base_url,
            API_KEY,
            LIVE_MODEL,
            "What is the capital of France?",
            "And of Italy?",
        ],
        cwd=JS_DIR,
        capture_output=True,
        text=True,
        timeout=180,
        env=os.environ | {"NODE_NO_WARNINGS": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["setupComplete"]
    first, second = outcome["answers"]
    assert "Paris" in first
    # An elliptical follow-up: only the first turn says it is about capitals.
    assert "Rome" in second


def test_js_dir_is_pinned() -> None:
    package = json.loads((JS_DIR / "package.json").read_text())
    assert package["dependencies"]["@google/genai"].replace(".", "").isdigit(), "pin an exact SDK version"
    assert (JS_DIR / "package-lock.json").exists()
