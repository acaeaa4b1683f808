"""Backends by kind and name, so a new model family plugs in without engine changes.

A backend module registers a factory with :func:`register`; the engine asks for
``create("llm", "llama-cpp", ...)`` and never imports a model library itself.
Modules are imported lazily by :func:`create` from the dotted path given at
registration time, so an unused backend costs no import time.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class _Entry:
    module: str
    factory: str


_BACKENDS: dict[tuple[str, str], _Entry] = {}


class UnknownBackendError(LookupError):
    pass


def register(kind: str, name: str, target: str) -> None:
    """Register ``target`` ("package.module:factory") as backend ``name`` of ``kind``."""
    module, _, factory = target.partition(":")
    if not factory:
        raise ValueError(f"target must be 'module:factory', got {target!r}")
    _BACKENDS[(kind, name)] = _Entry(module, factory)


def names(kind: str) -> list[str]:
    return sorted(name for k, name in _BACKENDS if k == kind)


def factory(kind: str, name: str) -> Callable[..., Any]:
    """The factory of backend ``name``, its module imported."""
    try:
        entry = _BACKENDS[(kind, name)]
    except KeyError:
        known = ", ".join(names(kind)) or "none"
        raise UnknownBackendError(f"no {kind} backend named {name!r} (known: {known})") from None
    made: Callable[..., Any] = getattr(importlib.import_module(entry.module), entry.factory)
    return made


def create(kind: str, name: str, **options: Any) -> Any:
    return factory(kind, name)(**options)


# The built-in backends. Each line names where the factory lives; nothing is imported here.
register("llm", "llama-cpp", "openlive.backends.llm.llama_cpp:LlamaCppLlm")
register("vad", "silero", "openlive.backends.vad.silero:SileroVad")
register("asr", "whisper-base", "openlive.backends.asr.whisper:WhisperAsr")
register("tts", "piper", "openlive.backends.tts.piper:PiperTts")
register("tts", "espeak-ng", "openlive.backends.tts.espeak:EspeakTts")
register("turn", "smart-turn-v3", "openlive.backends.turn.smart_turn:SmartTurn")
register("ocr", "rapidocr", "openlive.backends.ocr.rapidocr:RapidOcr")
register("face", "opencv-cascade", "openlive.backends.face.opencv_cascade:CascadeFaceAnalyzer")
register("embedder", "minilm", "openlive.backends.embedder.minilm:MiniLmEmbedder")
