"""Models shared by the affect and proactivity tests: each is loaded once per test session."""

from __future__ import annotations

import functools

import pytest

from openlive.audio import Float32Audio
from openlive.backends.asr.whisper import WhisperAsr
from openlive.backends.embedder.minilm import MiniLmEmbedder
from openlive.bench.speechgen import VoiceSpec, synthesize
from openlive.engine.affect import EmotionEstimator
from openlive.engine.proactivity import DirectednessDetector


@pytest.fixture(scope="session")
def embedder() -> MiniLmEmbedder:
    return MiniLmEmbedder()


@pytest.fixture(scope="session")
def asr() -> WhisperAsr:
    return WhisperAsr()


@pytest.fixture(scope="session")
def estimator(embedder: MiniLmEmbedder) -> EmotionEstimator:
    return EmotionEstimator(embedder)


@pytest.fixture(scope="session")
def detector(embedder: MiniLmEmbedder) -> DirectednessDetector:
    return DirectednessDetector(embedder)


@functools.cache
def speech(text: str, spec: VoiceSpec) -> Float32Audio:
    """``text`` synthesised once per test session (specs are frozen, so they can be cache keys)."""
    return synthesize(text, spec)
