"""Latest-wins sampling and change detection: no queue of frames, and no work for a static screen."""

from __future__ import annotations

import asyncio

import numpy as np

from openlive.backends.ocr.base import Box
from openlive.engine.vision.changes import changed_regions, grow_to_cover
from openlive.engine.vision.classify import FrameSource, classify_frame
from openlive.engine.vision.frames import decode_frame
from openlive.engine.vision.sampler import LatestFrameSampler
from tests.support.images import ScreenContent, camera_jpeg_with_face, empty_room_jpeg, screen_jpeg


async def test_busy_sampler_keeps_only_the_latest_frame() -> None:
    seen: list[int] = []
    release = asyncio.Event()

    async def process(item: int) -> None:
        seen.append(item)
        await release.wait()

    sampler: LatestFrameSampler[int] = LatestFrameSampler(process, rate_hz=1000.0, burst=10)
    sampler.offer(0)
    await asyncio.sleep(0.01)  # frame 0 is now being processed
    for item in range(1, 6):
        sampler.offer(item)
    release.set()
    await asyncio.wait_for(sampler.idle(), 5)
    await sampler.close()
    assert seen == [0, 5]
    assert sampler.dropped == 4


async def test_sampler_holds_off_while_speech_needs_the_cpu() -> None:
    seen: list[str] = []
    speech_busy = True

    async def process(item: str) -> None:
        seen.append(item)

    sampler: LatestFrameSampler[str] = LatestFrameSampler(process, rate_hz=1000.0, may_run=lambda: not speech_busy)
    sampler.offer("old")
    sampler.offer("new")
    await asyncio.sleep(0.2)
    assert seen == []
    speech_busy = False
    await asyncio.wait_for(sampler.idle(), 5)
    await sampler.close()
    assert seen == ["new"]


async def test_sampler_rate_limits_after_the_burst() -> None:
    seen: list[float] = []

    async def process(item: int) -> None:
        seen.append(asyncio.get_running_loop().time())

    sampler: LatestFrameSampler[int] = LatestFrameSampler(process, rate_hz=5.0, burst=1)
    for item in range(3):
        sampler.offer(item)
        await asyncio.wait_for(sampler.idle(), 5)
    await sampler.close()
    assert len(seen) == 3
    assert seen[2] - seen[0] >= 0.3  # two refills at 5 per second


def _grey(data: bytes) -> np.ndarray:
    image = decode_frame(data, "image/jpeg", 1280).image
    return np.asarray(image.mean(axis=2), dtype=np.uint8)


def test_static_screen_has_no_changed_region() -> None:
    assert changed_regions(_grey(screen_jpeg()), _grey(screen_jpeg())) == []


def test_one_changed_element_gives_one_small_region_around_it() -> None:
    before = _grey(screen_jpeg())
    after = _grey(screen_jpeg(ScreenContent(clock="Tue 14:33")))
    regions = changed_regions(before, after)
    assert len(regions) == 1
    clock = Box(601, 0, 680, 27)
    assert regions[0].intersects(clock)
    assert regions[0].area < 0.02 * 1280 * 720


def test_regions_grow_to_cover_cut_lines() -> None:
    region = Box(100, 100, 164, 132)
    line = Box(40, 110, 300, 130)
    grown = grow_to_cover([region, Box(290, 100, 320, 140)], [line])
    assert grown == [Box(40, 100, 320, 140)]


def test_screens_and_camera_frames_are_told_apart() -> None:
    def source(data: bytes) -> FrameSource:
        return classify_frame(decode_frame(data, "image/jpeg", 1280).image)

    assert source(screen_jpeg()) is FrameSource.SCREEN
    assert source(screen_jpeg(ScreenContent(dialog_title=None))) is FrameSource.SCREEN
    assert source(camera_jpeg_with_face()) is FrameSource.CAMERA
    assert source(empty_room_jpeg()) is FrameSource.CAMERA
