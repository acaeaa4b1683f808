"""The narrow interface the engine uses to turn text into vectors.

An :class:`Embedder` is loaded once per process and shared. ``embed`` is blocking and runs on
the engine's model executor, never on the event loop. Vectors are L2-normalised, so the dot
product of two of them is their cosine similarity.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    name: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One unit-length row per text, shape ``(len(texts), dimension)``."""
        ...
