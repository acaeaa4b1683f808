"""``openlive bench vision``: what screen and camera frames cost on this CPU.

Measures, with the models on 1 thread and on the calling thread (not the niced vision thread,
so the figures are the work itself): OCR of a 1280×720 screenshot (first call and warm), the
whole screen step (decode, change detection, OCR, layout) for a first frame, an unchanged
frame and a frame with one changed region, a 1 fps screen-share sequence, and face analysis
of camera frames. Wall time and the thread's CPU time are both reported: on a busy machine wall
time grows while CPU time shows the work. The voice-to-voice comparison with and without a
screen share needs the server; :func:`screen_share_frames` gives it realistic frames.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from openlive.backends.ocr.base import BgrImage, Ocr
from openlive.bench.report import BenchTable, median, percentile
from openlive.bench.scenes import (
    ScreenContent,
    camera_frame_with_face,
    empty_room,
    encode,
    render_screen,
    screen_share_frames,
)
from openlive.engine.vision.engine import VISION_NICENESS, lower_thread_priority
from openlive.engine.vision.frames import MediaResolution, decode_frame

__all__ = ["run", "screen_share_frames"]


@dataclass
class _Timing:
    wall_ms: list[float]
    cpu_ms: list[float]


def _time(action: Callable[[], object], runs: int) -> _Timing:
    timing = _Timing([], [])
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.thread_time()
        action()
        timing.cpu_ms.append((time.thread_time() - cpu) * 1000)
        timing.wall_ms.append((time.perf_counter() - wall) * 1000)
    return timing


def _row(table: BenchTable, measure: str, timing: _Timing, note: str = "") -> None:
    table.add_row(
        measure,
        f"{median(timing.wall_ms):.1f}",
        f"{percentile(timing.wall_ms, 90):.1f}",
        f"{median(timing.cpu_ms):.1f}",
        len(timing.wall_ms),
        note,
    )


def _ratio(timing: _Timing, baseline: _Timing) -> str:
    return f"{median(timing.wall_ms) / median(baseline.wall_ms):.2f}×"


def _speech_proxy_ms(runs: int) -> _Timing:
    """A fixed, GIL-free, 1-thread CPU task (~100 ms idle) standing in for an ASR or TTS step."""
    import cv2
    import numpy as np

    cv2.setNumThreads(1)
    work = np.random.default_rng(0).random((720, 1280), dtype=np.float32)
    kernel = np.ones((9, 9), np.float32) / 81

    def step() -> None:
        for _ in range(12):
            cv2.filter2D(work, -1, kernel)

    timing = _Timing([], [])
    for _ in range(runs):
        part = _time(step, 1)
        timing.wall_ms += part.wall_ms
        timing.cpu_ms += part.cpu_ms
        time.sleep(0.05)
    return timing


def _speech_proxy_beside_vision(ocr: Ocr, image: BgrImage, runs: int, niced: bool) -> _Timing:
    """The speech proxy while another thread runs OCR back to back (worse than 1 fps)."""
    stop = threading.Event()

    def vision_loop() -> None:
        if niced:
            lower_thread_priority()
        while not stop.is_set():
            ocr.read(image)

    thread = threading.Thread(target=vision_loop, name="bench-vision")
    thread.start()
    time.sleep(0.5)
    try:
        return _speech_proxy_ms(runs)
    finally:
        stop.set()
        thread.join()


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="openlive bench vision", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions per measure (default 5)")
    parser.add_argument("--frames", type=int, default=20, help="frames in the screen-share sequence")
    args = parser.parse_args(argv)
    runs = max(1, args.runs)

    from openlive.backends.face.opencv_cascade import CascadeFaceAnalyzer
    from openlive.backends.ocr.rapidocr import RapidOcr
    from openlive.engine.vision.layout import analyse_layout
    from openlive.engine.vision.screen import ScreenReader

    load_before = os.getloadavg()[0]
    table = BenchTable(
        name="vision",
        title="Vision: OCR, incremental screen reading and face analysis (1 thread)",
        columns=["measure", "median ms", "p90 ms", "CPU ms (median)", "runs", "note"],
    )

    screen = encode(render_screen().image)
    image = decode_frame(screen, "image/jpeg", 1280).image

    ocr = RapidOcr()
    _row(table, "OCR 1280×720, first call", _time(lambda: ocr.read(image), 1), "model load + first inference")
    lines = ocr.read(image)
    _row(table, "OCR 1280×720, warm", _time(lambda: ocr.read(image), runs), f"{len(lines)} lines")
    low = decode_frame(screen, "image/jpeg", MediaResolution.LOW.screen_max_side).image
    _row(table, "OCR 1024×576 (mediaResolution LOW), warm", _time(lambda: ocr.read(low), runs))
    _row(table, "layout + description (no OCR)", _time(lambda: analyse_layout(image, lines), runs))
    _row(table, "decode JPEG 1280×720", _time(lambda: decode_frame(screen, "image/jpeg", 1280), runs))

    def first_frame() -> None:
        ScreenReader(ocr).read(decode_frame(screen, "image/jpeg", 1280).image, screen)

    _row(table, "screen step, first frame", _time(first_frame, runs), "decode + OCR + layout")

    reader = ScreenReader(ocr)
    reader.read(image, screen)
    _row(table, "screen step, identical bytes", _time(lambda: reader.unchanged(screen), runs * 4), "hash only")
    same_pixels = encode(render_screen().image, quality=84)

    def unchanged_pixels() -> None:
        reader.read(decode_frame(same_pixels, "image/jpeg", 1280).image, same_pixels)

    _row(
        table,
        "screen step, unchanged screen re-encoded",
        _time(unchanged_pixels, runs * 4),
        "decode + tile diff, no OCR",
    )

    variants = [
        encode(render_screen(ScreenContent(dialog_message=message)).image)
        for message in ("Cannot save file: permission denied", "Cannot save file: disk full")
    ]
    shares: list[float] = []

    def one_changed_region() -> None:
        data = variants[len(shares) % 2]
        shares.append(reader.read(decode_frame(data, "image/jpeg", 1280).image, data).reprocessed_share)

    changed = _time(one_changed_region, runs)
    _row(
        table,
        "screen step, one changed region (dialog text)",
        changed,
        f"re-OCR {100 * median(shares):.1f}% of the frame",
    )

    frames = screen_share_frames(args.frames)
    share_reader = ScreenReader(ocr)
    position = iter(frames)

    def next_share_frame() -> None:
        data = next(position)
        if share_reader.unchanged(data) is None:
            share_reader.read(decode_frame(data, "image/jpeg", 1280).image, data)

    share = _time(next_share_frame, len(frames))
    _row(
        table,
        f"1 fps screen share, {len(frames)} frames, per frame",
        share,
        f"mean {sum(share.cpu_ms) / len(frames):.0f} CPU ms per frame incl. first",
    )

    faces = CascadeFaceAnalyzer()
    side = MediaResolution.MEDIUM.camera_max_side
    person = decode_frame(encode(camera_frame_with_face()), "image/jpeg", side).image
    room = decode_frame(encode(empty_room()), "image/jpeg", side).image
    found = faces.analyse(person)
    _row(
        table,
        f"face analysis, person ({person.shape[1]}×{person.shape[0]})",
        _time(lambda: faces.analyse(person), runs),
        f"{len(found)} face(s)",
    )
    _row(
        table,
        f"face analysis, empty room ({room.shape[1]}×{room.shape[0]})",
        _time(lambda: faces.analyse(room), runs),
        "frontal + 2 profile passes",
    )

    proxy_runs = max(10, runs * 3)
    alone = _speech_proxy_ms(proxy_runs)
    _row(table, "speech proxy alone", alone, "1-thread GIL-free CPU task")
    beside = _speech_proxy_beside_vision(ocr, image, proxy_runs, niced=False)
    _row(table, "speech proxy beside looping OCR, vision at nice 0", beside, f"p50 {_ratio(beside, alone)} of alone")
    niced = _speech_proxy_beside_vision(ocr, image, proxy_runs, niced=True)
    _row(
        table,
        f"speech proxy beside looping OCR, vision at nice +{VISION_NICENESS} (as served)",
        niced,
        f"p50 {_ratio(niced, alone)} of alone",
    )

    table.notes += [
        "models on 1 thread (ORT intra/inter op 1, cv2.setNumThreads(1)); timed on the calling thread",
        f"load average (1 min) {load_before:.2f} before, {os.getloadavg()[0]:.2f} after, on "
        f"{os.cpu_count()} cores: wall times include waiting for the CPU, CPU ms do not",
        "in the server, vision runs on one thread at nice +10 and frames are dropped (latest wins) "
        "rather than queued, so under load these wall times grow instead of delaying speech",
    ]
    print(table.render())
    table.save()
    return 0
