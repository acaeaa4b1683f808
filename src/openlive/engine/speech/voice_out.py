"""Text → 24 kHz PCM16 frames, the Live API's output audio format, as soon as TTS yields them."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Executor

import numpy as np

from openlive import metrics
from openlive.audio import Int16Audio, StreamResampler, float32_to_int16, int16_to_float32, peak, within_peak
from openlive.backends.tts.base import NORMAL_PROSODY, Prosody, Tts
from openlive.engine.threads import iterate_in_thread

OUTPUT_RATE = 24000
OUTPUT_MIME_TYPE = f"audio/pcm;rate={OUTPUT_RATE}"
# Small enough that an interruption drops little, large enough to keep frame overhead low.
FRAME_SAMPLES = OUTPUT_RATE // 10


async def speech_frames(
    tts: Tts,
    executor: Executor,
    text: str,
    cancel: threading.Event,
    prosody: Prosody = NORMAL_PROSODY,
    language: str | None = None,
) -> AsyncIterator[Int16Audio]:
    """Speak ``text`` and yield 100 ms int16 frames at 24 kHz (the last one may be shorter)."""
    resampler = StreamResampler(tts.sample_rate, OUTPUT_RATE, np.float32)
    # The loudest sample the voice made so far: resampling must not go past it (see within_peak).
    loudest = 0.0

    def to_output(resampled: np.ndarray) -> Int16Audio:
        return float32_to_int16(within_peak(np.asarray(resampled, dtype=np.float32), loudest))

    def synthesize() -> Iterator[Int16Audio]:
        nonlocal loudest
        started = time.perf_counter()
        for chunk in tts.synthesize(text, prosody, language):
            if cancel.is_set():
                return
            samples = int16_to_float32(chunk)
            loudest = max(loudest, peak(samples))
            audio = to_output(resampler.process(samples))
            # Measured on this thread, up to each chunk: the consumer does not hold the generator back.
            metrics.observe_stage("tts", time.perf_counter() - started, chunk.size / tts.sample_rate)
            yield audio
            started = time.perf_counter()
        yield to_output(resampler.flush())

    pending = np.zeros(0, dtype=np.int16)
    async for chunk in iterate_in_thread(executor, synthesize, cancel):
        pending = np.concatenate([pending, chunk])
        while pending.size >= FRAME_SAMPLES:
            yield pending[:FRAME_SAMPLES]
            pending = pending[FRAME_SAMPLES:]
    if pending.size:
        yield pending
