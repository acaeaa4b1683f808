"""API keys: configured, or generated once and kept in the data dir. Never open by default."""

from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path


def load_or_create_api_key(data_dir: Path) -> str:
    path = data_dir / "api_key"
    if path.exists():
        key = path.read_text().strip()
        if key:
            return key
    data_dir.mkdir(parents=True, exist_ok=True)
    key = "ol-" + secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def request_api_key(headers: Mapping[str, str], query: Mapping[str, str]) -> str | None:
    """The key a client presented: ``x-goog-api-key`` header (Python SDK) or ``?key=`` (JS SDK)."""
    return headers.get("x-goog-api-key") or query.get("key")


def is_valid_key(presented: str | None, accepted: Sequence[str]) -> bool:
    if not presented:
        return False
    return any(hmac.compare_digest(presented.encode(), key.encode()) for key in accepted)
