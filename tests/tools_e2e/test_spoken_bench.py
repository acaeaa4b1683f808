"""The spoken task-manager bench's core on two utterances: a real server, synthesised speech, the SDK."""

from __future__ import annotations

from openlive.bench.tools import load_task_manager_set
from openlive.bench.tools_spoken import run_spoken


def test_spoken_requests_get_the_call_dated_from_the_sets_now_and_small_talk_gets_none() -> None:
    cases = {case.id: case for case in load_task_manager_set()}
    # Spoken by the packaged Piper voice, then by espeak-ng.
    request, small_talk = run_spoken([cases["tm-08"], cases["tm-60"]], wait_s=20.0)

    assert request.calls is not None, f"no toolCall; heard {request.heard!r}"
    assert [call.name for call in request.calls] == ["add_task"]
    # "tomorrow" from the set's fixed now (Tuesday 2026-03-10), not from today.
    assert request.calls[0].args.get("due") == "2026-03-11"
    assert request.latency_ms is not None and request.latency_ms > 0
    assert "dry cleaning" in request.heard.lower()

    assert small_talk.calls is None, f"small talk got {small_talk.calls}"
    assert small_talk.passed
