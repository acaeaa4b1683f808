"""JSON ⇄ typed messages, with proto3-JSON leniency.

Clients mix camelCase and snake_case (even inside one message), send bytes in standard or
URL-safe base64, enums in any case, and integers as floats or strings. All of that parses;
unknown fields are ignored. Anything that cannot be understood raises a :class:`ProtocolError`
(close 1007) naming the offending field the way the real service does.
"""

from __future__ import annotations

import binascii
import json
from collections.abc import Callable
from enum import Enum
from functools import cache
from typing import Any, TypeVar

import orjson

from openlive.protocol.errors import ProtocolError, invalid_argument
from openlive.protocol.messages import (
    ActivityHandling,
    AudioTranscriptionConfig,
    AutomaticActivityDetection,
    Blob,
    ClientContent,
    ClientMessage,
    Content,
    ContextUpdate,
    ContextWindowCompression,
    EndSensitivity,
    FunctionBehavior,
    FunctionCall,
    FunctionDeclaration,
    FunctionResponse,
    FunctionResponseScheduling,
    GenerationConfig,
    GoAway,
    JsonObject,
    MediaResolution,
    Modality,
    Part,
    ProactivityConfig,
    RealtimeInput,
    RealtimeInputConfig,
    ServerContent,
    ServerMessage,
    SessionResumptionConfig,
    SessionResumptionUpdate,
    Setup,
    SetupComplete,
    SetupMessage,
    SpeechConfig,
    StartSensitivity,
    Tool,
    ToolCall,
    ToolCallCancellation,
    ToolResponse,
    Transcription,
    TurnCoverage,
    UsageMetadata,
)

E = TypeVar("E", bound=Enum)


@cache
def _snake(camel: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in camel)


def decode_base64(text: str) -> bytes:
    """Decode standard or URL-safe base64, padded or not; raise ``binascii.Error`` otherwise."""
    if "-" in text or "_" in text:
        # str.replace is several times faster than str.translate for this.
        text = text.replace("-", "+").replace("_", "/")
    if len(text) % 4:
        text += "=" * (-len(text) % 4)
    return binascii.a2b_base64(text, strict_mode=True)


class _Fields:
    """One JSON object being read, with its path for error messages."""

    __slots__ = ("path", "raw")

    def __init__(self, raw: JsonObject, path: str) -> None:
        self.raw = raw
        self.path = path

    def get(self, camel: str) -> Any:
        value = self.raw.get(camel)
        if value is None:
            value = self.raw.get(_snake(camel))
        return value

    def has(self, camel: str) -> bool:
        return self.get(camel) is not None

    def _where(self, camel: str) -> str:
        return f"{self.path}.{_snake(camel)}" if self.path else _snake(camel)

    def _bad(self, camel: str, kind: str, value: Any) -> ProtocolError:
        shown = json.dumps(value)[:40]
        return invalid_argument(f"Invalid value at '{self._where(camel)}' ({kind}), {shown}")

    def obj(self, camel: str) -> _Fields | None:
        value = self.get(camel)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self._bad(camel, "TYPE_MESSAGE", value)
        return _Fields(value, self._where(camel))

    def objects(self, camel: str) -> list[_Fields]:
        value = self.get(camel)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._bad(camel, "TYPE_MESSAGE list", value)
        where = self._where(camel)
        out = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise invalid_argument(f"Invalid value at '{where}[{index}]' (TYPE_MESSAGE), {json.dumps(item)[:40]}")
            out.append(_Fields(item, f"{where}[{index}]"))
        return out

    def string(self, camel: str) -> str | None:
        value = self.get(camel)
        if value is None or isinstance(value, str):
            return value
        raise self._bad(camel, "TYPE_STRING", value)

    def strings(self, camel: str) -> list[str]:
        value = self.get(camel)
        if value is None:
            return []
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return value
        raise self._bad(camel, "TYPE_STRING list", value)

    def boolean(self, camel: str, default: bool = False) -> bool:
        value = self.get(camel)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        raise self._bad(camel, "TYPE_BOOL", value)

    def number(self, camel: str) -> float | None:
        value = self.get(camel)
        if value is None:
            return None
        if isinstance(value, bool):
            raise self._bad(camel, "TYPE_FLOAT", value)
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise self._bad(camel, "TYPE_FLOAT", value)

    def integer(self, camel: str) -> int | None:
        value = self.get(camel)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                pass
        raise self._bad(camel, "TYPE_INT32", value)

    def object_value(self, camel: str) -> JsonObject | None:
        """A free-form JSON object (schemas, args), kept as it is."""
        value = self.get(camel)
        if value is None or isinstance(value, dict):
            return value
        raise self._bad(camel, "google.protobuf.Struct", value)

    def enum(self, camel: str, kind: type[E], numbers: dict[int, E] | None = None) -> E | None:
        """An enum by name (any case, with or without its prefix) or by proto number."""
        value = self.get(camel)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool) and numbers is not None:
            if value == 0:
                return None
            if value in numbers:
                return numbers[value]
        if isinstance(value, str):
            name = value.upper()
            if name.endswith("UNSPECIFIED"):
                return None
            for member in kind:
                if member.value == name or member.value.endswith("_" + name) or member.name == name:
                    return member
        raise invalid_argument(f"Invalid value at '{self._where(camel)}' ({kind.__name__}), {json.dumps(value)[:40]}")


