"""One real ``openlive serve`` (the session-wide TLS server) and the Python SDK pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from google import genai

from tests.conftest import API_KEY, RunningServer


@pytest.fixture(scope="package")
def sdk(tls_server: RunningServer) -> Iterator[genai.Client]:
    """A client configured only through the environment lines ``openlive serve`` prints."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GOOGLE_GEMINI_BASE_URL", tls_server.base_url)
        patch.setenv("SSL_CERT_FILE", str(tls_server.cert))
        patch.setenv("GEMINI_API_KEY", API_KEY)
        patch.delenv("GOOGLE_API_KEY", raising=False)
        yield genai.Client()
