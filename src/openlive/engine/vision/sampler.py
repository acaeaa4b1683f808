"""Latest-wins frame sampling: at most one frame waits, and work is skipped rather than queued.

Clients send about one frame a second, sometimes in bursts. The sampler keeps only the newest
unprocessed frame (an older one is dropped and counted), processes at ``rate_hz`` with a small
burst allowance, and holds off while ``may_run()`` says the CPU is needed for speech.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)

# How often a sampler held off by ``may_run`` looks again.
_GATE_POLL_SECONDS = 0.05


class LatestFrameSampler(Generic[T]):
    def __init__(
        self,
        process: Callable[[T], Awaitable[None]],
        rate_hz: float = 1.0,
        burst: int = 3,
        may_run: Callable[[], bool] | None = None,
    ) -> None:
        self._process = process
        self._rate = rate_hz
        self._burst = burst
        self._may_run = may_run
        self._tokens = float(burst)
        self._refilled_at = time.monotonic()
        self._pending: T | None = None
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        self.processed = 0
        self.dropped = 0

    def offer(self, item: T) -> None:
        """Hand in a frame; replaces (and drops) one that has not started processing yet."""
        if self._pending is not None:
            self.dropped += 1
        self._pending = item
        self._idle.clear()
        self._wake.set()
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="vision-sampler")

    async def idle(self) -> None:
        """Wait until the latest offered frame has been processed (or dropped)."""
        await self._idle.wait()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._pending = None
        self._idle.set()

    def _wait_for_token(self) -> float:
        """Seconds until a token is free; takes one and returns 0 when one is."""
        now = time.monotonic()
        self._tokens = min(float(self._burst), self._tokens + (now - self._refilled_at) * self._rate)
        self._refilled_at = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return 0.0
        return (1.0 - self._tokens) / self._rate

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending is not None:
                if self._may_run is not None and not self._may_run():
                    await asyncio.sleep(_GATE_POLL_SECONDS)
                    continue
                delay = self._wait_for_token()
                if delay > 0:
                    await asyncio.sleep(delay)
                    continue
                item, self._pending = self._pending, None
                try:
                    await self._process(item)
                    self.processed += 1
                except Exception:
                    log.exception("processing a video frame failed")
            self._idle.set()
