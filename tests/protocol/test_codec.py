"""The codec accepts what real clients send and rejects the rest with 1007 and a clear reason."""

from __future__ import annotations

import base64
import json

import orjson
import pytest

from openlive.protocol.codec import decode_base64, encode_server_message, parse_client_message
from openlive.protocol.errors import CloseCode, ProtocolError
from openlive.protocol.messages import (
    ActivityHandling,
    ClientContent,
    Content,
    ContextUpdate,
    EndSensitivity,
    FunctionBehavior,
    FunctionCall,
    FunctionResponseScheduling,
    MediaResolution,
    Modality,
    Part,
    RealtimeInput,
    ServerContent,
    ServerMessage,
    SetupComplete,
    SetupMessage,
    StartSensitivity,
    ToolCall,
    ToolResponse,
    TurnCoverage,
    UsageMetadata,
)

# The setup SDK 3.x sends with most options set: camelCase outside, snake_case objects inside.
SDK_SETUP = {
    "setup": {
        "model": "models/gemini-2.5-flash-native-audio-preview-09-2025",
        "generationConfig": {
            "responseModalities": ["AUDIO"],
            "temperature": 0.7,
            "topP": 0.9,
            "topK": 40.0,
            "maxOutputTokens": 1024,
            "mediaResolution": "MEDIA_RESOLUTION_LOW",
            "seed": 1,
            "speechConfig": {
                "voice_config": {"prebuilt_voice_config": {"voice_name": "Kore"}},
                "language_code": "en-US",
            },
            "thinkingConfig": {"include_thoughts": True, "thinking_budget": 1024},
            "enableAffectiveDialog": True,
        },
        "systemInstruction": {"parts": [{"text": "You are a helpful assistant."}], "role": "user"},
        "tools": [
            {"googleSearch": {}},
            {
                "functionDeclarations": [
                    {
                        "description": "Turn lights on",
                        "name": "turn_on_the_lights",
                        "parameters": {"properties": {"brightness": {"type": "INTEGER"}}, "type": "OBJECT"},
                        "behavior": "NON_BLOCKING",
                    },
                    {
                        "name": "dim",
                        "parameters_json_schema": {"type": "object", "properties": {"level": {"type": "integer"}}},
                    },
                ]
            },
        ],
        "sessionResumption": {"handle": "prev-handle"},
        "inputAudioTranscription": {},
        "outputAudioTranscription": {},
        "realtimeInputConfig": {
            "automatic_activity_detection": {
                "disabled": False,
                "start_of_speech_sensitivity": "START_SENSITIVITY_LOW",
                "end_of_speech_sensitivity": "END_SENSITIVITY_LOW",
                "prefix_padding_ms": 20,
                "silence_duration_ms": 100,
            },
            "activity_handling": "NO_INTERRUPTION",
            "turn_coverage": "TURN_INCLUDES_ALL_INPUT",
        },
        "contextWindowCompression": {"trigger_tokens": 25600, "sliding_window": {"target_tokens": 12800}},
        "proactivity": {"proactive_audio": True},
        "someFutureField": {"x": 1},
    }
}


def rejects(frame: str | bytes, fragment: str) -> ProtocolError:
    with pytest.raises(ProtocolError) as caught:
        parse_client_message(frame)
    assert caught.value.code == CloseCode.INVALID_ARGUMENT
    assert fragment in caught.value.reason
    assert len(caught.value.reason.encode()) <= 123
    return caught.value


def test_sdk_setup_parses_every_field() -> None:
    message = parse_client_message(json.dumps(SDK_SETUP))
    assert isinstance(message, SetupMessage)
    setup = message.setup
    config = setup.generation_config
    assert setup.model.endswith("native-audio-preview-09-2025")
    assert config.response_modalities == (Modality.AUDIO,)
    assert (config.temperature, config.top_p, config.top_k, config.max_output_tokens, config.seed) == (
        0.7,
        0.9,
        40,
        1024,
        1,
    )
    assert config.media_resolution is MediaResolution.LOW
    assert config.speech_config.voice_name == "Kore"
    assert config.speech_config.language_code == "en-US"
    assert config.enable_affective_dialog
    assert setup.system_instruction is not None and setup.system_instruction.text == "You are a helpful assistant."
    declarations = setup.tools[1].function_declarations
    assert setup.tools[0].builtin == ("googleSearch",)
    assert declarations[0].behavior is FunctionBehavior.NON_BLOCKING
    assert declarations[1].parameters_json_schema == {"type": "object", "properties": {"level": {"type": "integer"}}}
    detection = setup.realtime_input_config.automatic_activity_detection
    assert detection.start_of_speech_sensitivity is StartSensitivity.LOW
    assert detection.end_of_speech_sensitivity is EndSensitivity.LOW
    assert (detection.prefix_padding_ms, detection.silence_duration_ms) == (20, 100)
    assert setup.realtime_input_config.activity_handling is ActivityHandling.NO_INTERRUPTION
    assert setup.realtime_input_config.turn_coverage is TurnCoverage.TURN_INCLUDES_ALL_INPUT
    assert setup.session_resumption is not None and setup.session_resumption.handle == "prev-handle"
    assert setup.context_window_compression is not None
    assert setup.context_window_compression.trigger_tokens == 25600
    assert setup.context_window_compression.target_tokens == 12800
    assert setup.proactivity.proactive_audio
    assert setup.input_audio_transcription is not None and setup.output_audio_transcription is not None


