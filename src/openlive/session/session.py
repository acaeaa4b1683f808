"""The session: one client conversation over one WebSocket.

It turns client messages into turns, runs one generation at a time, and streams the
reply back as server messages through ``outbox`` (a non-blocking, order-keeping sink
the gateway drains). A client message that arrives while a reply is being generated
interrupts it, and only what was already sent stays in the history.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterator

from openlive.backends.llm.base import (
    ChatMessage,
    ContextOverflowError,
    Generation,
    GenerationStats,
    SamplingParams,
)
from openlive.engine.runtime import Runtime
from openlive.engine.threads import iterate_in_thread
from openlive.protocol.errors import ProtocolError, internal_error, invalid_argument, not_supported
from openlive.protocol.messages import (
    ClientContent,
    ClientMessage,
    Content,
    ContextUpdate,
    Modality,
    ModalityTokenCount,
    Part,
    RealtimeInput,
    ServerContent,
    ServerMessage,
    Setup,
    SetupMessage,
    Tool,
    ToolResponse,
    UsageMetadata,
)

log = logging.getLogger(__name__)

Outbox = Callable[[ServerMessage], None]

_MODEL_ROLES = {"model", "assistant"}


def _response_modality(setup: Setup) -> Modality:
    # The Live API answers in AUDIO when the client does not say.
    modalities = setup.generation_config.response_modalities
    return modalities[0] if modalities else Modality.AUDIO


def _sampling_params(setup: Setup) -> SamplingParams:
    config = setup.generation_config
    defaults = SamplingParams()
    return SamplingParams(
        temperature=config.temperature if config.temperature is not None else defaults.temperature,
        top_p=config.top_p if config.top_p is not None else defaults.top_p,
        top_k=config.top_k if config.top_k is not None else defaults.top_k,
        max_tokens=config.max_output_tokens if config.max_output_tokens is not None else defaults.max_tokens,
        seed=config.seed,
    )


def _text_of(content: Content, where: str) -> str:
    for part in content.parts:
        if part.inline_data is not None:
            raise not_supported(f"Inline data ({part.inline_data.mime_type or 'no MIME type'}) in {where}")
        if part.function_call is not None or part.function_response is not None:
            raise not_supported(f"Function calls in {where}")
    return content.text


class Session:
    def __init__(self, setup: Setup, runtime: Runtime, outbox: Outbox, session_id: str) -> None:
        if _response_modality(setup) is not Modality.TEXT:
            raise not_supported("Response modality AUDIO")
        self.session_id = session_id
        self.setup = setup
        self._runtime = runtime
        self._outbox = outbox
        self._sampling = _sampling_params(setup)
        self._system_instruction = (
            _text_of(setup.system_instruction, "system_instruction") if setup.system_instruction else ""
        )
        self._tools: tuple[Tool, ...] = setup.tools
        self._history: list[ChatMessage] = []
        self._slot = runtime.llm.open_slot()
        self._generation: asyncio.Task[None] | None = None
        self._cancel_generation = threading.Event()
        # Set when the session must end because of an error raised outside ``handle``.
        self.failure: asyncio.Future[ProtocolError] = asyncio.get_running_loop().create_future()

    # --- client messages ---------------------------------------------------------------------

    async def handle(self, message: ClientMessage) -> None:
        match message:
            case ClientContent():
                await self._on_client_content(message)
            case RealtimeInput():
                await self._on_realtime_input(message)
            case ToolResponse():
                self._on_tool_response(message)
            case ContextUpdate():
                self._on_context_update(message)
            case SetupMessage():
                raise invalid_argument("setup must be sent only once, as the first message.")

    async def _on_client_content(self, message: ClientContent) -> None:
        await self._interrupt()
        for turn in message.turns:
            text = _text_of(turn, "client_content.turns")
            self._history.append(ChatMessage("assistant" if turn.role in _MODEL_ROLES else "user", text))
        if message.turn_complete and not self.setup.initial_history_in_client_content:
            self._start_generation()

    async def _on_realtime_input(self, message: RealtimeInput) -> None:
        if message.audio is not None:
            raise not_supported("Audio input (realtime_input.audio)")
        if message.video is not None:
            raise not_supported("Video input (realtime_input.video)")
        if message.activity_start or message.activity_end:
            raise not_supported("Manual activity detection (activity_start/activity_end)")
        if message.text is not None:
            await self._interrupt()
            self._history.append(ChatMessage("user", message.text))
            self._start_generation()

    def _on_tool_response(self, message: ToolResponse) -> None:
        # No function calls are issued by this server yet, so every id is unknown.
        ids = ", ".join(response.id or "(none)" for response in message.function_responses)
        raise invalid_argument(f"Unknown function call id in tool_response: {ids}")

    def _on_context_update(self, message: ContextUpdate) -> None:
        if message.system_instruction is not None:
            self._system_instruction = _text_of(message.system_instruction, "context_update.system_instruction")
        if message.tools is not None:
            self._tools = message.tools

    # --- generation --------------------------------------------------------------------------

    def _chat_messages(self) -> list[ChatMessage]:
        system = [ChatMessage("system", self._system_instruction)] if self._system_instruction else []
        return system + self._history

    def _start_generation(self) -> None:
        self._cancel_generation = threading.Event()
        self._generation = asyncio.create_task(self._generate(self._chat_messages(), self._cancel_generation))

    async def _interrupt(self) -> None:
        """Stop the reply in progress, if any, and wait until its end has been sent."""
        if self._generation is None or self._generation.done():
            return
        self._cancel_generation.set()
        await asyncio.shield(self._generation)

    def _send(self, content: ServerContent, usage: UsageMetadata | None = None) -> None:
        self._outbox(ServerMessage(content, usage))

    async def _generate(self, messages: list[ChatMessage], cancel: threading.Event) -> None:
        generation: Generation | None = None

        def produce() -> Iterator[str]:
            nonlocal generation
            generation = self._slot.generate(messages, self._sampling, cancel)
            return iter(generation)

        sent: list[str] = []
        try:
            async for piece in iterate_in_thread(self._runtime.llm_executor, produce, cancel):
                sent.append(piece)
                self._send(ServerContent(model_turn=Content("model", (Part(text=piece),))))
        except ContextOverflowError:
            self._fail(invalid_argument("The conversation no longer fits the model's context window."))
            return
        except Exception:
            log.exception("generation failed in session %s", self.session_id)
            self._fail(internal_error())
            return
        stats = generation.stats if generation is not None else GenerationStats()
        self._history.append(ChatMessage("assistant", "".join(sent)))
        usage = self._usage(stats)
        if stats.finish_reason == "cancelled":
            self._send(ServerContent(interrupted=True))
        else:
            self._send(ServerContent(generation_complete=True))
        self._send(ServerContent(turn_complete=True), usage)

    def _usage(self, stats: GenerationStats) -> UsageMetadata:
        return UsageMetadata(
            prompt_token_count=stats.prompt_tokens,
            cached_content_token_count=stats.cached_tokens,
            response_token_count=stats.completion_tokens,
            prompt_tokens_details=(ModalityTokenCount(Modality.TEXT, stats.prompt_tokens),),
            response_tokens_details=(ModalityTokenCount(Modality.TEXT, stats.completion_tokens),),
        )

    def _fail(self, error: ProtocolError) -> None:
        if not self.failure.done():
            self.failure.set_result(error)

    async def close(self) -> None:
        await self._interrupt()
        self._slot.close()
