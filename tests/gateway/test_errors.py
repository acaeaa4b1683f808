"""Bad input gets the close code and reason the real service gives, and harms no other session."""

from __future__ import annotations

import asyncio
import json
import ssl
import urllib.error
import urllib.request

import pytest
import websockets

from tests.conftest import API_KEY, RunningServer
from tests.gateway.live_client import TEXT_SETUP, connect, expect_close, read_turn, receive_json, turn_text, user_turn


async def close_after(server: RunningServer, *frames: str, key: str | None = API_KEY) -> tuple[int, str]:
    ws = await connect(server, key=key)
    try:
        for frame in frames:
            await ws.send(frame)
    except websockets.ConnectionClosed:
        pass  # the server may close before every frame is sent (a bad key is refused at once)
    return await expect_close(ws)


async def test_invalid_json(tls_server: RunningServer) -> None:
    code, reason = await close_after(tls_server, "{not json")
    assert code == 1007 and "Invalid JSON" in reason


async def test_message_before_setup(tls_server: RunningServer) -> None:
    code, reason = await close_after(tls_server, user_turn("hello"))
    assert code == 1007 and "first message must be setup" in reason


async def test_second_setup(tls_server: RunningServer) -> None:
    ws = await connect(tls_server)
    await ws.send(json.dumps(TEXT_SETUP))
    assert "setupComplete" in await receive_json(ws)
    await ws.send(json.dumps(TEXT_SETUP))
    code, reason = await expect_close(ws)
    assert code == 1007 and "only once" in reason


async def test_wrong_field_type(tls_server: RunningServer) -> None:
    setup = {"setup": {"model": "models/gemini-live-2.5-flash-preview", "generationConfig": {"temperature": "hot"}}}
    code, reason = await close_after(tls_server, json.dumps(setup))
    assert code == 1007 and "generation_config.temperature" in reason


async def test_bad_base64(tls_server: RunningServer) -> None:
    frame = json.dumps({"realtime_input": {"audio": {"data": "%%%not-base64%%%", "mime_type": "audio/pcm"}}})
    code, reason = await close_after(tls_server, json.dumps(TEXT_SETUP), frame)
    assert code == 1007 and "Base64" in reason


async def test_activity_signals_need_manual_activity_detection(tls_server: RunningServer) -> None:
    code, reason = await close_after(tls_server, json.dumps(TEXT_SETUP), '{"realtime_input": {"activityStart": {}}}')
    assert code == 1007 and "automatic_activity_detection.disabled" in reason


async def test_unknown_model(tls_server: RunningServer) -> None:
    setup = {"setup": {"model": "models/gpt-4o-realtime" + "-x" * 100}}
    code, reason = await close_after(tls_server, json.dumps(setup))
    assert code == 1008 and "not found" in reason
    assert len(reason.encode()) <= 123


@pytest.mark.parametrize("key", [None, "wrong-key"])
async def test_missing_or_invalid_key(tls_server: RunningServer, key: str | None) -> None:
    code, reason = await close_after(tls_server, json.dumps(TEXT_SETUP), key=key)
    assert code == 1008 and "API key" in reason


async def test_key_in_query_string(plain_server: RunningServer) -> None:
    ws = await websockets.connect(f"{plain_server.live_url()}?key={API_KEY}")
    await ws.send(json.dumps(TEXT_SETUP))
    assert "setupComplete" in await receive_json(ws)
    await ws.close()


async def test_unknown_tool_response_id(tls_server: RunningServer) -> None:
    response = {"toolResponse": {"functionResponses": [{"id": "nope", "name": "f", "response": {"result": 1}}]}}
    code, reason = await close_after(tls_server, json.dumps(TEXT_SETUP), json.dumps(response))
    assert code == 1007 and "Unknown function call id" in reason


async def test_unknown_path_is_refused(tls_server: RunningServer) -> None:
    with pytest.raises((websockets.InvalidStatus, websockets.ConnectionClosed)):
        ws = await websockets.connect(
            f"{tls_server.ws_base}/ws/not.a.real.Service", ssl=tls_server.ssl_context(), open_timeout=10
        )
        await ws.recv()


async def test_every_live_path_is_served(tls_server: RunningServer) -> None:
    base = tls_server.ws_base
    paths = [tls_server.live_url(version) for version in ("v1", "v1alpha", "v1beta")]
    paths.append(f"{base}//ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent")
    paths.append(f"{base}/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent")
    for path in paths:
        ws = await connect(tls_server, path=path)
        await ws.send(json.dumps(TEXT_SETUP))
        first = await receive_json(ws)
        assert "setupComplete" in first, path
        await ws.close()


async def test_a_failing_session_does_not_touch_another(tls_server: RunningServer) -> None:
    healthy = await connect(tls_server)
    await healthy.send(json.dumps(TEXT_SETUP))
    assert "setupComplete" in await receive_json(healthy)
    await healthy.send(user_turn("What is the capital of France?"))
    # While the healthy session generates, others misbehave in several ways at once.
    failures = await asyncio.gather(
        close_after(tls_server, "{broken"),
        close_after(tls_server, json.dumps(TEXT_SETUP), json.dumps({"realtime_input": {"audio": "x"}})),
        close_after(tls_server, json.dumps({"setup": {"model": "models/unknown"}})),
    )
    assert [code for code, _ in failures] == [1007, 1007, 1008]
    assert "Paris" in turn_text(await read_turn(healthy))
    await healthy.close()


def test_health_and_model_list(tls_server: RunningServer) -> None:
    context = ssl.create_default_context(cafile=str(tls_server.cert))
    with urllib.request.urlopen(f"{tls_server.base_url}/healthz", context=context) as response:
        assert response.status == 200
    request = urllib.request.Request(f"{tls_server.base_url}/v1beta/models", headers={"x-goog-api-key": API_KEY})
    with urllib.request.urlopen(request, context=context) as response:
        names = [model["name"] for model in json.load(response)["models"]]
    assert "models/openlive-default" in names
    with pytest.raises(urllib.error.HTTPError) as denied:
        urllib.request.urlopen(f"{tls_server.base_url}/v1beta/models", context=context)
    assert denied.value.code == 401
