"""The priority executor the runtime runs TTS (and ASR) jobs on."""

from __future__ import annotations

import asyncio
import threading

import pytest

from openlive.engine.threads import PriorityExecutor, Urgency


def test_the_most_urgent_queued_job_starts_first() -> None:
    pool = PriorityExecutor(1, thread_name_prefix="test")
    gate = threading.Event()
    started: list[str] = []
    blocker = pool.submit_at(Urgency.NOW, gate.wait)  # holds the only worker
    jobs = [
        pool.submit_at(urgency, lambda name=name: started.append(name))
        for name, urgency in [
            ("ahead", Urgency.AHEAD),
            ("soon 1", Urgency.SOON),
            ("now", Urgency.NOW),
            ("soon 2", Urgency.SOON),
        ]
    ]
    gate.set()
    for job in (blocker, *jobs):
        job.result(timeout=10)
    assert started == ["now", "soon 1", "soon 2", "ahead"]
    pool.shutdown(cancel_futures=True)


def test_errors_reach_the_caller_and_shutdown_cancels_queued_jobs() -> None:
    pool = PriorityExecutor(1, thread_name_prefix="test")

    def fail() -> None:
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        pool.submit_at(Urgency.NOW, fail).result(timeout=10)
    started, gate = threading.Event(), threading.Event()

    def hold() -> bool:
        started.set()
        return gate.wait()

    running = pool.submit_at(Urgency.NOW, hold)
    assert started.wait(10)
    queued = pool.submit_at(Urgency.SOON, lambda: None)
    pool.shutdown(cancel_futures=True)
    assert queued.cancelled()
    gate.set()
    assert running.result(timeout=10) is True
    with pytest.raises(RuntimeError):
        pool.submit_at(Urgency.NOW, lambda: None)


def test_an_urgency_view_serves_run_in_executor() -> None:
    pool = PriorityExecutor(2, thread_name_prefix="test")

    async def main() -> str:
        return await asyncio.get_running_loop().run_in_executor(pool.at(Urgency.SOON), threading.current_thread)

    assert asyncio.run(main()).name.startswith("test_")  # type: ignore[attr-defined]
    pool.shutdown()
