"""The session: one client conversation over one WebSocket.

It turns client messages into user turns (typed text, or speech ended by the turn
tracker), runs one reply at a time, and streams it back through ``outbox`` (a
non-blocking, order-keeping sink the gateway drains). User activity during a reply
interrupts it, unless the client asked for ``NO_INTERRUPTION``; only what was already
sent stays in the history.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import numpy as np

from openlive import metrics
from openlive.audio import StreamResampler
from openlive.backends.face.base import FacePose
from openlive.backends.llm.base import ChatMessage, ContextOverflowError, GenerationStats, SamplingParams
from openlive.backends.tts.base import NORMAL_PROSODY
from openlive.engine.affect.types import FaceCues, ReplyStyle
from openlive.engine.proactivity.detector import ConversationState
from openlive.engine.proactivity.names import assistant_names
from openlive.engine.proactivity.signals import TurnAnalyzer, TurnSignals
from openlive.engine.runtime import Runtime
from openlive.engine.speech.activity import SAMPLE_RATE
from openlive.engine.speech.barge_in import BargeIn, EchoDetector, is_backchannel, judge_barge_in
from openlive.engine.speech.turns import TurnEvent, UserPaused, UserResumed, UserSpeechStarted, UserTurnEnded
from openlive.engine.speech.voice_out import OUTPUT_RATE
from openlive.engine.threads import Urgency
from openlive.engine.tools.planner import PlannedCall, PlanningRequest
from openlive.engine.vision import FrameDecodeError
from openlive.engine.vision import MediaResolution as VisionResolution
from openlive.engine.vision.answers import answer_visual_question, classify_question
from openlive.protocol.errors import ProtocolError, internal_error, invalid_argument, not_supported
from openlive.protocol.messages import (
    ActivityHandling,
    Blob,
    ClientContent,
    ClientMessage,
    Content,
    ContextUpdate,
    FunctionCall,
    FunctionResponse,
    FunctionResponseScheduling,
    Modality,
    ModalityTokenCount,
    RealtimeInput,
    ServerContent,
    ServerMessage,
    Setup,
    SetupMessage,
    ToolCall,
    ToolCallCancellation,
    ToolResponse,
    Transcription,
    UsageMetadata,
)
from openlive.session.reply import Reply, ReplyResult, SpeechSettings, TurnTimeline
from openlive.session.tool_calls import ToolCallBook, engine_declarations, results_note, started_note
from openlive.session.voice_input import VoiceInput

log = logging.getLogger(__name__)

Outbox = Callable[[ServerMessage], None]
T = TypeVar("T")

_MODEL_ROLES = {"model", "assistant"}
# Words that may come with a name when the user only calls openlive ("Hey assistant, …").
_CALLING_WORDS = frozenset(("hey", "hi", "hello", "ok", "okay", "oh"))
# Used when the client gives no system instruction. Small models ramble or drift into other
# languages without one; Gemini likewise has a persona of its own.
DEFAULT_SYSTEM_INSTRUCTION = "You are a helpful voice assistant. Give short, direct answers in one or two sentences."
# Speech heard during a reply gets an early ASR pass once it is this long, to tell a
# backchannel ("mm-hmm") from a real interruption before the user finishes.
_BARGE_IN_ASR_AFTER_S = 0.45
_ECHO_CHECK_AFTER_S = 0.25
# Reading ahead (see Session._maybe_read_ahead): from this much speech on, again after this much more.
_READ_AHEAD_FROM_S = 1.0
_READ_AHEAD_EVERY_S = 0.6
# ...and only while the server kept less than this many cores busy over the last second.
_READ_AHEAD_MAX_BUSY_CORES = 0.5
# A question asked right after a frame arrives waits this long, at most, for it to be read.
_VISION_SETTLE_SECONDS = 2.5
# An image sent with the question itself is read before answering, however long that takes, up to this.
_QUESTION_IMAGE_SETTLE_SECONDS = 30.0
# Recent history the tool planner sees, for planners that use context.
_PLANNER_CONTEXT_MESSAGES = 6
# What is seen goes into every prompt in short; in full only when the user asks about it. A full
# screen description runs to hundreds of tokens, which the CPU LLM would prefill on every turn.
_SEEN_SUMMARY_CHARACTERS = 120
# Camera cues older than this say nothing about the user's face now.
_FACE_CUES_MAX_AGE_S = 10.0
# A shared screen seen this recently counts as being shared.
_SCREEN_SHARE_ACTIVE_S = 30.0


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


def _images_of(content: Content, where: str) -> list[Blob]:
    """Image parts of a turn; other inline data is refused (audio belongs in realtime_input)."""
    images = []
    for part in content.parts:
        blob = part.inline_data
        if blob is None:
            continue
        if not blob.mime_type.startswith("image/"):
            raise not_supported(f"Inline data ({blob.mime_type or 'no MIME type'}) in {where}")
        images.append(blob)
    return images


def _without_images(content: Content) -> Content:
    return Content(content.role, tuple(part for part in content.parts if part.inline_data is None))


@dataclass
class _Speculation:
    """A reply started, held, at a pause in the user's speech."""

    audio_samples: int
    text: str
    signals: TurnSignals | None
    reply: Reply | None
    # The function calls planned for ``text``; None when no tools are declared.
    calls: list[PlannedCall] | None = None