# --- client → server ---------------------------------------------------------------------------


def parse_client_message(frame: str | bytes) -> ClientMessage:
    try:
        raw = orjson.loads(frame)
    except orjson.JSONDecodeError:
        raise invalid_argument("Invalid JSON payload received.") from None
    if not isinstance(raw, dict):
        raise invalid_argument("Invalid JSON payload received. Expected a JSON object.")
    message = _Fields(raw, "")
    for camel, parse in _CLIENT_MESSAGE_PARSERS:
        body = message.obj(camel)
        if body is not None:
            return parse(body)
    raise invalid_argument(
        "Invalid JSON payload received. Expected one of setup, clientContent, realtimeInput, "
        "toolResponse, contextUpdate."
    )


def _parse_blob(fields: _Fields) -> Blob:
    data = fields.string("data") or ""
    try:
        decoded = decode_base64(data)
    except (binascii.Error, ValueError):
        raise invalid_argument(f"Invalid value at '{fields.path}.data' (TYPE_BYTES), Base64 decoding failed") from None
    return Blob(mime_type=(fields.string("mimeType") or "").strip(), data=decoded)


def _parse_part(fields: _Fields) -> Part:
    inline = fields.obj("inlineData")
    call = fields.obj("functionCall")
    response = fields.obj("functionResponse")
    return Part(
        text=fields.string("text"),
        inline_data=_parse_blob(inline) if inline else None,
        function_call=_parse_function_call(call) if call else None,
        function_response=_parse_function_response(response) if response else None,
    )


def _parse_content(fields: _Fields, default_role: str = "user") -> Content:
    return Content(
        role=fields.string("role") or default_role,
        parts=tuple(_parse_part(part) for part in fields.objects("parts")),
    )


def _parse_function_call(fields: _Fields) -> FunctionCall:
    return FunctionCall(
        id=fields.string("id") or "", name=fields.string("name") or "", args=fields.object_value("args") or {}
    )


_SCHEDULING_NUMBERS = {
    1: FunctionResponseScheduling.SILENT,
    2: FunctionResponseScheduling.WHEN_IDLE,
    3: FunctionResponseScheduling.INTERRUPT,
}


def _parse_function_response(fields: _Fields) -> FunctionResponse:
    response = fields.object_value("response")
    if response is None:
        raise invalid_argument(f"Missing field '{fields.path}.response'.")
    scheduling = fields.enum("scheduling", FunctionResponseScheduling, _SCHEDULING_NUMBERS)
    if scheduling is None and "scheduling" in response:
        # The docs' samples put scheduling inside the response object; the SDK puts it beside it.
        scheduling = _Fields(response, f"{fields.path}.response").enum(
            "scheduling", FunctionResponseScheduling, _SCHEDULING_NUMBERS
        )
    return FunctionResponse(
        id=fields.string("id") or "",
        name=fields.string("name") or "",
        response=response,
        scheduling=scheduling,
        will_continue=fields.boolean("willContinue"),
    )


def _parse_system_instruction(fields: _Fields) -> Content | None:
    value = fields.get("systemInstruction")
    if isinstance(value, str):  # lenient: some clients send the bare string
        return Content(role="user", parts=(Part(text=value),))
    instruction = fields.obj("systemInstruction")
    return _parse_content(instruction) if instruction else None


