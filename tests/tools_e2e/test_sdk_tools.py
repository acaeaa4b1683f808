"""Function calling through the Python SDK: typed and spoken requests, results, scheduling, cancellation."""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

from google import genai
from google.genai import types

from tests.conftest import LIVE_MODEL
from tests.support.speech import as_int16, joined, piper_speech, silence

TASK_TOOLS = [
    types.Tool(
        function_declarations=[
            types.FunctionDeclaration(
                name="add_task",
                description="Add a task to the user's to-do list.",
                parameters={
                    "type": "OBJECT",
                    "properties": {
                        "title": {"type": "STRING", "description": "What has to be done"},
                        "due": {"type": "STRING", "format": "date-time", "description": "When it is due"},
                    },
                    "required": ["title"],
                },
            ),
            types.FunctionDeclaration(
                name="set_thermostat",
                description="Set the home thermostat to a temperature in degrees Celsius.",
                parameters_json_schema={
                    "type": "object",
                    "properties": {"temperature": {"type": "number", "description": "Target temperature"}},
                    "required": ["temperature"],
                },
            ),
        ]
    )
]


def background_tools() -> list[types.Tool]:
    return [
        types.Tool(
            function_declarations=[
                types.FunctionDeclaration(
                    name="start_backup",
                    description="Start a backup of the user's files.",
                    parameters={"type": "OBJECT", "properties": {}},
                    behavior=types.Behavior.NON_BLOCKING,
                )
            ]
        )
    ]


def text_config(tools: list[types.Tool]) -> types.LiveConnectConfig:
    return types.LiveConnectConfig(response_modalities=[types.Modality.TEXT], temperature=0, tools=tools)


async def say(session: Any, text: str) -> None:
    await session.send_client_content(turns=types.Content(role="user", parts=[types.Part(text=text)]))


async def receive_turn(session: Any) -> list[types.LiveServerMessage]:
    messages = []
    async with asyncio.timeout(120):
        async for message in session.receive():
            messages.append(message)
    return messages


def calls_in(messages: list[types.LiveServerMessage]) -> list[types.FunctionCall]:
    return [call for m in messages if m.tool_call for call in m.tool_call.function_calls or []]


def text_in(messages: list[types.LiveServerMessage]) -> str:
    return "".join(m.text or "" for m in messages)


async def test_typed_request_gets_an_exact_call_and_the_result_is_confirmed(sdk: genai.Client) -> None:
    async with sdk.aio.live.connect(model=LIVE_MODEL, config=text_config(TASK_TOOLS)) as session:
        await say(session, "Add a task to buy milk tomorrow at five pm")
        messages = []
        async with asyncio.timeout(120):
            async for message in session.receive():
                messages.append(message)
                for call in message.tool_call.function_calls if message.tool_call else []:
                    response = types.FunctionResponse(id=call.id, name=call.name, response={"result": "ok"})
                    await session.send_tool_response(function_responses=[response])
        (call,) = calls_in(messages)
        assert call.name == "add_task"
        assert call.id and call.args is not None
        assert call.args["title"] == "buy milk"
        due = datetime.datetime.fromisoformat(call.args["due"])
        tomorrow = (datetime.datetime.now().astimezone() + datetime.timedelta(days=1)).date()
        assert (due.date(), due.hour, due.minute) == (tomorrow, 17, 0)
        confirmation = text_in(messages)
        assert confirmation.strip(), "the result is followed by an answer"
        assert messages[-1].server_content is not None and messages[-1].server_content.turn_complete


async def test_small_talk_and_out_of_scope_questions_get_no_call(sdk: genai.Client) -> None:
    async with sdk.aio.live.connect(model=LIVE_MODEL, config=text_config(TASK_TOOLS)) as session:
        for request in ("What is the capital of France?", "Thanks, that's all for now!"):
            await say(session, request)
            messages = await receive_turn(session)
            assert calls_in(messages) == [], request
            assert text_in(messages).strip()


async def test_spoken_request_gets_the_call(sdk: genai.Client) -> None:
    config = types.LiveConnectConfig(
        response_modalities=[types.Modality.AUDIO], tools=TASK_TOOLS, input_audio_transcription={}
    )
    speech = as_int16(joined(silence(0.3), piper_speech("Set the thermostat to twenty one degrees."), silence(1.5)))
    async with sdk.aio.live.connect(model=LIVE_MODEL, config=config) as session:
        pcm = speech.tobytes()
        for start in range(0, len(pcm), 640):
            await session.send_realtime_input(
                audio=types.Blob(data=pcm[start : start + 640], mime_type="audio/pcm;rate=16000")
            )
            await asyncio.sleep(0.02)
        calls: list[types.FunctionCall] = []
        async with asyncio.timeout(120):
            async for message in session.receive():
                if message.tool_call:
                    calls.extend(message.tool_call.function_calls or [])
                    break
        assert [(c.name, c.args) for c in calls] == [("set_thermostat", {"temperature": 21})]


async def test_non_blocking_call_lets_the_conversation_go_on_and_results_follow_their_scheduling(
    sdk: genai.Client,
) -> None:
    async with sdk.aio.live.connect(model=LIVE_MODEL, config=text_config(background_tools())) as session:
        results = {}
        for scheduling in ("WHEN_IDLE", "SILENT", "INTERRUPT"):
            await say(session, "Please start a backup of my files.")
            first = await receive_turn(session)
            (call,) = calls_in(first)
            assert call.name == "start_backup"
            # The turn goes on without the result: an answer and turnComplete arrive first.
            assert text_in(first).strip()
            assert first[-1].server_content is not None and first[-1].server_content.turn_complete
            response = types.FunctionResponse(
                id=call.id,
                name=call.name,
                response={"result": "backup finished, 120 files"},
                scheduling=types.FunctionResponseScheduling(scheduling),
            )
            await session.send_tool_response(function_responses=[response])
            try:
                async with asyncio.timeout(8):
                    results[scheduling] = text_in(await receive_turn(session))
            except TimeoutError:
                results[scheduling] = None
        assert results["WHEN_IDLE"], "WHEN_IDLE: the result is reported in a turn of its own"
        assert results["INTERRUPT"], "INTERRUPT: the result is reported at once"
        assert results["SILENT"] is None, "SILENT: the result only goes into the context"


async def test_interrupting_a_turn_cancels_its_pending_calls(sdk: genai.Client) -> None:
    async with sdk.aio.live.connect(model=LIVE_MODEL, config=text_config(TASK_TOOLS)) as session:
        await say(session, "Add a task to call the dentist on Monday")
        calls: list[types.FunctionCall] = []
        cancelled: list[str] = []
        async with asyncio.timeout(120):
            async for message in session.receive():
                if message.tool_call:
                    calls.extend(message.tool_call.function_calls or [])
                    # Instead of answering the call, the user moves on.
                    await say(session, "Actually, never mind. What is the capital of France?")
                if message.tool_call_cancellation:
                    cancelled.extend(message.tool_call_cancellation.ids or [])
        assert [c.name for c in calls] == ["add_task"]
        assert cancelled == [calls[0].id]
        assert "Paris" in text_in(await receive_turn(session))
