"""Bridges from blocking model code on executor threads to the event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Executor
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


async def iterate_in_thread(
    executor: Executor, produce: Callable[[], Iterator[T]], cancel: threading.Event
) -> AsyncIterator[T]:
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
