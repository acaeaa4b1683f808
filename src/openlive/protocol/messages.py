"""Typed client and server messages of BidiGenerateContent.

Client messages are what :mod:`openlive.protocol.codec` parses from JSON; server messages
are what it serialises. Field names follow the SDK's snake_case; the wire uses camelCase.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

JsonObject = dict[str, Any]


class Modality(StrEnum):
    TEXT = "TEXT"
    AUDIO = "AUDIO"


class StartSensitivity(StrEnum):
    HIGH = "START_SENSITIVITY_HIGH"
    LOW = "START_SENSITIVITY_LOW"


class EndSensitivity(StrEnum):
    HIGH = "END_SENSITIVITY_HIGH"
    LOW = "END_SENSITIVITY_LOW"


class ActivityHandling(StrEnum):
    START_OF_ACTIVITY_INTERRUPTS = "START_OF_ACTIVITY_INTERRUPTS"
    NO_INTERRUPTION = "NO_INTERRUPTION"


class TurnCoverage(StrEnum):
    TURN_INCLUDES_ONLY_ACTIVITY = "TURN_INCLUDES_ONLY_ACTIVITY"
    TURN_INCLUDES_ALL_INPUT = "TURN_INCLUDES_ALL_INPUT"
    TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO = "TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO"


class MediaResolution(StrEnum):
    LOW = "MEDIA_RESOLUTION_LOW"
    MEDIUM = "MEDIA_RESOLUTION_MEDIUM"
    HIGH = "MEDIA_RESOLUTION_HIGH"


class FunctionBehavior(StrEnum):
    BLOCKING = "BLOCKING"
    NON_BLOCKING = "NON_BLOCKING"


class FunctionResponseScheduling(StrEnum):
    SILENT = "SILENT"
    WHEN_IDLE = "WHEN_IDLE"
    INTERRUPT = "INTERRUPT"


@dataclass(frozen=True)
class Blob:
    mime_type: str
    data: bytes


@dataclass(frozen=True)
class FunctionCall:
    id: str
    name: str
    args: JsonObject


@dataclass(frozen=True)
class FunctionResponse:
    id: str
    name: str
    response: JsonObject
    scheduling: FunctionResponseScheduling | None = None
    will_continue: bool = False


@dataclass(frozen=True)
class Part:
    text: str | None = None
    inline_data: Blob | None = None
    function_call: FunctionCall | None = None
    function_response: FunctionResponse | None = None


@dataclass(frozen=True)
class Content:
    role: str
    parts: tuple[Part, ...]

    @property
    def text(self) -> str:
        return "".join(part.text for part in self.parts if part.text)


@dataclass(frozen=True)
class FunctionDeclaration:
    name: str
    description: str = ""
    # OpenAPI-subset Schema (``parameters``) or plain JSON Schema (``parametersJsonSchema``), as sent.
    parameters: JsonObject | None = None
    parameters_json_schema: JsonObject | None = None
    behavior: FunctionBehavior = FunctionBehavior.BLOCKING


@dataclass(frozen=True)
class Tool:
    function_declarations: tuple[FunctionDeclaration, ...] = ()
    # Built-in tools (googleSearch, codeExecution, ...) by wire name; openlive does not run them.
    builtin: tuple[str, ...] = ()


@dataclass(frozen=True)
class SpeechConfig:
    voice_name: str | None = None
    language_code: str | None = None


@dataclass(frozen=True)
class GenerationConfig:
    response_modalities: tuple[Modality, ...] = ()
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    max_output_tokens: int | None = None
    seed: int | None = None
    media_resolution: MediaResolution | None = None
    speech_config: SpeechConfig = field(default_factory=SpeechConfig)
    enable_affective_dialog: bool = False


@dataclass(frozen=True)
class AutomaticActivityDetection:
    disabled: bool = False
    start_of_speech_sensitivity: StartSensitivity = StartSensitivity.HIGH
    end_of_speech_sensitivity: EndSensitivity = EndSensitivity.HIGH
    prefix_padding_ms: int | None = None
    silence_duration_ms: int | None = None


@dataclass(frozen=True)
class RealtimeInputConfig:
    automatic_activity_detection: AutomaticActivityDetection = field(default_factory=AutomaticActivityDetection)
    activity_handling: ActivityHandling = ActivityHandling.START_OF_ACTIVITY_INTERRUPTS
    turn_coverage: TurnCoverage = TurnCoverage.TURN_INCLUDES_ONLY_ACTIVITY


@dataclass(frozen=True)
class AudioTranscriptionConfig:
    language_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class SessionResumptionConfig:
    handle: str | None = None


@dataclass(frozen=True)
class ContextWindowCompression:
    trigger_tokens: int | None = None
    target_tokens: int | None = None


@dataclass(frozen=True)
class ProactivityConfig:
    proactive_audio: bool = False


@dataclass(frozen=True)
class Setup:
    model: str
    generation_config: GenerationConfig = field(default_factory=GenerationConfig)
    system_instruction: Content | None = None
    tools: tuple[Tool, ...] = ()
    realtime_input_config: RealtimeInputConfig = field(default_factory=RealtimeInputConfig)
    input_audio_transcription: AudioTranscriptionConfig | None = None
    output_audio_transcription: AudioTranscriptionConfig | None = None
    session_resumption: SessionResumptionConfig | None = None
    context_window_compression: ContextWindowCompression | None = None
    proactivity: ProactivityConfig = field(default_factory=ProactivityConfig)
    initial_history_in_client_content: bool = False


# --- client messages -------------------------------------------------------------------------


@dataclass(frozen=True)
class SetupMessage:
    setup: Setup


@dataclass(frozen=True)
class ClientContent:
    turns: tuple[Content, ...]
    turn_complete: bool


@dataclass(frozen=True)
class RealtimeInput:
    """One ``realtimeInput`` message. Clients send one field per message; all are kept if several come."""

    audio: Blob | None = None
    video: Blob | None = None
    text: str | None = None
    activity_start: bool = False
    activity_end: bool = False
    audio_stream_end: bool = False


@dataclass(frozen=True)
class ToolResponse:
    function_responses: tuple[FunctionResponse, ...]


@dataclass(frozen=True)
class ContextUpdate:
    system_instruction: Content | None = None
    # None: tools unchanged; an empty tuple clears them.
    tools: tuple[Tool, ...] | None = None


ClientMessage = SetupMessage | ClientContent | RealtimeInput | ToolResponse | ContextUpdate


# --- server messages -------------------------------------------------------------------------


@dataclass(frozen=True)
class ModalityTokenCount:
    modality: Modality
    token_count: int


@dataclass(frozen=True)
class UsageMetadata:
    prompt_token_count: int = 0
    cached_content_token_count: int = 0
    response_token_count: int = 0
    prompt_tokens_details: tuple[ModalityTokenCount, ...] = ()
    response_tokens_details: tuple[ModalityTokenCount, ...] = ()

    @property
    def total_token_count(self) -> int:
        return self.prompt_token_count + self.response_token_count


@dataclass(frozen=True)
class SetupComplete:
    session_id: str | None = None


@dataclass(frozen=True)
class Transcription:
    text: str
    finished: bool | None = None


@dataclass(frozen=True)
class ServerContent:
    model_turn: Content | None = None
    turn_complete: bool = False
    interrupted: bool = False
    generation_complete: bool = False
    input_transcription: Transcription | None = None
    output_transcription: Transcription | None = None
    waiting_for_input: bool = False


@dataclass(frozen=True)
class ToolCall:
    function_calls: tuple[FunctionCall, ...]


@dataclass(frozen=True)
class ToolCallCancellation:
    ids: tuple[str, ...]


@dataclass(frozen=True)
class GoAway:
    time_left_seconds: float


@dataclass(frozen=True)
class SessionResumptionUpdate:
    new_handle: str
    resumable: bool


ServerEvent = (
    SetupComplete | ServerContent | ToolCall | ToolCallCancellation | GoAway | SessionResumptionUpdate | UsageMetadata
)


@dataclass(frozen=True)
class ServerMessage:
    """One frame to the client: an event, optionally with usage metadata beside it."""

    event: ServerEvent | None
    usage: UsageMetadata | None = None