def test_all_snake_case_setup_as_raw_scripts_send_it() -> None:
    frame = {
        "setup": {
            "model": "models/gemini-2.0-flash-live-001",
            "generation_config": {"response_modalities": ["text"], "top_k": "20"},
            "system_instruction": {"parts": [{"text": "Be brief."}]},
        }
    }
    setup = parse_client_message(json.dumps(frame))
    assert isinstance(setup, SetupMessage)
    assert setup.setup.generation_config.response_modalities == (Modality.TEXT,)
    assert setup.setup.generation_config.top_k == 20
    assert setup.setup.system_instruction is not None and setup.setup.system_instruction.role == "user"


def test_enums_by_short_name_lower_case_and_number() -> None:
    frame = {
        "setup": {
            "model": "m",
            "generationConfig": {"responseModalities": [1]},
            "realtimeInputConfig": {
                "automaticActivityDetection": {"startOfSpeechSensitivity": "low", "endOfSpeechSensitivity": 2}
            },
        }
    }
    setup = parse_client_message(json.dumps(frame))
    assert isinstance(setup, SetupMessage)
    detection = setup.setup.realtime_input_config.automatic_activity_detection
    assert setup.setup.generation_config.response_modalities == (Modality.TEXT,)
    assert detection.start_of_speech_sensitivity is StartSensitivity.LOW
    assert detection.end_of_speech_sensitivity is EndSensitivity.LOW


def test_misplaced_response_modalities_is_accepted() -> None:
    # shell_websockets.sh in the cookbook puts response_modalities straight under setup.
    setup = parse_client_message(json.dumps({"setup": {"model": "m", "response_modalities": ["TEXT"]}}))
    assert isinstance(setup, SetupMessage)
    assert setup.setup.generation_config.response_modalities == (Modality.TEXT,)


@pytest.mark.parametrize("encode", [base64.b64encode, base64.urlsafe_b64encode])
def test_audio_in_both_base64_alphabets(encode: object) -> None:
    pcm = bytes(range(256)) * 3  # contains bytes whose base64 differs between the alphabets
    data = encode(pcm).decode()  # type: ignore[operator]
    for frame in (
        {"realtime_input": {"audio": {"data": data, "mime_type": "audio/pcm;rate=16000"}}},
        {"realtimeInput": {"audio": {"data": data, "mimeType": "audio/pcm;rate=16000"}}},
    ):
        message = parse_client_message(json.dumps(frame))
        assert isinstance(message, RealtimeInput) and message.audio is not None
        assert message.audio.data == pcm
        assert message.audio.mime_type == "audio/pcm;rate=16000"


def test_unpadded_base64_decodes() -> None:
    assert decode_base64(base64.b64encode(b"ab").decode().rstrip("=")) == b"ab"


def test_media_chunks_route_by_mime_and_keep_the_first() -> None:
    jpeg = base64.b64encode(b"\xff\xd8\xff\xe0jpeg").decode()
    video = parse_client_message(
        json.dumps({"realtime_input": {"media_chunks": [{"data": jpeg, "mime_type": "image/jpeg"}]}})
    )
    assert isinstance(video, RealtimeInput) and video.video is not None and video.audio is None
    audio = parse_client_message(
        json.dumps({"realtimeInput": {"mediaChunks": [{"data": "AAAA", "mimeType": "audio/pcm"}, {"data": jpeg}]}})
    )
    assert isinstance(audio, RealtimeInput) and audio.audio is not None and audio.audio.data == b"\0\0\0"


