"""A real ``openlive serve`` subprocess for benchmarks: start it, reach it, measure it, stop it.

Benchmarks that drive the server end to end (through the SDKs, over TLS on loopback) start it
exactly as a user would, with a fresh port and API key, and read its memory from ``/proc``.

    with running_server(Path(tmp)) as server:
        client = server.genai_client()
        ...
        print(server.memory().rss_bytes)
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from google import genai

_HEALTH_POLL_S = 0.2
_STOP_GRACE_S = 15.0


class ServerStartError(RuntimeError):
    """The server exited or did not become healthy; the message ends with its log."""


@dataclass(frozen=True)
class ProcessMemory:
    """Resident memory of the server process and its children, from ``/proc/<pid>/status``."""

    rss_bytes: int
    # The high-water mark (VmHWM): the largest resident size the processes reached.
    peak_rss_bytes: int


@dataclass(frozen=True)
class ServerProcess:
    process: subprocess.Popen[bytes]
    host: str
    port: int
    tls: bool
    cert: Path | None
    api_key: str
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def base_url(self) -> str:
        """What a client puts in ``GOOGLE_GEMINI_BASE_URL``."""
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    def live_url(self, version: str = "v1beta") -> str:
        scheme = "wss" if self.tls else "ws"
        return (
            f"{scheme}://{self.host}:{self.port}"
            f"/ws/google.ai.generativelanguage.{version}.GenerativeService.BidiGenerateContent"
        )

    def ssl_context(self) -> ssl.SSLContext | None:
        return ssl.create_default_context(cafile=str(self.cert)) if self.cert is not None else None

    def client_env(self) -> dict[str, str]:
        """The environment ``openlive serve`` tells clients to set."""
        env = {"GOOGLE_GEMINI_BASE_URL": self.base_url, "GEMINI_API_KEY": self.api_key}
        if self.cert is not None:
            env["SSL_CERT_FILE"] = str(self.cert)
        return env

    def genai_client(self, api_version: str | None = None) -> genai.Client:
        """A google-genai client pointed at this server, trusting its certificate."""
        from google import genai
        from google.genai import types

        context = self.ssl_context()
        options = types.HttpOptions(
            base_url=self.base_url,
            api_version=api_version,
            async_client_args={"ssl": context} if context is not None else None,
        )
        return genai.Client(api_key=self.api_key, http_options=options)

    def get(self, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
        """``GET path`` on the server: (HTTP status, body). Connection failures raise OSError."""
        request = urllib.request.Request(f"{self.base_url}{path}", headers={"x-goog-api-key": self.api_key})
        try:
            with urllib.request.urlopen(request, timeout=timeout, context=self.ssl_context()) as response:
                return int(response.status), response.read()
        except urllib.error.HTTPError as error:
            return int(error.code), error.read()

    def memory(self) -> ProcessMemory:
        pids = [self.pid, *_descendants(self.pid)]
        fields = [_status_fields(pid) for pid in pids]
        return ProcessMemory(
            rss_bytes=sum(f.get("VmRSS", 0) for f in fields),
            peak_rss_bytes=sum(f.get("VmHWM", 0) for f in fields),
        )

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=_STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                found += [int(child), *_descendants(int(child))]
    return found


def _status_fields(pid: int) -> dict[str, int]:
    """The ``kB`` fields of ``/proc/<pid>/status`` in bytes; empty if the process is gone."""
    values: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            parts = value.split()
            if len(parts) == 2 and parts[1] == "kB":
                values[name] = int(parts[0]) * 1024
    return values


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(
    workdir: Path,
    *,
    tls: bool = True,
    data_dir: Path | None = None,
    extra_args: Sequence[str] = (),
    timeout_s: float = 300.0,
) -> ServerProcess:
    """Start ``openlive serve`` on a free loopback port and wait until ``/healthz`` says ok.

    ``workdir`` receives the server log (and the data dir when ``data_dir`` is None, so a
    benchmark does not touch the user's certificate). Models are found through
    ``$OPENLIVE_DATA_DIR`` as usual, so the assembled Whisper model is reused between runs.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    host, port, api_key = "127.0.0.1", free_port(), f"bench-{secrets.token_hex(8)}"
    data_dir = data_dir or workdir / "data"
    log_path = workdir / "server.log"
    command = [sys.executable, "-m", "openlive.cli", "serve", "--host", host, "--port", str(port)]
    command += ["--data-dir", str(data_dir), "--api-key", api_key, *([] if tls else ["--no-tls"]), *extra_args]
    env = os.environ | {"HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, env=env)
    server = ServerProcess(
        process=process,
        host=host,
        port=port,
        tls=tls,
        cert=data_dir / "tls" / "cert.pem" if tls else None,
        api_key=api_key,
        log_path=log_path,
    )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerStartError(f"openlive serve exited with {process.returncode}:\n{server.log_text()}")
        if server.cert is None or server.cert.exists():
            with contextlib.suppress(OSError, ValueError, ssl.SSLError):
                status, body = server.get("/healthz", timeout=2)
                if status == 200:
                    return server
                if json.loads(body).get("status") == "failed":
                    server.stop()
                    raise ServerStartError(f"openlive serve failed to load its models:\n{server.log_text()}")
        time.sleep(_HEALTH_POLL_S)
    server.stop()
    raise ServerStartError(f"openlive serve was not healthy after {timeout_s:.0f} s:\n{server.log_text()}")


@contextlib.contextmanager
def running_server(
    workdir: Path,
    *,
    tls: bool = True,
    data_dir: Path | None = None,
    extra_args: Sequence[str] = (),
    timeout_s: float = 300.0,
) -> Iterator[ServerProcess]:
    """:func:`start_server` for the length of a ``with`` block."""
    server = start_server(workdir, tls=tls, data_dir=data_dir, extra_args=extra_args, timeout_s=timeout_s)
    try:
        yield server
    finally:
        server.stop()
