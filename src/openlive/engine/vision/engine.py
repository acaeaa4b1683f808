"""The vision engine: one per process (models, one low-priority thread), one session per connection.

Frames enter with :meth:`VisionSession.submit`, which checks them on the event loop in
microseconds (so a bad frame can be answered with close code 1007 at once) and hands them to a
latest-wins sampler. Decoding, OCR and face analysis run on a single executor thread whose
scheduling priority is lowered (nice +10): when the CPU is short, the kernel runs speech threads
first, and because each session has at most one frame in flight, vision work is skipped
rather than queued.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np

from openlive.backends.face.base import FaceAnalyzer
from openlive.backends.ocr.base import Ocr
from openlive.engine.vision.camera import CameraObservation, CameraReader
from openlive.engine.vision.classify import FrameSource, classify_frame
from openlive.engine.vision.context import VisualContext
from openlive.engine.vision.frames import FrameDecodeError, MediaResolution, decode_frame, inspect_frame
from openlive.engine.vision.sampler import LatestFrameSampler
from openlive.engine.vision.screen import ScreenObservation, ScreenReader

log = logging.getLogger(__name__)

# Added to the vision thread's nice value: speech threads win the CPU when both want it.
VISION_NICENESS = 10


def lower_thread_priority() -> None:
    """Give the calling thread (Linux: a task of its own) nice +10; a no-op where not allowed."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), VISION_NICENESS)
    except (OSError, AttributeError):  # not Linux, or not allowed: run at normal priority
        log.debug("could not lower the vision thread's priority")


@dataclass(frozen=True)
class _Frame:
    data: bytes
    mime_type: str
    source: FrameSource | None


class VisionEngine:
    """Shared by all sessions: the OCR and face backends and the thread they run on."""

    def __init__(self, ocr: Ocr, faces: FaceAnalyzer) -> None:
        self.ocr = ocr
        self.faces = faces
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="vision", initializer=lower_thread_priority)

    def open_session(
        self,
        resolution: MediaResolution = MediaResolution.MEDIUM,
        may_run: Callable[[], bool] | None = None,
        on_error: Callable[[FrameDecodeError], None] | None = None,
        rate_hz: float = 1.0,
        burst: int = 3,
        on_update: Callable[[], None] | None = None,
    ) -> VisionSession:
        """``may_run``: False while speech needs the CPU (frames then wait, latest-wins).
        ``on_error``: called on the event loop for a frame that passed :func:`inspect_frame`
        but failed to decode (the session closes with 1007). ``on_update``: called on the event
        loop after a frame has been read into the context."""
        return VisionSession(self, resolution, may_run, on_error, rate_hz, burst, on_update)

    async def warm_up(self) -> None:
        """Load the models now rather than on the first frame: OCR loads lazily, on first use."""
        image = np.full((64, 320, 3), 255, dtype=np.uint8)
        cv2.putText(image, "openlive", (10, 45), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (0, 0, 0), 2)

        def run_both() -> None:
            self.ocr.read(image)
            self.faces.analyse(image)

        await asyncio.get_running_loop().run_in_executor(self.executor, run_both)

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


class VisionSession:
    def __init__(
        self,
        engine: VisionEngine,
        resolution: MediaResolution,
        may_run: Callable[[], bool] | None,
        on_error: Callable[[FrameDecodeError], None] | None,
        rate_hz: float,
        burst: int,
        on_update: Callable[[], None] | None = None,
    ) -> None:
        self._engine = engine
        self.resolution = resolution
        self._on_error = on_error
        self._on_update = on_update
        self.context = VisualContext()
        self._screen = ScreenReader(engine.ocr)
        self._camera = CameraReader(engine.faces)
        self._sampler: LatestFrameSampler[_Frame] = LatestFrameSampler(self._process, rate_hz, burst, may_run)

    def submit(self, data: bytes, mime_type: str, source: FrameSource | None = None) -> None:
        """Take a frame from the client. Raises :class:`FrameDecodeError` for a wrong mime type or
        a non-image; never blocks (header check only). ``source``: None to classify the frame."""
        info = inspect_frame(data, mime_type)
        self.context.frames_received += 1
        self._sampler.offer(_Frame(data, info.mime_type, source))
        self.context.frames_dropped = self._sampler.dropped

    def set_resolution(self, resolution: MediaResolution) -> None:
        self.resolution = resolution

    async def settle(self) -> None:
        """Wait until the newest submitted frame is reflected in :attr:`context`."""
        await self._sampler.idle()

    async def close(self) -> None:
        await self._sampler.close()

    async def _process(self, frame: _Frame) -> None:
        loop = asyncio.get_running_loop()
        resolution = self.resolution
        try:
            observation = await loop.run_in_executor(self._engine.executor, self._observe, frame, resolution)
        except FrameDecodeError as error:
            if self._on_error is not None:
                self._on_error(error)
            return
        if isinstance(observation, ScreenObservation):
            self.context.update_screen(observation)
        else:
            self.context.update_camera(observation)
        self.context.frames_dropped = self._sampler.dropped
        if self._on_update is not None:
            self._on_update()

    def _observe(self, frame: _Frame, resolution: MediaResolution) -> ScreenObservation | CameraObservation:
        """Runs on the vision thread."""
        if frame.source is not FrameSource.CAMERA:
            unchanged = self._screen.unchanged(frame.data)
            if unchanged is not None:
                return unchanged
        decoded = decode_frame(frame.data, frame.mime_type, resolution.screen_max_side)
        source = frame.source or classify_frame(decoded.image)
        if source is FrameSource.SCREEN:
            return self._screen.read(decoded.image, frame.data)
        image = decoded.image
        height, width = image.shape[:2]
        longest = max(height, width)
        if longest > resolution.camera_max_side:
            factor = resolution.camera_max_side / longest
            size = (round(width * factor), round(height * factor))
            image = np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
        return self._camera.read(image)
