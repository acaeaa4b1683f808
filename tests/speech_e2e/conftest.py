"""Whisper in the test process, to hear what openlive's reply audio actually says.

The server and the ``sdk`` client come from tests/conftest.py.
"""

from __future__ import annotations

import pytest

from openlive.backends.asr.whisper import WhisperAsr


@pytest.fixture(scope="package")
def asr() -> WhisperAsr:
    return WhisperAsr()