def _parse_tools(items: list[_Fields]) -> tuple[Tool, ...]:
    tools = []
    for tool in items:
        declarations = tuple(
            FunctionDeclaration(
                name=_required_string(declaration, "name"),
                description=declaration.string("description") or "",
                parameters=declaration.object_value("parameters"),
                parameters_json_schema=declaration.object_value("parametersJsonSchema"),
                behavior=declaration.enum(
                    "behavior",
                    FunctionBehavior,
                    {1: FunctionBehavior.BLOCKING, 2: FunctionBehavior.NON_BLOCKING},
                )
                or FunctionBehavior.BLOCKING,
            )
            for declaration in tool.objects("functionDeclarations")
        )
        builtin = tuple(key for key in tool.raw if key not in ("functionDeclarations", "function_declarations"))
        tools.append(Tool(function_declarations=declarations, builtin=builtin))
    return tuple(tools)


def _required_string(fields: _Fields, camel: str) -> str:
    value = fields.string(camel)
    if not value:
        raise invalid_argument(f"Missing field '{fields.path}.{_snake(camel)}'.")
    return value


_MODALITY_NUMBERS = {1: Modality.TEXT, 3: Modality.AUDIO}


def _parse_generation_config(setup: _Fields) -> GenerationConfig:
    config = setup.obj("generationConfig") or _Fields({}, "setup.generation_config")
    # Lenient: some scripts put responseModalities straight under setup.
    modalities_owner = config if config.has("responseModalities") else setup
    modalities = modalities_owner.get("responseModalities")
    if modalities is not None and not isinstance(modalities, list):
        modalities = [modalities]
    parsed: list[Modality] = []
    for index, value in enumerate(modalities or []):
        item = _Fields({"m": value}, f"{modalities_owner.path}.response_modalities[{index}]")
        try:
            modality = item.enum("m", Modality, _MODALITY_NUMBERS)
        except ProtocolError:
            raise invalid_argument(
                f"The requested response modality {str(value)[:20]!r} is not supported; use TEXT or AUDIO."
            ) from None
        if modality is not None:
            parsed.append(modality)
    if len(set(parsed)) > 1:
        raise invalid_argument("Only one response modality is supported per session: TEXT or AUDIO.")
    speech = config.obj("speechConfig")
    voice_name = None
    if speech is not None:
        voice = speech.obj("voiceConfig")
        prebuilt = voice.obj("prebuiltVoiceConfig") if voice else None
        voice_name = prebuilt.string("voiceName") if prebuilt else None
    return GenerationConfig(
        response_modalities=tuple(dict.fromkeys(parsed)),
        temperature=config.number("temperature"),
        top_p=config.number("topP"),
        top_k=config.integer("topK"),
        max_output_tokens=config.integer("maxOutputTokens"),
        seed=config.integer("seed"),
        media_resolution=config.enum(
            "mediaResolution",
            MediaResolution,
            {1: MediaResolution.LOW, 2: MediaResolution.MEDIUM, 3: MediaResolution.HIGH},
        ),
        speech_config=SpeechConfig(
            voice_name=voice_name, language_code=speech.string("languageCode") if speech else None
        ),
        enable_affective_dialog=config.boolean("enableAffectiveDialog") or setup.boolean("enableAffectiveDialog"),
    )


def _parse_realtime_input_config(setup: _Fields) -> RealtimeInputConfig:
    config = setup.obj("realtimeInputConfig")
    if config is None:
        return RealtimeInputConfig()
    detection = config.obj("automaticActivityDetection") or _Fields({}, "")
    prefix = detection.integer("prefixPaddingMs")
    silence = detection.integer("silenceDurationMs")
    for name, value in (("prefixPaddingMs", prefix), ("silenceDurationMs", silence)):
        if value is not None and value < 0:
            raise invalid_argument(f"Invalid value at '{detection.path}.{_snake(name)}', must not be negative")
    return RealtimeInputConfig(
        automatic_activity_detection=AutomaticActivityDetection(
            disabled=detection.boolean("disabled"),
            start_of_speech_sensitivity=detection.enum(
                "startOfSpeechSensitivity", StartSensitivity, {1: StartSensitivity.HIGH, 2: StartSensitivity.LOW}
            )
            or StartSensitivity.HIGH,
            end_of_speech_sensitivity=detection.enum(
                "endOfSpeechSensitivity", EndSensitivity, {1: EndSensitivity.HIGH, 2: EndSensitivity.LOW}
            )
            or EndSensitivity.HIGH,
            prefix_padding_ms=prefix,
            silence_duration_ms=silence,
        ),
        activity_handling=config.enum(
            "activityHandling",
            ActivityHandling,
            {1: ActivityHandling.START_OF_ACTIVITY_INTERRUPTS, 2: ActivityHandling.NO_INTERRUPTION},
        )
        or ActivityHandling.START_OF_ACTIVITY_INTERRUPTS,
        turn_coverage=config.enum(
            "turnCoverage",
            TurnCoverage,
            {
                1: TurnCoverage.TURN_INCLUDES_ONLY_ACTIVITY,
                2: TurnCoverage.TURN_INCLUDES_ALL_INPUT,
                3: TurnCoverage.TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO,
            },
        )
        or TurnCoverage.TURN_INCLUDES_ONLY_ACTIVITY,
    )


