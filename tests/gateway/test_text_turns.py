"""Text turns on the embedded LLM, over the raw protocol: streaming, usage, interruption."""

from __future__ import annotations

import json

from tests.conftest import RunningServer
from tests.gateway.live_client import TEXT_SETUP, connect, read_turn, receive_json, turn_text, user_turn


async def test_usage_counts_real_tokens_and_second_turn_reuses_the_cache(tls_server: RunningServer) -> None:
    ws = await connect(tls_server)
    await ws.send(json.dumps(TEXT_SETUP))
    setup_complete = await receive_json(ws)
    assert setup_complete["setupComplete"]["sessionId"]

    await ws.send(user_turn("What is the capital of France?"))
    first = await read_turn(ws)
    model_parts = [m for m in first if "modelTurn" in m.get("serverContent", {})]
    assert len(model_parts) >= 2, "the reply streams as it is generated"
    kinds = [next(iter(m["serverContent"])) for m in first if "serverContent" in m]
    assert kinds[-2:] == ["generationComplete", "turnComplete"]
    usage = first[-1]["usageMetadata"]
    assert usage["promptTokenCount"] > 10
    # Each streamed part holds at least one generated token.
    assert usage["responseTokenCount"] >= len(model_parts)
    assert usage["totalTokenCount"] == usage["promptTokenCount"] + usage["responseTokenCount"]

    await ws.send(user_turn("And of Italy?"))
    second = await read_turn(ws)
    usage2 = second[-1]["usageMetadata"]
    assert usage2["promptTokenCount"] > usage["promptTokenCount"]
    # The shared prefix (system, first question and answer) is not processed again.
    assert usage2.get("cachedContentTokenCount", 0) >= usage["promptTokenCount"]
    await ws.close()


async def test_client_content_during_generation_interrupts_it(tls_server: RunningServer) -> None:
    ws = await connect(tls_server)
    setup = json.loads(json.dumps(TEXT_SETUP))
    setup["setup"]["generationConfig"]["maxOutputTokens"] = 400
    await ws.send(json.dumps(setup))
    await receive_json(ws)
    await ws.send(user_turn("Write a long story about a dragon who learns to cook, with many details."))
    first_part = await receive_json(ws)
    assert "modelTurn" in first_part["serverContent"]
    await ws.send(user_turn("Stop. What is the capital of France?"))
    interrupted_turn = await read_turn(ws)
    flags = [m["serverContent"] for m in interrupted_turn]
    assert any(flag.get("interrupted") for flag in flags)
    assert not any(flag.get("generationComplete") for flag in flags)
    answer = await read_turn(ws)
    assert "Paris" in turn_text(answer)
    await ws.close()
