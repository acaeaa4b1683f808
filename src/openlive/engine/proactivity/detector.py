"""Is this turn meant for the assistant? (``proactivity.proactiveAudio``)

Four kinds of evidence go into one fitted logistic model:

* words (:mod:`openlive.engine.proactivity.cues`): command verbs, requests, questions, the
  assistant's name, vocatives for other people, news and advertising phrases, thinking aloud;
* meaning: the similarity of the turn to prototype sentences said to an assistant, by a TV,
  between people and to oneself (``prototypes.json``), and to the assistant's last words;
* the conversation: how recently the assistant spoke, whether it asked something and the turn
  reads like an answer ("Sure, go ahead."), whether a screen is shared;
* sound: how much quieter and slower the turn is than what is usually heard in this session
  (:class:`RoomBaseline`): a TV or a person across the room is quieter than the user, and
  reverberation and muttering slow speech down. Sound only ever counts against a turn: being
  as loud as the loudest voice in the room is what a person next to the microphone is too,
  and a room heard for only a turn or two gives no reliable reference, so a loud or fast turn
  gets no more credit than one at the room's level and the words must carry it.

Two cues decide on their own (:func:`veto`): a turn with no words, and a turn that calls
someone else by name or as "honey". The model and its threshold are fitted on the tuning
set of ``bench/data/proactive`` (never on its held-out set) by ``openlive bench proactive
--calibrate`` and stored in ``calibration.json``.
"""

from __future__ import annotations

import importlib.resources
import json
import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from openlive.backends.embedder.base import Embedder
from openlive.engine.affect.linear import LinearModel
from openlive.engine.affect.voice import VoiceFeatures
from openlive.engine.affect.words import PrototypeSimilarity, tokens
from openlive.engine.proactivity.cues import ACTIVE_EXCHANGE_S, context_cues, text_cues

CALIBRATION_FILE = "calibration.json"
PROTOTYPE_CLASSES = ("directed", "tv", "people", "self_talk")
CLASSES = ("background", "directed")
_REASONS_SHOWN = 3
_REASON_MIN_CONTRIBUTION = 0.25

# What each feature means when it pushes the decision, for the reasons in a decision.
FEATURE_DESCRIPTIONS = {
    "log_words": "length",
    "content_words": "content words",
    "filler_share": "fillers",
    "name_called": "called by name",
    "name_mentioned": "name mentioned",
    "command_verb": "command",
    "question": "question",
    "request": "request",
    "other_vocative": "calls someone else",
    "narration_markers": "news/ad phrasing",
    "self_talk_markers": "thinking aloud",
    "second_person": "says 'you'",
    "first_singular": "says 'I'",
    "third_person": "talks about others",
    "numbers": "numbers",
    "exclamation": "exclamation",
    "help_words": "asks for help",
    "screen_words": "refers to something shown",
    "follow_up_start": "starts like a follow-up",
    "reply_start": "starts like an answer",
    "question_you": "asks 'you' something",
    "question_impersonal": "asks about the world",
    "active_exchange": "assistant just spoke",
    "assistant_asked": "assistant asked a question",
    "active_short_reply": "short reply in an exchange",
    "active_follow_up_start": "follow-up in an exchange",
    "active_question": "question in an exchange",
    "answers_assistant": "answers the assistant's question",
    "short_out_of_exchange": "a word or two out of the blue",
    "screen_share": "screen shared",
    "screen_help": "asks about the shared screen",
    "sim_directed": "sounds like a request to an assistant",
    "sim_tv": "sounds like TV or radio",
    "sim_people": "sounds like talk between people",
    "sim_self_talk": "sounds like talking to oneself",
    "sim_margin": "closer to assistant requests than to background",
    "sim_previous": "on the assistant's topic",
    "quieter_than_room": "level against the room",
    "slower_than_room": "pace against the room",
}
FEATURES = tuple(FEATURE_DESCRIPTIONS)


@dataclass(frozen=True)
class ConversationState:
    """What the conversation looked like when the user's turn began."""

    # None: the assistant has not spoken in this session.
    seconds_since_assistant: float | None = None
    previous_assistant_text: str = ""
    screen_share_active: bool = False


@dataclass(frozen=True)
class DirectednessDecision:
    directed: bool
    # The model's probability that the turn is for the assistant (0 when a veto rule decided).
    score: float
    threshold: float
    # The strongest evidence for the decision, e.g. ("called by name (+2.1)", …).
    reasons: tuple[str, ...]
    features: Mapping[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "directed": self.directed,
            "score": round(self.score, 3),
            "threshold": round(self.threshold, 3),
            "reasons": list(self.reasons),
        }


def veto(features: Mapping[str, float]) -> str:
    """Why the turn is certainly not for the assistant, whatever the model says; "" if no such reason.

    No words: noise, or speech ASR could not make out. Someone else called by name or as "honey":
    even a question ("Dad, can I have twenty dollars?") is then for them.
    """
    if not features.get("log_words"):
        return "no words"
    if features.get("other_vocative"):
        return "calls someone else"
    return ""


@dataclass(frozen=True)
class DirectednessModel:
    model: LinearModel
    threshold: float

    @classmethod
    def load(cls, path: Path | None = None) -> DirectednessModel:
        if path is None:
            text = importlib.resources.files(__package__ or "").joinpath(CALIBRATION_FILE).read_text()
        else:
            text = path.read_text()
        data: dict[str, Any] = json.loads(text)
        return cls(LinearModel.from_json(data["model"]), float(data["threshold"]))

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"threshold": round(self.threshold, 4), "model": self.model.to_json()}, indent=1))

    def score(self, features: Mapping[str, float]) -> float:
        return 0.0 if veto(features) else self.model.probabilities(features)["directed"]


