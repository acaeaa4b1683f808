"""Models shared by the speech tests: each is loaded once per test session."""

from __future__ import annotations

import pytest

from openlive.backends.asr.whisper import WhisperAsr
from openlive.backends.tts.espeak import EspeakTts
from openlive.backends.tts.piper import PiperTts
from openlive.backends.turn.smart_turn import SmartTurn
from openlive.backends.vad.silero import SileroVad


@pytest.fixture(scope="session")
def vad() -> SileroVad:
    return SileroVad()


@pytest.fixture(scope="session")
def turn_model() -> SmartTurn:
    return SmartTurn()


@pytest.fixture(scope="session")
def asr() -> WhisperAsr:
    return WhisperAsr()


@pytest.fixture(scope="session")
def piper() -> PiperTts:
    return PiperTts()


@pytest.fixture(scope="session")
def espeak() -> EspeakTts:
    return EspeakTts("en-us")