def _parse_transcription_config(setup: _Fields, camel: str) -> AudioTranscriptionConfig | None:
    config = setup.obj(camel)
    if config is None:
        return None
    return AudioTranscriptionConfig(language_codes=tuple(config.strings("languageCodes")))


def _parse_setup(fields: _Fields) -> SetupMessage:
    resumption = fields.obj("sessionResumption")
    compression = fields.obj("contextWindowCompression")
    sliding = compression.obj("slidingWindow") if compression else None
    proactivity = fields.obj("proactivity")
    history = fields.obj("historyConfig")
    return SetupMessage(
        Setup(
            model=_required_string(fields, "model"),
            generation_config=_parse_generation_config(fields),
            system_instruction=_parse_system_instruction(fields),
            tools=_parse_tools(fields.objects("tools")),
            realtime_input_config=_parse_realtime_input_config(fields),
            input_audio_transcription=_parse_transcription_config(fields, "inputAudioTranscription"),
            output_audio_transcription=_parse_transcription_config(fields, "outputAudioTranscription"),
            session_resumption=SessionResumptionConfig(handle=resumption.string("handle")) if resumption else None,
            context_window_compression=ContextWindowCompression(
                trigger_tokens=compression.integer("triggerTokens"),
                target_tokens=sliding.integer("targetTokens") if sliding else None,
            )
            if compression
            else None,
            proactivity=ProactivityConfig(proactive_audio=proactivity.boolean("proactiveAudio"))
            if proactivity
            else ProactivityConfig(),
            initial_history_in_client_content=history.boolean("initialHistoryInClientContent") if history else False,
        )
    )


def _parse_client_content(fields: _Fields) -> ClientContent:
    return ClientContent(
        turns=tuple(_parse_content(turn) for turn in fields.objects("turns")),
        turn_complete=fields.boolean("turnComplete"),
    )


def _parse_realtime_input(fields: _Fields) -> RealtimeInput:
    audio = fields.obj("audio")
    video = fields.obj("video")
    chunks = fields.objects("mediaChunks")
    if chunks:
        # Deprecated mediaChunks: "all but the first are ignored"; routed by MIME type.
        first = _parse_blob(chunks[0])
        if first.mime_type.startswith("audio/") or not first.mime_type:
            audio_blob, video_blob = first, None
        elif first.mime_type.startswith("image/"):
            audio_blob, video_blob = None, first
        else:
            raise invalid_argument(f"Unsupported MIME type {first.mime_type[:40]!r} in realtime_input.media_chunks.")
    else:
        audio_blob = _parse_blob(audio) if audio else None
        video_blob = _parse_blob(video) if video else None
    message = RealtimeInput(
        audio=audio_blob,
        video=video_blob,
        text=fields.string("text"),
        activity_start=fields.obj("activityStart") is not None,
        activity_end=fields.obj("activityEnd") is not None,
        audio_stream_end=fields.boolean("audioStreamEnd"),
    )
    if message == _EMPTY_REALTIME_INPUT and not fields.has("audioStreamEnd"):
        raise invalid_argument("realtime_input must carry one of audio, video, text, activity_start, activity_end.")
    return message


_EMPTY_REALTIME_INPUT = RealtimeInput()


def _parse_tool_response(fields: _Fields) -> ToolResponse:
    return ToolResponse(
        function_responses=tuple(_parse_function_response(item) for item in fields.objects("functionResponses"))
    )


