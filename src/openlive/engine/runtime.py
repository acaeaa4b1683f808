"""Models loaded once per process and the executors they run on, shared by every session.

Each model engine runs single-threaded (see design.md: on 2 cores, engines with several
threads each slow everything down); concurrency comes from the executors below, one per
kind of work, so a long LLM generation never queues speech detection behind it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import threadpoolctl

from openlive.backends import registry
from openlive.backends.asr.base import Asr
from openlive.backends.embedder.base import Embedder
from openlive.backends.llm.base import Llm
from openlive.backends.tts.base import Tts
from openlive.backends.turn.base import TurnModel
from openlive.backends.vad.base import Vad
from openlive.engine.affect.estimator import EmotionEstimator
from openlive.engine.proactivity.detector import DirectednessDetector
from openlive.engine.threads import PriorityExecutor, Urgency
from openlive.engine.tools.planner import EmbeddedToolPlanner, LlmToolPlanner, ToolPlanner
from openlive.engine.vision import VisionEngine

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class RuntimeOptions:
    llm_backend: str = "llama-cpp"
    llm_options: dict[str, Any] = field(default_factory=dict)
    vad_backend: str = "silero"
    asr_backend: str = "whisper-base"
    asr_options: dict[str, Any] = field(default_factory=dict)
    # "embedded" (embeddings and rules, the LLM choosing among close candidates) or "llm".
    tool_planner: str = "embedded"
    tts_backend: str = "piper"
    # Speaks the languages the main TTS voice lacks.
    fallback_tts_backend: str = "espeak-ng"
    turn_backend: str | None = "smart-turn-v3"
    ocr_backend: str = "rapidocr"
    face_backend: str = "opencv-cascade"
    # Sentence embeddings for tools, affect and proactivity; loaded after the server is healthy.
    embedder_backend: str = "minilm"
    # Sessions generating at once; each generation holds one executor thread while it streams.
    max_concurrent_generations: int = 8


class CpuLoad:
    """How many cores this process kept busy lately: its CPU time over wall time, per ``window_s``."""

    def __init__(self, window_s: float = 1.0) -> None:
        self._window_s = window_s
        self._since = time.monotonic()
        self._cpu_since = time.process_time()
        self._cores = 0.0

    def cores(self) -> float:
        now, cpu = time.monotonic(), time.process_time()
        if now - self._since >= self._window_s:
            self._cores = (cpu - self._cpu_since) / (now - self._since)
            self._since, self._cpu_since = now, cpu
        return self._cores


class Runtime:
    """Owns the shared models. ``ready`` is set once they are loaded; ``load_error`` if that failed."""

    def __init__(self, options: RuntimeOptions) -> None:
        self.options = options
        # numpy's OpenBLAS starts a thread per core and leaves it spinning after each call. Whisper's
        # features call it just before the encoder, which then ran at half speed: 85 ms instead of 44
        # for 5 s of audio (measured). Every matrix product here is small; one thread is enough.
        threadpoolctl.threadpool_limits(limits=1, user_api="blas")
        self.llm_executor = ThreadPoolExecutor(options.max_concurrent_generations, thread_name_prefix="llm")
        # VAD frames and the end-of-turn model, in audio order per session.
        self.listen_executor = ThreadPoolExecutor(2, thread_name_prefix="listen")
        # Transcripts someone waits for (at a pause, at the end of a turn) go before reads ahead.
        self.asr_executor = PriorityExecutor(2, thread_name_prefix="asr")
        # A reply's first phrase goes before other replies' later ones.
        self.tts_executor = PriorityExecutor(2, thread_name_prefix="tts")
        # Per-turn analysis (emotion, directedness) and tool planning.
        self.analysis_executor = ThreadPoolExecutor(2, thread_name_prefix="analysis")
        # The tool planner keeps one LLM slot for its choices: one plan at a time.
        self.tools_executor = ThreadPoolExecutor(1, thread_name_prefix="tools")
        # Reading a speaker's words ahead (see Session) is a head start, not a need: one at a time in
        # the process, and only while it is mostly idle. With 8 sessions talking at once it otherwise
        # kept a core busy and doubled everyone's latency (p50 878 → 1529 ms, measured).
        self.read_ahead = asyncio.Lock()
        self.cpu_load = CpuLoad()
        self.ready = asyncio.Event()
        self.load_error: BaseException | None = None
        self.load_seconds: float | None = None
        self._models: dict[str, Any] = {}
        self._lazy: dict[str, asyncio.Task[Any]] = {}

    def _model(self, kind: str) -> Any:
        try:
            return self._models[kind]
        except KeyError:
            raise RuntimeError(f"{kind} model is not loaded") from None

    @property
    def llm(self) -> Llm:
        llm: Llm = self._model("llm")
        return llm

    @property
    def vad(self) -> Vad:
        vad: Vad = self._model("vad")
        return vad

    @property
    def asr(self) -> Asr:
        asr: Asr = self._model("asr")
        return asr

    @property
    def tts(self) -> Tts:
        tts: Tts = self._model("tts")
        return tts

    @property
    def fallback_tts(self) -> Tts:
        tts: Tts = self._model("fallback_tts")
        return tts

    @property
    def turn_model(self) -> TurnModel | None:
        model: TurnModel | None = self._models.get("turn")
        return model

    @property
    def vision(self) -> VisionEngine:
        vision: VisionEngine = self._model("vision")
        return vision

    def _shared(self, name: str, create: Callable[[], Any]) -> asyncio.Future[Any]:
        """A model only some sessions need, made once, off the event loop.

        Shielded: a session that stops waiting for it (its turn was cancelled) must not cancel it
        for every other session.
        """
        if name not in self._lazy:
            # Its own thread: importing torch must not hold up speech detection.
            self._lazy[name] = asyncio.create_task(asyncio.to_thread(create))
        return asyncio.shield(self._lazy[name])

    async def embedder(self) -> Embedder:
        embedder: Embedder = await self._shared(
            "embedder", lambda: registry.create("embedder", self.options.embedder_backend)
        )
        return embedder

    async def emotion_estimator(self) -> EmotionEstimator:
        embedder = await self.embedder()
        estimator: EmotionEstimator = await self._shared("emotion", lambda: EmotionEstimator(embedder))
        return estimator

    async def directedness_detector(self) -> DirectednessDetector:
        embedder = await self.embedder()
        detector: DirectednessDetector = await self._shared("directedness", lambda: DirectednessDetector(embedder))
        return detector

    async def tool_planner(self) -> ToolPlanner:
        if self.options.tool_planner == "llm":
            llm_planner: ToolPlanner = await self._shared("tool_planner", lambda: LlmToolPlanner(self.llm))
            return llm_planner
        embedder = await self.embedder()
        planner: ToolPlanner = await self._shared("tool_planner", lambda: EmbeddedToolPlanner(embedder, self.llm))
        return planner

    def tts_for(self, language: str | None) -> Tts:
        """The main voice when it speaks ``language``, else the fallback engine."""
        if language is None or self.tts.supports_language(language):
            return self.tts
        return self.fallback_tts

    async def load(self) -> None:
        """Load every model in parallel on the executors they will run on."""
        started = time.perf_counter()
        options = self.options
        asr_executor, tts_executor = self.asr_executor.at(Urgency.NOW), self.tts_executor.at(Urgency.NOW)
        # Model → the executor it runs on, its backend kind and name, and the backend's options.
        backends: dict[str, tuple[Executor, str, str, dict[str, Any]]] = {
            "llm": (self.llm_executor, "llm", options.llm_backend, options.llm_options),
            "vad": (self.listen_executor, "vad", options.vad_backend, {}),
            "asr": (asr_executor, "asr", options.asr_backend, options.asr_options),
            "tts": (tts_executor, "tts", options.tts_backend, {}),
            "fallback_tts": (tts_executor, "tts", options.fallback_tts_backend, {}),
            "ocr": (self.listen_executor, "ocr", options.ocr_backend, {}),
            "face": (self.listen_executor, "face", options.face_backend, {}),
        }
        if options.turn_backend is not None:
            backends["turn"] = (self.listen_executor, "turn", options.turn_backend, {})
        loop = asyncio.get_running_loop()
        try:
            # Modules are imported one at a time: two threads importing one package at once can
            # deadlock (Python raised _DeadlockError on faster_whisper, imported by the VAD and the ASR).
            factories = await loop.run_in_executor(
                self.listen_executor, lambda: [registry.factory(kind, name) for _, kind, name, _ in backends.values()]
            )
            results = await asyncio.gather(
                *(
                    loop.run_in_executor(executor, functools.partial(factory, **backend_options))
                    for (executor, _, _, backend_options), factory in zip(backends.values(), factories, strict=True)
                )
            )
        except Exception as error:
            self.load_error = error
            log.exception("loading models failed")
            raise
        self._models = dict(zip(backends, results, strict=True))
        vision = VisionEngine(self._models["ocr"], self._models["face"])
        self._models["vision"] = vision
        self.load_seconds = time.perf_counter() - started
        log.info("models loaded in %.2f s (tool planner: %s)", self.load_seconds, options.tool_planner)
        self.ready.set()
        # OCR builds its sessions on first use; do that now, on the vision thread, at low priority.
        self._warm_up = asyncio.create_task(vision.warm_up())
        # Importing torch and building the embedding models takes seconds: start now, in the
        # background, so the first session that uses them need not wait.
        self._prepared = [
            asyncio.create_task(prepare())
            for prepare in (self.emotion_estimator, self.directedness_detector, self.tool_planner)
        ]

    async def run(self, executor: Executor, work: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(executor, work)

    def close(self) -> None:
        if "vision" in self._models:
            self.vision.close()
        executors = (self.llm_executor, self.listen_executor, self.asr_executor, self.tts_executor)
        for executor in (*executors, self.analysis_executor, self.tools_executor):
            executor.shutdown(wait=False, cancel_futures=True)
