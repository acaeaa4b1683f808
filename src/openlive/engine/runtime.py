"""Models loaded once per process and the executors they run on, shared by every session."""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from openlive.backends import registry
from openlive.backends.llm.base import Llm

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RuntimeOptions:
    llm_backend: str = "llama-cpp"
    llm_options: dict[str, object] = field(default_factory=dict)
    # Sessions generating at once; each generation holds one executor thread while it streams.
    max_concurrent_generations: int = 8


class Runtime:
    """Owns the shared models. ``ready`` is set once they are loaded; ``load_error`` if that failed."""

    def __init__(self, options: RuntimeOptions) -> None:
        self.options = options
        self.llm_executor = ThreadPoolExecutor(options.max_concurrent_generations, thread_name_prefix="llm")
        self.ready = asyncio.Event()
        self.load_error: BaseException | None = None
        self.load_seconds: float | None = None
        self._llm: Llm | None = None

    @property
    def llm(self) -> Llm:
        if self._llm is None:
            raise RuntimeError("models are not loaded yet")
        return self._llm

    async def load(self) -> None:
        started = time.perf_counter()
        loop = asyncio.get_running_loop()
        try:
            self._llm = await loop.run_in_executor(
                self.llm_executor,
                lambda: registry.create("llm", self.options.llm_backend, **self.options.llm_options),
            )
        except Exception as error:
            self.load_error = error
            log.exception("loading models failed")
            raise
        self.load_seconds = time.perf_counter() - started
        log.info("models loaded in %.2f s", self.load_seconds)
        self.ready.set()

    def close(self) -> None:
        self.llm_executor.shutdown(wait=False, cancel_futures=True)
