"""One settings object: defaults < config file (TOML) < environment ``OPENLIVE_*`` < CLI flags."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

# Gemini Live model names that apps already use, accepted as aliases of openlive's default pipeline.
DEFAULT_MODEL_ALIASES: dict[str, str] = {
    "gemini-2.5-flash-native-audio-*": "openlive-default",
    "gemini-live-2.5-flash*": "openlive-default",
    "gemini-2.0-flash-live-*": "openlive-default",
    "gemini-3.1-flash-live-*": "openlive-default",
    "openlive-default": "openlive-default",
}

TOOL_PLANNERS = ("embedded", "llm")


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "openlive"


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8765
    tls: bool = True
    tls_cert: Path | None = None
    tls_key: Path | None = None
    api_keys: tuple[str, ...] = ()
    data_dir: Path = field(default_factory=default_data_dir)
    llm_backend: str = "llama-cpp"
    # A GGUF file for the llama-cpp backend; None means the packaged SmolLM2-135M-Instruct.
    llm_model: Path | None = None
    # Who turns requests into function calls: "embedded" (embeddings and rules, the LLM choosing
    # among close candidates; right for a tiny LLM) or "llm" (the whole decision, for a bigger one).
    tool_planner: str = "embedded"
    # A CTranslate2 Whisper directory (e.g. a faster-whisper conversion of a larger model); None
    # means the packaged Whisper base.
    asr_model: Path | None = None
    # Shell-style pattern of a requested model name → pipeline name.
    model_aliases: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_MODEL_ALIASES))
    # Largest client frame accepted (images and long audio chunks).
    max_message_bytes: int = 16 * 2**20
    log_level: str = "info"


def _coerce(name: str, value: Any) -> Any:
    """Turn a config-file or environment value into the type of setting ``name``."""
    if name in ("tls",):
        return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes", "on")
    if name in ("port", "max_message_bytes"):
        return int(value)
    if name in ("tls_cert", "tls_key", "data_dir", "llm_model", "asr_model"):
        return Path(value).expanduser() if value else None
    if name == "tool_planner":
        if value not in TOOL_PLANNERS:
            raise ValueError(f"tool_planner must be one of {', '.join(TOOL_PLANNERS)}, got {value!r}")
        return value
    if name == "api_keys":
        items = value if isinstance(value, list) else str(value).split(",")
        return tuple(item.strip() for item in items if item.strip())
    if name == "model_aliases":
        if isinstance(value, dict):
            return {str(k): str(v) for k, v in value.items()}
        pairs = (item.split("=", 1) for item in str(value).split(",") if "=" in item)
        return {pattern.strip(): target.strip() for pattern, target in pairs}
    return str(value)


def load_settings(config_file: Path | None = None, overrides: dict[str, Any] | None = None) -> Settings:
    """Build settings from the layers, lowest first. ``overrides`` are CLI values (None = not given)."""
    settings = Settings()
    names = {f.name for f in fields(Settings)}
    layers: list[dict[str, Any]] = []
    if config_file is not None:
        with config_file.open("rb") as handle:
            layers.append(tomllib.load(handle))
    layers.append(
        {name: os.environ[f"OPENLIVE_{name.upper()}"] for name in names if f"OPENLIVE_{name.upper()}" in os.environ}
    )
    layers.append({k: v for k, v in (overrides or {}).items() if v is not None})
    for layer in layers:
        unknown = set(layer) - names
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        values = {name: _coerce(name, value) for name, value in layer.items()}
        if "model_aliases" in values:
            # Aliases given by the user extend the defaults rather than replacing them.
            values["model_aliases"] = settings.model_aliases | values["model_aliases"]
        settings = replace(settings, **values)
    return settings