def _parse_context_update(fields: _Fields) -> ContextUpdate:
    tools = fields.obj("tools")
    return ContextUpdate(
        system_instruction=_parse_system_instruction(fields),
        tools=_parse_tools(tools.objects("tools")) if tools is not None else None,
    )


_CLIENT_MESSAGE_PARSERS: tuple[tuple[str, Callable[[_Fields], ClientMessage]], ...] = (
    ("realtimeInput", _parse_realtime_input),
    ("clientContent", _parse_client_content),
    ("toolResponse", _parse_tool_response),
    ("setup", _parse_setup),
    ("contextUpdate", _parse_context_update),
)


# --- server → client ---------------------------------------------------------------------------


def _blob_json(blob: Blob) -> JsonObject:
    return {"mimeType": blob.mime_type, "data": binascii.b2a_base64(blob.data, newline=False).decode()}


def _content_json(content: Content) -> JsonObject:
    parts: list[JsonObject] = []
    for part in content.parts:
        if part.text is not None:
            parts.append({"text": part.text})
        elif part.inline_data is not None:
            parts.append({"inlineData": _blob_json(part.inline_data)})
    return {"parts": parts, "role": content.role}


def _transcription_json(transcription: Transcription) -> JsonObject:
    out: JsonObject = {"text": transcription.text}
    if transcription.finished is not None:
        out["finished"] = transcription.finished
    return out


def _usage_json(usage: UsageMetadata) -> JsonObject:
    out: JsonObject = {
        "promptTokenCount": usage.prompt_token_count,
        "responseTokenCount": usage.response_token_count,
        "totalTokenCount": usage.total_token_count,
    }
    if usage.cached_content_token_count:
        out["cachedContentTokenCount"] = usage.cached_content_token_count
    if usage.prompt_tokens_details:
        out["promptTokensDetails"] = [
            {"modality": d.modality.value, "tokenCount": d.token_count} for d in usage.prompt_tokens_details
        ]
    if usage.response_tokens_details:
        out["responseTokensDetails"] = [
            {"modality": d.modality.value, "tokenCount": d.token_count} for d in usage.response_tokens_details
        ]
    return out


def _server_content_json(content: ServerContent) -> JsonObject:
    out: JsonObject = {}
    if content.model_turn is not None:
        out["modelTurn"] = _content_json(content.model_turn)
    if content.input_transcription is not None:
        out["inputTranscription"] = _transcription_json(content.input_transcription)
    if content.output_transcription is not None:
        out["outputTranscription"] = _transcription_json(content.output_transcription)
    if content.interrupted:
        out["interrupted"] = True
    if content.generation_complete:
        out["generationComplete"] = True
    if content.waiting_for_input:
        out["waitingForInput"] = True
    if content.turn_complete:
        out["turnComplete"] = True
    return out


def _format_duration(seconds: float) -> str:
    return f"{seconds:.3f}".rstrip("0").rstrip(".") + "s"


def server_message_json(message: ServerMessage) -> JsonObject:
    event = message.event
    out: JsonObject = {}
    match event:
        case SetupComplete(session_id=session_id):
            out["setupComplete"] = {"sessionId": session_id} if session_id else {}
        case ServerContent():
            out["serverContent"] = _server_content_json(event)
        case ToolCall(function_calls=calls):
            out["toolCall"] = {"functionCalls": [{"id": c.id, "name": c.name, "args": c.args} for c in calls]}
        case ToolCallCancellation(ids=ids):
            out["toolCallCancellation"] = {"ids": list(ids)}
        case GoAway(time_left_seconds=seconds):
            out["goAway"] = {"timeLeft": _format_duration(seconds)}
        case SessionResumptionUpdate(new_handle=handle, resumable=resumable):
            out["sessionResumptionUpdate"] = {"newHandle": handle, "resumable": resumable}
        case UsageMetadata():
            out["usageMetadata"] = _usage_json(event)
        case None:
            pass
    if message.usage is not None:
        out["usageMetadata"] = _usage_json(message.usage)
    return out


def encode_server_message(message: ServerMessage) -> bytes:
    """UTF-8 JSON with non-ASCII escaped, so clients that decode frames as ASCII keep working."""
    encoded = orjson.dumps(server_message_json(message))
    if encoded.isascii():
        return encoded
    return json.dumps(orjson.loads(encoded), ensure_ascii=True, separators=(",", ":")).encode()
