"""Shared fixtures: real openlive servers started as subprocesses, as users run them."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from google import genai

REPO = Path(__file__).resolve().parent.parent
API_KEY = "test-key-openlive"
LIVE_MODEL = "gemini-2.5-flash-native-audio-preview-12-2025"


@dataclass(frozen=True)
class RunningServer:
    base_url: str
    host: str
    port: int
    tls: bool
    cert: Path | None
    data_dir: Path
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def ws_base(self) -> str:
        return f"{'wss' if self.tls else 'ws'}://{self.host}:{self.port}"

    def live_url(self, version: str = "v1beta", method: str = "BidiGenerateContent") -> str:
        return f"{self.ws_base}/ws/google.ai.generativelanguage.{version}.GenerativeService.{method}"

    def ssl_context(self) -> ssl.SSLContext | None:
        return ssl.create_default_context(cafile=str(self.cert)) if self.tls else None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(tmp: Path, *, tls: bool, extra: list[str] | None = None, timeout: float = 120) -> RunningServer:
    port = free_port()
    data_dir = tmp / "data"
    log_path = tmp / "server.log"
    command = [sys.executable, "-m", "openlive.cli", "serve", "--port", str(port), "--data-dir", str(data_dir)]
    command += ["--api-key", API_KEY] + ([] if tls else ["--no-tls"]) + (extra or [])
    env = os.environ | {"HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, env=env, cwd=REPO)
    cert = data_dir / "tls" / "cert.pem" if tls else None
    server = RunningServer(
        base_url=f"{'https' if tls else 'http'}://127.0.0.1:{port}",
        host="127.0.0.1",
        port=port,
        tls=tls,
        cert=cert,
        data_dir=data_dir,
        process=process,
        log_path=log_path,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"openlive serve exited with {process.returncode}:\n{server.log()}")
        try:
            context = server.ssl_context() if cert is None or cert.exists() else None
            with urllib.request.urlopen(f"{server.base_url}/healthz", timeout=2, context=context) as response:
                if response.status == 200:
                    return server
        except urllib.error.HTTPError as error:
            if json.loads(error.read()).get("status") == "failed":
                stop_server(server)
                raise RuntimeError(f"openlive serve failed to load its models:\n{server.log()}") from None
        except (OSError, ValueError):
            pass
        time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"openlive serve did not become healthy in {timeout} s:\n{server.log()}")


def stop_server(server: RunningServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="session")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = start_server(tmp_path_factory.mktemp("tls-server"), tls=True)
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def plain_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = start_server(tmp_path_factory.mktemp("plain-server"), tls=False)
    yield server
    stop_server(server)


@contextlib.contextmanager
def sdk_for(server: RunningServer) -> Iterator[genai.Client]:
    """A google-genai client configured only through the environment lines ``openlive serve`` prints."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GOOGLE_GEMINI_BASE_URL", server.base_url)
        patch.setenv("SSL_CERT_FILE", str(server.cert))
        patch.setenv("GEMINI_API_KEY", API_KEY)
        patch.delenv("GOOGLE_API_KEY", raising=False)
        yield genai.Client()


@pytest.fixture(scope="session")
def sdk(tls_server: RunningServer) -> Iterator[genai.Client]:
    with sdk_for(tls_server) as client:
        yield client