def _rounded(probability: float | None) -> str:
    return "-" if probability is None else f"{probability:.2f}"


def _abandon(speculation: asyncio.Task[_Speculation] | None) -> None:
    """Throw away speculative work whose turn did not happen as guessed."""
    if speculation is None:
        return
    if not speculation.done():
        speculation.cancel()
    elif not speculation.cancelled() and speculation.exception() is None:
        reply = speculation.result().reply
        if reply is not None:
            reply.discard()


@dataclass
class _BargeInCandidate:
    """User speech heard while a reply plays, not yet judged."""

    start_sample: int
    echo_similarity: float | None = None
    text: str | None = None
    transcription: asyncio.Task[None] | None = None
    decided: BargeIn = BargeIn.WAIT


class Session:
    def __init__(self, setup: Setup, runtime: Runtime, outbox: Outbox, session_id: str) -> None:
        self.session_id = session_id
        self.setup = setup
        self._runtime = runtime
        self._outbox = outbox
        self._modality = _response_modality(setup)
        self._sampling = _sampling_params(setup)
        client_instruction = (
            _text_of(setup.system_instruction, "system_instruction") if setup.system_instruction else ""
        )
        self._system_instruction = client_instruction or DEFAULT_SYSTEM_INSTRUCTION
        self._names = frozenset(word for name in assistant_names(client_instruction) for word in name.split())
        # "Assistant," said alone, then a pause: the request follows in the next turn.
        self._called_by = ""
        self._declarations = engine_declarations(setup.tools)
        self._tool_book = ToolCallBook()
        self._tool_book.declare(setup.tools)
        # Calls issued in the turn now in progress: cancelled if that turn is interrupted.
        self._turn_calls: list[str] = []
        self._blocking_results: list[tuple[FunctionCall, FunctionResponse]] = []
        # A turn waiting for the results of its blocking calls.
        self._tool_turn: TurnTimeline | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._history: list[ChatMessage] = []
        self._slot = runtime.llm.open_slot()
        speech_config = setup.generation_config.speech_config
        transcription = setup.input_audio_transcription
        self._language = speech_config.language_code or (
            transcription.language_codes[0] if transcription and transcription.language_codes else None
        )
        realtime = setup.realtime_input_config
        self._interruptible = realtime.activity_handling is ActivityHandling.START_OF_ACTIVITY_INTERRUPTS
        self._voice = VoiceInput(runtime, realtime.automatic_activity_detection, self._language)
        self._voice.declare_tools(self._declarations)
        self._manual_activity = realtime.automatic_activity_detection.disabled
        self._manual_audio: list[np.ndarray] | None = None
        self._reply: Reply | None = None
        # The last work queued on the LLM slot (a reply's generation, held ones included, a prefill, a
        # words check): the next waits until it has let go of the slot.
        self._slot_work: asyncio.Future[Any] | None = None
        # How the next user message opens, as last evaluated ahead of time.
        self._prefilled_start = ""
        # Set when a turn needs the slot: the prefills queued before then stop giving way to other
        # sessions' replies (see LlmSlot.prefill).
        self._prefills_needed = threading.Event()
        self._closing = threading.Event()
        self._reply_watch: asyncio.Task[None] | None = None
        self._speculation: asyncio.Task[_Speculation] | None = None
        self._turn_task: asyncio.Task[None] | None = None
        self._barge_in: _BargeInCandidate | None = None
        self._speech_started_at: float | None = None
        # Where in the current utterance (samples) its words were last read ahead.
        self._read_ahead_at = 0
        self._echo = EchoDetector()
        self._echo_resampler = StreamResampler(OUTPUT_RATE, SAMPLE_RATE, np.float32)
        media = setup.generation_config.media_resolution
        self._vision = runtime.vision.open_session(
            VisionResolution.parse(media.value if media is not None else None),
            may_run=self._vision_may_run,
            on_error=lambda error: self._fail(invalid_argument(f"Invalid image: {error}")),
            on_update=self._on_seen_update,
        )
        self._last_reply_end: float | None = None
        affective = setup.generation_config.enable_affective_dialog
        proactive = setup.proactivity.proactive_audio
        self._analyzer: asyncio.Task[TurnAnalyzer] | None = (
            asyncio.create_task(self._make_analyzer(affective, proactive, client_instruction))
            if affective or proactive
            else None
        )
        # Set when the session must end because of an error raised outside ``handle``.
        self.failure: asyncio.Future[ProtocolError] = asyncio.get_running_loop().create_future()
        self._prefill_next_turn()
        metrics.ACTIVE_SESSIONS.inc()

    # --- client messages ---------------------------------------------------------------------

    async def handle(self, message: ClientMessage) -> None:
        match message:
            case ClientContent():
                await self._on_client_content(message)
            case RealtimeInput():
                await self._on_realtime_input(message)
            case ToolResponse():
                await self._on_tool_response(message)
            case ContextUpdate():
                self._on_context_update(message)
            case SetupMessage():
                raise invalid_argument("setup must be sent only once, as the first message.")

    async def _on_client_content(self, message: ClientContent) -> None:
        where = "client_content.turns"
        images = [image for turn in message.turns for image in _images_of(turn, where)]
        texts = [(turn.role, _text_of(_without_images(turn), where)) for turn in message.turns]
        await self._interrupt_reply("client_content")
        for image in images:
            self._submit_frame(image)
        for role, text in texts:
            if text:
                self._history.append(ChatMessage("assistant" if role in _MODEL_ROLES else "user", text))
        if message.turn_complete and not self.setup.initial_history_in_client_content:
            if images:
                await self._settle_vision(None, _QUESTION_IMAGE_SETTLE_SECONDS)
            await self._respond(TurnTimeline(end_of_turn=time.monotonic()))

    async def _on_realtime_input(self, message: RealtimeInput) -> None:
        if message.video is not None:
            self._submit_frame(message.video)
        if message.activity_start or message.activity_end:
            if not self._manual_activity:
                raise invalid_argument("activity_start/activity_end need automatic_activity_detection.disabled = true.")
            if message.activity_start:
                await self._on_activity_start()
        if message.audio is not None:
            await self._on_audio(message.audio)
        if message.activity_end:
            self._on_activity_end()
        if message.audio_stream_end and not self._manual_activity:
            ended = await self._voice.flush()
            if ended is not None:
                self._on_turn_end(ended)
        if message.text is not None:
            await self._interrupt_reply("text")
            self._history.append(ChatMessage("user", message.text))
            await self._respond(TurnTimeline(end_of_turn=time.monotonic()))

    async def _on_tool_response(self, message: ToolResponse) -> None:
        resolved = [(self._tool_book.resolve(response), response) for response in message.function_responses]
        for pending, response in resolved:
            if pending.blocking:
                self._blocking_results.append((pending.call, response))
            else:
                await self._on_background_result(pending.call, response)
        if self._blocking_results and not self._tool_book.blocking_pending:
            results, self._blocking_results = self._blocking_results, []
            timeline = self._tool_turn or TurnTimeline(end_of_turn=time.monotonic())
            self._tool_turn = None
            self._add_note(results_note(results))
            await self._start_reply(timeline)

    async def _on_background_result(self, call: FunctionCall, response: FunctionResponse) -> None:
        """A NON_BLOCKING call's result, handled as its ``scheduling`` asks."""
        scheduling = response.scheduling or FunctionResponseScheduling.WHEN_IDLE
        note = results_note([(call, response)])
        if scheduling is FunctionResponseScheduling.SILENT:
            self._history.append(ChatMessage("user", f"(For context only, no reply needed: {note})"))
            return
        if scheduling is FunctionResponseScheduling.INTERRUPT:
            await self._interrupt_reply("tool_response", cancel_calls=False)
            self._history.append(ChatMessage("user", note))
            await self._start_reply(TurnTimeline(end_of_turn=time.monotonic()))
            return

        async def when_idle() -> None:
            if self._reply_watch is not None:
                await asyncio.shield(self._reply_watch)
            self._history.append(ChatMessage("user", note))
            await self._start_reply(TurnTimeline(end_of_turn=time.monotonic()))

        task = asyncio.create_task(when_idle())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _on_context_update(self, message: ContextUpdate) -> None:
        if message.system_instruction is not None:
            self._system_instruction = _text_of(message.system_instruction, "context_update.system_instruction")
        if message.tools is not None:
            self._declarations = engine_declarations(message.tools)
            self._tool_book.declare(message.tools)
            self._voice.declare_tools(self._declarations)

    # --- function calls ----------------------------------------------------------------------

    def _add_note(self, note: str) -> None:
        """Tell the LLM something about the user's last turn (a function result, say)."""
        if self._history and self._history[-1].role == "user":
            self._history[-1] = ChatMessage("user", f"{self._history[-1].content}\n\n{note}")
        else:
            self._history.append(ChatMessage("user", note))

    async def _plan_calls(self, text: str, pending: bool = False) -> list[PlannedCall]:
        """The calls ``text`` asks for. ``pending``: the text is not in the history yet (a guess at a pause)."""
        planner = await self._runtime.tool_planner()
        earlier = self._history if pending else self._history[:-1]
        request = PlanningRequest(
            text=text,
            declarations=self._declarations,
            now=datetime.now().astimezone(),
            context=tuple(earlier[-(_PLANNER_CONTEXT_MESSAGES - 1) :]),
        )
        return await self._runtime.run(self._runtime.tools_executor, lambda: planner.plan(request, threading.Event()))

    async def _respond(
        self, timeline: TurnTimeline, style: ReplyStyle | None = None, planned: list[PlannedCall] | None = None
    ) -> None:
        """Answer the user's last turn: with function calls when the request needs them, else in words.

        ``planned``: the calls already planned for these words (at a pause), if any were.
        """
        self._turn_calls = []
        if self._declarations:
            if planned is None:
                planned = await self._plan_calls(self._last_user_text())
            if planned:
                issued = self._tool_book.issue(planned)
                self._turn_calls = [item.call.id for item in issued]
                self._outbox(ServerMessage(ToolCall(tuple(item.call for item in issued))))
                timeline.mark("tool_call")
                if any(item.blocking for item in issued):
                    self._tool_turn = timeline  # the reply waits for the client's results
                    return
                self._add_note(started_note(issued))
        await self._start_reply(timeline, style)

    def _cancel_turn_calls(self) -> None:
        """The turn was interrupted: its calls still running are called off."""
        ids = tuple(call_id for call_id in self._turn_calls if call_id in self._tool_book.pending)
        self._turn_calls = []
        for call_id in ids:
            self._tool_book.pending.pop(call_id)
        if ids:
            self._outbox(ServerMessage(ToolCallCancellation(ids)))
        if self._tool_turn is not None:
            self._tool_turn = None
            self._blocking_results.clear()
            self._send(ServerContent(interrupted=True))
            self._send(ServerContent(turn_complete=True))

    # --- how the user sounds, and whether they are talking to us -------------------------------

    async def _make_analyzer(self, affective: bool, proactive: bool, instruction: str) -> TurnAnalyzer:
        return TurnAnalyzer(
            estimator=await self._runtime.emotion_estimator() if affective else None,
            detector=await self._runtime.directedness_detector() if proactive else None,
            assistant_names=assistant_names(instruction),
        )

    def _face_cues(self) -> FaceCues | None:
        camera = self._vision.context.camera
        if camera is None or not camera.faces or time.monotonic() - camera.at > _FACE_CUES_MAX_AGE_S:
            return None
        face = camera.faces[0]
        return FaceCues(
            smile=None if face.smiling is None else float(face.smiling),
            gaze_away=1.0 if face.pose is FacePose.TURNED else 0.0,
        )

    def _conversation_state(self) -> ConversationState:
        screen = self._vision.context.screen
        last_assistant = next((m.content for m in reversed(self._history) if m.role == "assistant"), "")
        return ConversationState(
            seconds_since_assistant=None if self._last_reply_end is None else time.monotonic() - self._last_reply_end,
            previous_assistant_text=last_assistant,
            screen_share_active=screen is not None and time.monotonic() - screen.at < _SCREEN_SHARE_ACTIVE_S,
        )

    async def _analyze(self, text: str, audio: np.ndarray | None) -> TurnSignals | None:
        """Emotion and directedness of a finished user turn; None when both features are off."""
        if self._analyzer is None:
            return None
        # Shielded: a speculation cancelled while the analyzer is still being made must not cancel it.
        analyzer = await asyncio.shield(self._analyzer)
        state, face = self._conversation_state(), self._face_cues()
        signals = await self._runtime.run(
            self._runtime.analysis_executor, lambda: analyzer.analyze(text, audio, state, face)
        )
        log.info("session %s turn signals: %s", self.session_id, json.dumps(signals.log_record()))
        metrics.observe_turn_signals(signals.metrics())
        return signals

    def _remember(self, signals: TurnSignals) -> None:
        """Let the analyzer learn from a finished turn's signals (off the event loop; nothing waits for it)."""
        analyzer = self._analyzer
        if analyzer is not None and analyzer.done() and not analyzer.cancelled() and analyzer.exception() is None:
            self._runtime.analysis_executor.submit(analyzer.result().remember, signals)

    # --- video in ----------------------------------------------------------------------------

    def _submit_frame(self, blob: Blob) -> None:
        try:
            self._vision.submit(blob.data, blob.mime_type)
            metrics.VIDEO_FRAMES.labels("received").inc()
        except FrameDecodeError as error:
            raise invalid_argument(f"Invalid image: {error}") from None

    def _on_seen_update(self) -> None:
        """A frame was read. If the short description changed, evaluate it ahead of the next turn,
        unless something is going on (a reply, speech, other slot work): a reply evaluates it itself."""
        metrics.VIDEO_FRAMES.labels("read").inc()
        idle = (
            (self._reply is None or self._reply.task.done())
            and not self._voice.tracker.user_speaking
            and (self._slot_work is None or self._slot_work.done())
        )
        if idle and self._next_user_start() != self._prefilled_start:
            self._prefill_next_turn()

    def _vision_may_run(self) -> bool:
        # Reading frames waits while a reply is being generated and spoken.
        return self._reply is None or self._reply.task.done()

    async def _settle_vision(self, question: str | None, bound_seconds: float = _VISION_SETTLE_SECONDS) -> None:
        """Before answering a question about what is seen, let a frame that just arrived be read.

        Other turns do not wait: with a screen shared at 1 fps a frame is nearly always in reading.
        ``question`` None: wait regardless (an image came with the question itself).
        """
        if question is not None and classify_question(question) is None:
            return
        if self._vision.context.frames_received:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._vision.settle(), bound_seconds)

    # --- speech in ---------------------------------------------------------------------------

    async def _on_audio(self, blob: Blob) -> None:
        audio = self._voice.decode(blob)
        if self._manual_activity:
            if self._manual_audio is not None:
                self._manual_audio.append(audio)
            return  # outside activityStart/End the audio is not part of any turn
        for event in await self._voice.track(audio):
            self._on_turn_event(event)
        if self._barge_in is not None and self._barge_in.decided is BargeIn.WAIT:
            await self._judge_barge_in()
        self._maybe_read_ahead()

    def _maybe_read_ahead(self) -> None:
        """Every ``_READ_AHEAD_EVERY_S`` of speech, when nothing else is going on, transcribe what the
        user has said so far and evaluate those words into the prompt: at the end of the turn the
        words check and the reply then evaluate only the last few words."""
        activity = self._voice.tracker.activity
        samples = activity.utterance_samples
        if (
            samples < _READ_AHEAD_FROM_S * SAMPLE_RATE
            or samples - self._read_ahead_at < _READ_AHEAD_EVERY_S * SAMPLE_RATE
            or activity.silence_ms > 0
            or self._speculation is not None
            or (self._reply is not None and not self._reply.task.done())
            or (self._slot_work is not None and not self._slot_work.done())
            or self._runtime.read_ahead.locked()
            or self._runtime.cpu_load.cores() > _READ_AHEAD_MAX_BUSY_CORES
        ):
            return
        self._read_ahead_at = samples
        audio = activity.utterance_audio()
        task = asyncio.create_task(self._read_ahead(audio, activity.speech_end_sample))
        task.add_done_callback(self._log_failure)

    async def _read_ahead(self, audio: np.ndarray, speech_end_sample: int) -> None:
        async with self._runtime.read_ahead:
            text = (await self._voice.transcribe(audio, final=False, urgency=Urgency.AHEAD)).text.strip()
        words = text.split()[:-1]  # the last word may have been cut off
        activity = self._voice.tracker.activity
        # Worth it only while that utterance goes on and nothing has taken the slot since.
        if (
            len(words) < 2
            or not activity.speaking
            or activity.speech_end_sample < speech_end_sample
            or self._speculation is not None
            or (self._slot_work is not None and not self._slot_work.done())
        ):
            metrics.READ_AHEAD.labels("dropped").inc()
            return
        messages = [ChatMessage("system", self._system_instruction), *self._history]
        user_start = self._chat_messages(" ".join(words))[-1].content
        self._queue_prefill(messages, user_start)
        metrics.READ_AHEAD.labels("evaluated").inc()

    def _on_turn_event(self, event: TurnEvent) -> None:
        match event:
            case UserSpeechStarted():
                self._on_speech_started(event)
            case UserPaused():
                self._on_pause(event)
            case UserResumed():
                self._drop_speculation()
            case UserTurnEnded():
                self._on_turn_end(event)

    def _on_speech_started(self, event: UserSpeechStarted) -> None:
        self._speech_started_at = time.monotonic()
        self._read_ahead_at = 0
        self._voice.new_utterance()
        reply = self._reply
        if reply is not None and not reply.stopped and reply.is_playing() and self._interruptible:
            self._barge_in = _BargeInCandidate(start_sample=event.start_sample)
        else:
            self._barge_in = None

    async def _judge_barge_in(self) -> None:
        candidate = self._barge_in
        reply = self._reply
        if candidate is None:
            return
        if reply is None or reply.stopped or not reply.is_playing():
            self._barge_in = None  # the reply ended by itself: this is simply the next turn
            return
        activity = self._voice.tracker.activity
        speech_s = (activity.position - candidate.start_sample) / SAMPLE_RATE
        utterance = activity.utterance_audio()
        if candidate.echo_similarity is None and speech_s >= _ECHO_CHECK_AFTER_S:
            candidate.echo_similarity = await self._runtime.run(
                self._runtime.listen_executor, lambda: self._echo.similarity(utterance)
            )
        if candidate.transcription is None and speech_s >= _BARGE_IN_ASR_AFTER_S:
            candidate.transcription = asyncio.create_task(self._transcribe_barge_in(candidate, utterance))
        decision = judge_barge_in(
            speech_s, candidate.echo_similarity or 0.0, candidate.text, reply.sent_text, still_speaking=True
        )
        self._apply_barge_in(candidate, decision)

    async def _transcribe_barge_in(self, candidate: _BargeInCandidate, audio: np.ndarray) -> None:
        update = await self._voice.transcribe(audio, final=False)
        candidate.text = update.text
        if candidate is self._barge_in and candidate.decided is BargeIn.WAIT:
            await self._judge_barge_in()

    def _apply_barge_in(self, candidate: _BargeInCandidate, decision: BargeIn) -> None:
        if candidate.decided is not BargeIn.WAIT or decision is BargeIn.WAIT:
            return
        candidate.decided = decision
        if decision is BargeIn.INTERRUPT:
            self._stop_reply("barge_in")
            self._cancel_turn_calls()
        else:
            log.info("session %s: speech during reply ignored (%r)", self.session_id, candidate.text)

    def _on_pause(self, event: UserPaused) -> None:
        self._voice.transcriber.note_pause(event.audio.size)
        if self._barge_in is not None and self._barge_in.decided is not BargeIn.INTERRUPT:
            return  # speech over a reply, not (yet) taken as a request: nothing to speculate on
        self._drop_speculation()
        self._speculation = asyncio.create_task(self._speculate(event))

    async def _speculate(self, event: UserPaused) -> _Speculation:
        timeline = TurnTimeline(speech_end=time.monotonic() - self._voice.tracker.activity.silence_ms / 1000)
        update = await self._voice.transcribe(event.audio, final=False)
        timeline.mark("transcript")
        text = update.text.strip()
        if text:
            self._hear_words(text, event.speech_end_sample)
        reply = signals = calls = None
        if text and (self._reply is None or self._reply.task.done()):
            signals = await self._analyze(text, event.audio)
            if signals is None or signals.answer:
                declarations = self._declarations
                calls = await self._plan_calls(text, pending=True) if declarations else None
                if not calls and declarations is self._declarations:
                    await self._settle_vision(text)
                    style = signals.reply_style if signals is not None else None
                    reply = self._create_reply(text, held=True, timeline=timeline, style=style)
        return _Speculation(event.audio.size, text, signals, reply, calls)

    def _hear_words(self, text: str, speech_end_sample: int) -> None:
        """Ask the LLM whether ``text`` is a finished message, for the end-of-turn decision (see
        turns.py). The prompt it evaluates is the reply's, so a reply to these words reuses it."""
        messages = self._chat_messages(text)
        tracker = self._voice.tracker

        def tell_tracker(judged: asyncio.Task[float | None]) -> None:
            if not judged.cancelled() and judged.exception() is None and (probability := judged.result()) is not None:
                tracker.hear_words(speech_end_sample, probability)

        self._need_prefills()
        judging = self._queue_slot_work(lambda: self._slot.message_end_probability(messages, self._closing))
        judging.add_done_callback(tell_tracker)

    def _drop_speculation(self) -> None:
        speculation, self._speculation = self._speculation, None
        _abandon(speculation)

    def _on_turn_end(self, event: UserTurnEnded) -> None:
        log.info(
            "session %s: turn ended (%s) after %.0f ms of silence; turn model %s, words %s",
            self.session_id,
            event.reason.value,
            event.silence_ms,
            _rounded(event.completion_probability),
            _rounded(event.words_probability),
        )
        speculation, self._speculation = self._speculation, None
        # Speech over a reply that was not taken as a request is judged again whole at its end.
        candidate, self._barge_in = self._barge_in, None
        speech_end = time.monotonic() - event.silence_ms / 1000
        self._queue_voice_turn(event.audio, speech_end, speculation, candidate)

    async def _on_activity_start(self) -> None:
        if self._interruptible:
            await self._interrupt_reply("activity_start")
        self._voice.new_utterance()
        self._manual_audio = []

    def _on_activity_end(self) -> None:
        chunks, self._manual_audio = self._manual_audio, None
        if not chunks:
            return
        self._queue_voice_turn(np.concatenate(chunks), time.monotonic(), None, None)

    def _queue_voice_turn(
        self,
        audio: np.ndarray,
        speech_end: float,
        speculation: asyncio.Task[_Speculation] | None,
        candidate: _BargeInCandidate | None,
    ) -> None:
        """Finish a voice turn after the one before it: turns are answered in the order spoken."""
        previous = self._turn_task

        async def in_order() -> None:
            if previous is not None:
                await asyncio.wait([previous])
            await self._complete_voice_turn(audio, speech_end, speculation, candidate)

        self._turn_task = asyncio.create_task(in_order())

    async def _complete_voice_turn(
        self,
        audio: np.ndarray,
        speech_end: float,
        speculation: asyncio.Task[_Speculation] | None,
        candidate: _BargeInCandidate | None,
    ) -> None:
        try:
            timeline = TurnTimeline(speech_end=speech_end)
            timeline.mark("end_of_turn")
            guess = await self._speculation_result(speculation)
            if guess is not None and guess.audio_samples == audio.size:
                # Nothing was said since the pause: its transcript, signals, calls and held reply stand.
                text, signals, held, calls = guess.text, guess.signals, guess.reply, guess.calls
            else:
                _abandon(speculation)
                text = (await self._voice.transcribe(audio, final=True)).text.strip()
                signals = await self._analyze(text, audio) if text else None
                held = calls = None
            timeline.mark("transcript")
            spoken = self._reply.sent_text if self._reply is not None else ""
            if candidate is not None and candidate.decided is not BargeIn.INTERRUPT:
                # Speech that began during a reply and was not judged a request while it went on.
                duration = audio.size / SAMPLE_RATE
                decision = judge_barge_in(duration, candidate.echo_similarity or 0.0, text, spoken)
                if decision is BargeIn.IGNORE or is_backchannel(text, duration):
                    _abandon(speculation)
                    log.info("session %s: backchannel or echo ignored: %r", self.session_id, text)
                    return
            if not text:
                _abandon(speculation)
                return
            if self._only_calls_openlive(text):
                _abandon(speculation)
                self._called_by = f"{self._called_by} {text}".strip()
                return
            if self._called_by:
                # The request after a bare "Assistant,": one turn, name included. A reply held for
                # the words alone is dropped (a held reply never released would hold up every later one).
                _abandon(speculation)
                text, self._called_by = f"{self._called_by} {text}", ""
                held, signals, calls = None, await self._analyze(text, audio), None
            if signals is not None:
                self._remember(signals)
            if self._interruptible:
                await self._interrupt_reply("user_turn")
            elif self._reply_watch is not None:
                await asyncio.shield(self._reply_watch)
            if self.setup.input_audio_transcription is not None:
                self._send(ServerContent(input_transcription=Transcription(text, finished=True)))
            if signals is not None and not signals.answer:
                # Proactive audio: not meant for us. Transcribed, not answered; the turn just ends.
                _abandon(speculation)
                self._send(ServerContent(turn_complete=True))
                return
            self._history.append(ChatMessage("user", text))
            if held is not None and not held.stopped:
                held.timeline.end_of_turn = timeline.end_of_turn
                self._adopt_reply(held)
                held.release()
            else:
                await self._respond(timeline, signals.reply_style if signals is not None else None, calls)
        except ProtocolError as error:
            self._fail(error)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("voice turn failed in session %s", self.session_id)
            self._fail(internal_error())

    def _only_calls_openlive(self, text: str) -> bool:
        words = "".join(ch if ch.isalnum() or ch == "'" else " " for ch in text.lower()).split()
        return (
            bool(words)
            and any(w in self._names for w in words)
            and all(w in self._names or w in _CALLING_WORDS for w in words)
        )

    @staticmethod
    async def _speculation_result(speculation: asyncio.Task[_Speculation] | None) -> _Speculation | None:
        if speculation is None:
            return None
        await asyncio.wait([speculation])
        if speculation.cancelled() or speculation.exception() is not None:
            return None
        return speculation.result()

    # --- replies -----------------------------------------------------------------------------

    def _last_user_text(self) -> str:
        return next((message.content for message in reversed(self._history) if message.role == "user"), "")

    def _chat_messages(self, pending_user: str | None = None, style: ReplyStyle | None = None) -> list[ChatMessage]:
        """System, history and the user's new words, with what is seen and how to answer put before them.

        This turn's context goes into the last user message only (not the system message), so
        the cached prompt prefix of earlier turns stays valid while the screen or mood changes.
        """
        messages = [ChatMessage("system", self._system_instruction), *self._history]
        if pending_user is not None:
            messages.append(ChatMessage("user", pending_user))
        notes = [self._seen_note(messages[-1].content)]
        if style is not None and style.instruction:
            notes.append(style.instruction)
        if any(notes) and messages[-1].role == "user":
            messages[-1] = ChatMessage("user", "\n\n".join([*filter(None, notes), messages[-1].content]))
        return messages

    def _seen_note(self, question: str) -> str:
        """What is seen, put before the user's words: in full when they ask about it, else in short.

        The short form leaves out how old each observation is, so it stays the same while the screen
        does and can be evaluated before the user speaks (see :meth:`_prefill_next_turn`).
        """
        if classify_question(question) is not None:
            seen = self._vision.context.describe()
        else:
            seen = self._vision.context.describe(ages=False)
            if len(seen) > _SEEN_SUMMARY_CHARACTERS:
                seen = seen[:_SEEN_SUMMARY_CHARACTERS].rsplit(" ", 1)[0] + " …"
        return f"What you can see right now:\n{seen}" if seen else ""

    def _next_user_start(self) -> str:
        """How the next user message will open, as far as is known before the user speaks."""
        note = self._seen_note("")
        return f"{note}\n\n" if note else ""

    def _speech_settings(self, style: ReplyStyle | None) -> SpeechSettings | None:
        if self._modality is not Modality.AUDIO:
            return None
        return SpeechSettings(
            tts=self._runtime.tts_for(self._language),
            prosody=style.prosody if style is not None else NORMAL_PROSODY,
            language=self._language,
            transcribe=self.setup.output_audio_transcription is not None,
        )

    def _create_reply(
        self, pending_user: str | None, held: bool, timeline: TurnTimeline, style: ReplyStyle | None
    ) -> Reply:
        """A reply to the user's latest words: grounded in what is seen when asked about it, else the LLM's."""
        question = pending_user if pending_user is not None else self._last_user_text()
        self._need_prefills()
        reply = Reply(
            self._runtime,
            self._slot,
            self._chat_messages(pending_user, style),
            self._sampling,
            self._send,
            self._speech_settings(style),
            held=held,
            timeline=timeline,
            on_playback=self._remember_playback,
            after=self._slot_work,
            planned_text=answer_visual_question(question, self._vision.context),
            max_sentences=style.max_sentences if style is not None else None,
        )
        self._slot_work = reply.generation_done
        return reply

    async def _start_reply(self, timeline: TurnTimeline, style: ReplyStyle | None = None) -> None:
        """Answer the history's last user turn. ``style``: from the voice turn's analysis, if any."""
        if style is None:
            signals = await self._analyze(self._last_user_text(), None)
            style = signals.reply_style if signals is not None else None
        await self._settle_vision(self._last_user_text())
        self._adopt_reply(self._create_reply(None, held=False, timeline=timeline, style=style))

    def _prefill_next_turn(self, reply_text: str | None = None) -> None:
        """While the user is silent, evaluate the prompt up to where their next words will go.

        ``reply_text``: the reply the history will end with, for a prefill made while its audio is
        still going out (the history gets it only when the reply ends)."""
        messages = [ChatMessage("system", self._system_instruction), *self._history]
        if reply_text is not None:
            messages.append(ChatMessage("assistant", reply_text))
        self._prefilled_start = self._next_user_start()
        self._queue_prefill(messages, self._prefilled_start)

    def _queue_prefill(self, messages: list[ChatMessage], user_start: str) -> None:
        """Evaluate ``messages`` and the start of the next user message on the slot, after its other work."""
        needed = self._prefills_needed
        self._queue_slot_work(lambda: self._slot.prefill(messages, self._closing, user_start, needed))

    def _need_prefills(self) -> None:
        self._prefills_needed.set()
        self._prefills_needed = threading.Event()

    def _queue_slot_work(self, work: Callable[[], T]) -> asyncio.Task[T]:
        """Run ``work`` on the LLM executor once the slot's earlier work has let go of the slot."""
        previous = self._slot_work

        async def after_previous() -> T:
            if previous is not None:
                await asyncio.wait([previous])
            return await self._runtime.run(self._runtime.llm_executor, work)

        task = asyncio.create_task(after_previous())
        task.add_done_callback(self._log_failure)
        self._slot_work = task
        return task

    def _log_failure(self, task: asyncio.Task[Any]) -> None:
        # Only head starts and hints: the reply that follows does whatever they did not.
        if not task.cancelled() and task.exception() is not None:
            log.warning("session %s: background work failed: %r", self.session_id, task.exception())

    def _adopt_reply(self, reply: Reply) -> None:
        self._reply = reply
        self._echo.clear()
        self._reply_watch = asyncio.create_task(self._finish_reply(reply))

    def _remember_playback(self, frame: np.ndarray) -> None:
        audio = np.asarray(self._echo_resampler.process(frame.astype(np.float32) / 32768.0), dtype=np.float32)
        self._echo.add_playback(audio)

    async def _finish_reply(self, reply: Reply) -> None:
        ends: list[asyncio.Future[Any]] = [reply.generation_done, reply.task]
        await asyncio.wait(ends, return_when=asyncio.FIRST_COMPLETED)
        if not reply.task.done() and not reply.stopped and self._slot_work is reply.generation_done:
            # The LLM is free while the audio goes out: get the next turn's prompt ready now.
            self._prefill_next_turn(reply.generated_text.strip())
        try:
            result = await reply.task
        except ContextOverflowError:
            self._fail(invalid_argument("The conversation no longer fits the model's context window."))
            return
        except Exception:
            log.exception("reply failed in session %s", self.session_id)
            self._fail(internal_error())
            return
        said = result.sent_text if result.interrupted else result.generated_text
        self._history.append(ChatMessage("assistant", said.strip()))
        if self._slot_work is reply.generation_done:
            self._prefill_next_turn()
        self._last_reply_end = time.monotonic()
        self._observe(reply.timeline, result.stats)
        if not result.interrupted:
            self._turn_calls = []  # the turn completed: its background calls run on
            self._send(ServerContent(generation_complete=True))
            self._send(ServerContent(turn_complete=True), self._usage(result))

    def _stop_reply(self, cause: str) -> None:
        """Interrupt the reply now: the client hears of it at once, the models wind down after."""
        reply = self._reply
        # Once the reply has sent turnComplete, the client has its whole answer: nothing to stop.
        if reply is None or reply.stopped or reply.task.done():
            return
        reply.interrupt()
        metrics.INTERRUPTIONS.labels(cause).inc()
        self._send(ServerContent(interrupted=True))
        self._send(ServerContent(turn_complete=True))

    async def _interrupt_reply(self, cause: str, cancel_calls: bool = True) -> None:
        """Stop the reply in progress, if any, and wait until its history entry is written."""
        self._stop_reply(cause)
        if cancel_calls:
            self._cancel_turn_calls()
        if self._reply_watch is not None:
            await asyncio.shield(self._reply_watch)

    def _send(self, content: ServerContent, usage: UsageMetadata | None = None) -> None:
        self._outbox(ServerMessage(content, usage))

    def _usage(self, result: ReplyResult) -> UsageMetadata:
        stats = result.stats
        modality = Modality.TEXT if self._modality is Modality.TEXT else Modality.AUDIO
        return UsageMetadata(
            prompt_token_count=stats.prompt_tokens,
            cached_content_token_count=stats.cached_tokens,
            response_token_count=stats.completion_tokens,
            prompt_tokens_details=(ModalityTokenCount(Modality.TEXT, stats.prompt_tokens),),
            response_tokens_details=(ModalityTokenCount(modality, stats.completion_tokens),),
        )

    def _observe(self, timeline: TurnTimeline, stats: GenerationStats) -> None:
        stages = timeline.relative_ms()
        if not stages:
            return
        for stage, milliseconds in stages.items():
            metrics.TURN_STAGE_SECONDS.labels(stage).observe(milliseconds / 1000)
        log.info(
            "session %s turn stages (ms after end of speech/input): %s; prompt %d tokens, %d evaluated",
            self.session_id,
            stages,
            stats.prompt_tokens,
            stats.prompt_tokens - stats.cached_tokens,
        )

    def _fail(self, error: ProtocolError) -> None:
        if not self.failure.done():
            self.failure.set_result(error)

    async def close(self) -> None:
        self._closing.set()
        self._drop_speculation()
        if self._turn_task is not None:
            self._turn_task.cancel()
        if self._analyzer is not None:
            self._analyzer.cancel()
        for task in self._background:
            task.cancel()
        self._stop_reply("session_closed")
        if self._reply_watch is not None:
            with contextlib.suppress(BaseException):
                await self._reply_watch
        self._slot.close()
        await self._vision.close()
        metrics.VIDEO_FRAMES.labels("dropped").inc(self._vision.context.frames_dropped)
        metrics.ACTIVE_SESSIONS.dec()
