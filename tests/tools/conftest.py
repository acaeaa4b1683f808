"""The embedded tool planner, loaded once per test module that asks for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from openlive.backends.embedder.minilm import MiniLmEmbedder
from openlive.engine.tools.planner import EmbeddedToolPlanner


@pytest.fixture(scope="module")
def planner() -> Iterator[EmbeddedToolPlanner]:
    planner = EmbeddedToolPlanner(MiniLmEmbedder())
    yield planner
    planner.close()
