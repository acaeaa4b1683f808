"""PP-OCRv6 (small det + rec) from the ``rapidocr`` 3.x package, run by onnxruntime on 1 thread.

The models ship inside the wheel (``rapidocr/models/``); rapidocr checks their sha256 and
downloads nothing. Text detection runs at the size of the image it is given (no upscaling to
736 px, rapidocr's default), because the vision engine already picks the processing resolution
and often hands in small crops of changed regions. The 180° text-direction classifier is off:
screens do not show upside-down text, and it turned "980" into "086" in testing.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from openlive.backends.ocr.base import BgrImage, Box, TextLine

# Det's own downscale limit: far above any processing resolution, so it never resizes our input.
_DETECTION_MAX_SIDE = 4096


class RapidOcr:
    name = "rapidocr"

    def __init__(self, min_score: float = 0.5) -> None:
        from rapidocr import RapidOCR

        self._engine: Any = RapidOCR(
            params={
                # "error": rapidocr warns on every image without text, e.g. a changed region.
                "Global.log_level": "error",
                "Global.use_cls": False,
                "Global.text_score": min_score,
                "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                "EngineConfig.onnxruntime.enable_cpu_mem_arena": True,
                "Det.limit_type": "max",
                "Det.limit_side_len": _DETECTION_MAX_SIDE,
            }
        )
        # rapidocr's pipeline keeps per-call parameters on the instance: one call at a time.
        self._lock = threading.Lock()

    def read(self, image: BgrImage) -> list[TextLine]:
        with self._lock:
            result = self._engine(np.ascontiguousarray(image))
        if result.txts is None or result.boxes is None or len(result.txts) == 0:
            return []
        lines = []
        for quad, text, score in zip(result.boxes, result.txts, result.scores, strict=True):
            corners = np.asarray(quad, dtype=np.float32)
            left, top = np.floor(corners.min(axis=0)).astype(int)
            right, bottom = np.ceil(corners.max(axis=0)).astype(int)
            lines.append(
                TextLine(
                    text=str(text).strip(), box=Box(int(left), int(top), int(right), int(bottom)), score=float(score)
                )
            )
        return lines