def test_realtime_input_kinds() -> None:
    cases = {
        '{"realtime_input": {"text": "hi"}}': RealtimeInput(text="hi"),
        '{"realtime_input": {"activityStart": {}}}': RealtimeInput(activity_start=True),
        '{"realtime_input": {"activity_end": {}}}': RealtimeInput(activity_end=True),
        '{"realtime_input": {"audioStreamEnd": true}}': RealtimeInput(audio_stream_end=True),
    }
    for frame, expected in cases.items():
        assert parse_client_message(frame) == expected


def test_client_content_tool_response_and_context_update() -> None:
    content = parse_client_message(
        '{"client_content": {"turns": [{"parts": [{"text": "hi"}], "role": "user"},'
        ' {"parts": [{"text": "hello"}], "role": "model"}], "turn_complete": true}}'
    )
    assert content == ClientContent(
        turns=(Content("user", (Part(text="hi"),)), Content("model", (Part(text="hello"),))), turn_complete=True
    )
    response = parse_client_message(
        '{"tool_response": {"functionResponses": [{"will_continue": false, "scheduling": "INTERRUPT",'
        ' "id": "c1", "name": "f", "response": {"result": "ok"}}, {"id": "c2", "name": "g",'
        ' "response": {"result": 1, "scheduling": "when_idle"}}]}}'
    )
    assert isinstance(response, ToolResponse)
    first, second = response.function_responses
    assert (first.id, first.scheduling, first.response) == (
        "c1",
        FunctionResponseScheduling.INTERRUPT,
        {"result": "ok"},
    )
    assert second.scheduling is FunctionResponseScheduling.WHEN_IDLE
    update = parse_client_message(
        '{"contextUpdate": {"systemInstruction": {"parts": [{"text": "x"}], "role": "user"}, "tools": {"tools": []}}}'
    )
    assert isinstance(update, ContextUpdate)
    assert update.tools == () and update.system_instruction is not None and update.system_instruction.text == "x"


def test_errors_name_the_field() -> None:
    rejects("{not json", "Invalid JSON payload")
    rejects("[1, 2]", "Expected a JSON object")
    rejects('{"hello": {}}', "Expected one of setup")
    rejects('{"setup": {"model": "m", "generationConfig": {"temperature": "hot"}}}', "generation_config.temperature")
    rejects('{"setup": {"model": "m", "generationConfig": {"topK": 1.5}}}', "generation_config.top_k")
    rejects('{"setup": {"generationConfig": {}}}', "setup.model")
    rejects('{"setup": {"model": "m", "generationConfig": {"responseModalities": ["IMAGE"]}}}', "IMAGE")
    rejects('{"setup": {"model": "m", "generationConfig": {"responseModalities": ["TEXT", "AUDIO"]}}}', "one response")
    rejects('{"realtime_input": {"audio": {"data": "!!!not base64", "mime_type": "audio/pcm"}}}', "Base64")
    rejects('{"realtime_input": {"audio": "AAAA"}}', "realtime_input.audio")
    rejects('{"client_content": {"turns": "hello"}}', "client_content.turns")
    rejects('{"client_content": {"turn_complete": "yes"}}', "turn_complete")
    rejects('{"tool_response": {"functionResponses": [{"id": "x", "name": "f"}]}}', "response")
    rejects('{"realtime_input": {}}', "must carry one of")


def test_long_reasons_are_clipped_to_123_bytes() -> None:
    error = rejects(
        json.dumps({"setup": {"model": "m", "generationConfig": {"temperature": "é" * 200}}}), "temperature"
    )
    assert error.reason.encode().decode() == error.reason


def test_server_messages_are_camel_case_ascii_json() -> None:
    message = ServerMessage(
        ServerContent(model_turn=Content("model", (Part(text="café ☕"),)), turn_complete=True),
        UsageMetadata(prompt_token_count=5, response_token_count=3),
    )
    encoded = encode_server_message(message)
    assert encoded.isascii()
    decoded = orjson.loads(encoded)
    assert decoded["serverContent"]["modelTurn"]["parts"][0]["text"] == "café ☕"
    assert decoded["serverContent"]["turnComplete"] is True
    assert decoded["usageMetadata"] == {"promptTokenCount": 5, "responseTokenCount": 3, "totalTokenCount": 8}
    assert orjson.loads(encode_server_message(ServerMessage(SetupComplete("s1")))) == {
        "setupComplete": {"sessionId": "s1"}
    }
    call = orjson.loads(encode_server_message(ServerMessage(ToolCall((FunctionCall("id1", "f", {"a": 1}),)))))
    assert call == {"toolCall": {"functionCalls": [{"id": "id1", "name": "f", "args": {"a": 1}}]}}