def default_calibration_path() -> Path:
    return Path(__file__).with_name(CALIBRATION_FILE)


# Beyond these a turn is plainly far away (a TV across the room is about 10 dB down) or slowed
# down (half the room's rate); more tells no more, and an unbounded cue could outweigh the words.
_QUIETER_CAP_DB = 12.0
_SLOWER_CAP = 0.7  # natural log of the rate ratio


class RoomBaseline:
    """What is usually heard in this session, from every turn (the user, other people, a TV).

    The user speaking to the assistant is usually the nearest, loudest voice, so the reference
    level is an upper quantile of recent turn levels; the rate reference is their median.
    One per session.
    """

    def __init__(self, history: int = 30, level_quantile: float = 75.0):
        self._levels: deque[float] = deque(maxlen=history)
        self._log_rates: deque[float] = deque(maxlen=history)
        self._quantile = level_quantile

    def features(self, voice: VoiceFeatures) -> dict[str, float]:
        """How far (dB) below the room's level and (log rate) below its speaking rate ``voice`` is.

        0 when it is as loud or as fast as the room, or louder or faster, and while the room is unknown:
        these cues can only lower a turn's score (see the module's docstring).
        """
        level = voice.level_db - float(np.percentile(self._levels, self._quantile)) if self._levels else 0.0
        rate = voice.syllables_per_second
        log_rate = math.log(rate) - float(np.median(self._log_rates)) if self._log_rates and rate > 0 else 0.0
        return {
            "quieter_than_room": min(max(-level, 0.0), _QUIETER_CAP_DB),
            "slower_than_room": min(max(-log_rate, 0.0), _SLOWER_CAP),
        }

    def add(self, voice: VoiceFeatures) -> None:
        self._levels.append(voice.level_db)
        if voice.syllables_per_second > 0:
            self._log_rates.append(math.log(voice.syllables_per_second))


def _prototype_sentences() -> dict[str, list[str]]:
    source = importlib.resources.files(__package__ or "").joinpath("prototypes.json")
    loaded: dict[str, list[str]] = json.loads(source.read_text(encoding="utf-8"))
    return {name: loaded[name] for name in PROTOTYPE_CLASSES}


class DirectednessDetector:
    """Loaded once per process and shared; :meth:`decide` is blocking (20-80 ms on one busy core, mostly embeddings)."""

    def __init__(self, embedder: Embedder, model: DirectednessModel | None = None):
        self._embedder = embedder
        self._prototypes = PrototypeSimilarity(embedder, _prototype_sentences())
        self._model = model

    @property
    def model(self) -> DirectednessModel:
        """The given model, or the calibrated one shipped with openlive (read on first use)."""
        if self._model is None:
            self._model = DirectednessModel.load()
        return self._model

    def features(
        self,
        transcript: str,
        conversation: ConversationState,
        names: Sequence[str],
        room: Mapping[str, float] | None = None,
    ) -> dict[str, float]:
        """Every named input of the model for one turn; ``room`` from :meth:`RoomBaseline.features`."""
        words = tokens(transcript)
        features = text_cues(transcript, words, names)
        features |= context_cues(
            features,
            conversation.seconds_since_assistant,
            conversation.previous_assistant_text,
            conversation.screen_share_active,
        )
        similarities = self._prototypes.similarities(transcript)
        background = max(similarities[f"sim_{name}"] for name in PROTOTYPE_CLASSES if name != "directed")
        features |= similarities | {"sim_margin": similarities["sim_directed"] - background}
        features["sim_previous"] = self._topic_similarity(transcript, conversation)
        features |= dict(room or {"quieter_than_room": 0.0, "slower_than_room": 0.0})
        return features

    def _topic_similarity(self, transcript: str, conversation: ConversationState) -> float:
        if conversation.seconds_since_assistant is None or not conversation.previous_assistant_text:
            return 0.0
        if not transcript.strip():
            return 0.0
        vectors = self._embedder.embed([transcript, conversation.previous_assistant_text])
        fade = math.exp(-conversation.seconds_since_assistant / ACTIVE_EXCHANGE_S)
        return float(vectors[0] @ vectors[1]) * fade

    def decide_from_features(self, features: Mapping[str, float]) -> DirectednessDecision:
        score = self.model.score(features)
        directed = score >= self.model.threshold
        vetoed = veto(features)
        if vetoed:
            return DirectednessDecision(False, score, self.model.threshold, (vetoed,), dict(features))
        target, other = ("directed", "background") if directed else ("background", "directed")
        contributions = self.model.model.contributions(features, target, other)
        strongest = sorted(contributions.items(), key=lambda item: item[1], reverse=True)[:_REASONS_SHOWN]
        reasons = tuple(
            f"{FEATURE_DESCRIPTIONS.get(name, name)} ({value:+.1f})"
            for name, value in strongest
            if value >= _REASON_MIN_CONTRIBUTION
        )
        return DirectednessDecision(directed, score, self.model.threshold, reasons, dict(features))

    def decide(
        self,
        transcript: str,
        conversation: ConversationState,
        names: Sequence[str],
        voice: VoiceFeatures | None = None,
        room: RoomBaseline | None = None,
    ) -> DirectednessDecision:
        """Whether ``transcript`` (with its ``voice``, heard in ``room``) is addressed to the assistant.

        The caller adds the turn to ``room`` afterwards, whatever the decision.
        """
        room_features = room.features(voice) if room is not None and voice is not None else None
        return self.decide_from_features(self.features(transcript, conversation, names, room_features))
