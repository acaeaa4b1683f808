"""Model names: the Gemini Live names apps already use map to openlive pipelines."""

from __future__ import annotations

import fnmatch
import re

DEFAULT_PIPELINE = "openlive-default"

_RESOURCE_PREFIX = re.compile(r"^(?:projects/[^/]+/locations/[^/]+/)?(?:publishers/[^/]+/)?models/")


def bare_model_name(requested: str) -> str:
    """``models/x``, ``publishers/google/models/x`` and ``projects/…/models/x`` all name ``x``."""
    return _RESOURCE_PREFIX.sub("", requested.strip())


def resolve_pipeline(requested: str, aliases: dict[str, str]) -> str | None:
    name = bare_model_name(requested)
    if name in aliases:
        return aliases[name]
    for pattern, pipeline in aliases.items():
        if fnmatch.fnmatchcase(name, pattern):
            return pipeline
    return None


def listed_models(aliases: dict[str, str]) -> list[str]:
    """Names to show in ``GET /v1beta/models``: the pipelines and the exact (non-pattern) aliases."""
    names = dict.fromkeys(aliases.values())
    names.update(dict.fromkeys(name for name in aliases if not any(ch in name for ch in "*?[")))
    return list(names)
