"""Models for the vision tests: loaded once per session, as a server loads them once per process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from openlive.backends.face.opencv_cascade import CascadeFaceAnalyzer
from openlive.backends.ocr.rapidocr import RapidOcr
from openlive.engine.vision import VisionEngine


@pytest.fixture(scope="session")
def ocr() -> RapidOcr:
    return RapidOcr()


@pytest.fixture(scope="session")
def faces() -> CascadeFaceAnalyzer:
    return CascadeFaceAnalyzer()


@pytest.fixture(scope="session")
def vision_engine(ocr: RapidOcr, faces: CascadeFaceAnalyzer) -> Iterator[VisionEngine]:
    engine = VisionEngine(ocr, faces)
    yield engine
    engine.close()
