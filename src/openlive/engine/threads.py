"""Bridges from blocking model code on executor threads to the event loop."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
from collections.abc import AsyncGenerator, Callable, Iterator
from concurrent.futures import Executor, Future
from enum import IntEnum
from typing import Any, ParamSpec, TypeVar

T = TypeVar("T")
P = ParamSpec("P")

_DONE = object()


async def iterate_in_thread(
    executor: Executor, produce: Callable[[], Iterator[T]], cancel: threading.Event
) -> AsyncGenerator[T, None]:
    """Run ``produce()`` on ``executor`` and yield its items on the event loop as they come.

    If the consumer stops early (or is cancelled), ``cancel`` is set so the producer can end
    promptly; a producer that ran to its end leaves ``cancel`` alone, so one event can serve
    several producers in turn. The producer's exception, if any, is re-raised here.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[object] = asyncio.Queue()

    def run() -> None:
        try:
            for item in produce():
                loop.call_soon_threadsafe(queue.put_nowait, item)
        except BaseException as error:  # handed to the consumer, which re-raises it
            loop.call_soon_threadsafe(queue.put_nowait, error)
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, _DONE)

    future = loop.run_in_executor(executor, run)
    finished = False
    try:
        while True:
            item = await queue.get()
            if item is _DONE:
                finished = True
                break
            if isinstance(item, BaseException):
                finished = True
                raise item
            yield item  # type: ignore[misc]
    finally:
        if not finished:
            cancel.set()
        await asyncio.shield(future)


class Urgency(IntEnum):
    """How soon a job on a :class:`PriorityExecutor` is needed: the lowest value runs first."""

    NOW = 0  # a user waits for it: the first audio of a reply, the transcript at a pause
    SOON = 1  # needed with time to spare: the next phrase while one plays
    AHEAD = 2  # a head start nobody waits for yet


class PriorityExecutor:
    """A thread pool that starts its most urgent queued job first (in submission order within one
    urgency). On 2 cores a first phrase must not queue behind other replies' later phrases."""

    def __init__(self, workers: int, thread_name_prefix: str) -> None:
        self._queue: list[tuple[int, int, Future[Any], Callable[[], Any]]] = []
        self._order = itertools.count()
        self._ready = threading.Condition()
        self._closed = False
        for index in range(workers):
            # Daemon threads: a runtime that is never closed must not keep the process alive.
            threading.Thread(target=self._work, name=f"{thread_name_prefix}_{index}", daemon=True).start()

    def at(self, urgency: Urgency) -> Executor:
        """An :class:`Executor` that submits here with ``urgency`` (for ``run_in_executor``)."""
        return _UrgencyView(self, urgency)

    def submit_at(self, urgency: Urgency, function: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        with self._ready:
            if self._closed:
                raise RuntimeError("cannot submit to a shut-down executor")
            heapq.heappush(self._queue, (urgency, next(self._order), future, function))
            self._ready.notify()
        return future

    def shutdown(self, wait: bool = False, *, cancel_futures: bool = False) -> None:
        """Stop taking jobs; queued ones still run unless ``cancel_futures``. ``wait`` is there for
        :meth:`ThreadPoolExecutor.shutdown`'s signature: running model calls cannot be cut short,
        and the workers are daemon threads, so this never waits."""
        with self._ready:
            self._closed = True
            if cancel_futures:
                for _, _, future, _ in self._queue:
                    future.cancel()
                self._queue.clear()
            self._ready.notify_all()

    def _work(self) -> None:
        while True:
            with self._ready:
                while not self._queue and not self._closed:
                    self._ready.wait()
                if not self._queue:
                    return
                _, _, future, function = heapq.heappop(self._queue)
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = function()
            except BaseException as error:  # handed to whoever waits on the future
                future.set_exception(error)
            else:
                future.set_result(result)


class _UrgencyView(Executor):
    def __init__(self, pool: PriorityExecutor, urgency: Urgency) -> None:
        self._pool = pool
        self._urgency = urgency

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        return self._pool.submit_at(self._urgency, lambda: fn(*args, **kwargs))
