"""``openlive bench proactive``: does openlive answer only the turns meant for it?

Sets under ``bench/data/proactive``. The first tuning set (``directedness.jsonl``) holds 259 turns in eight households:
commands, questions, turns using the assistant's name, follow-ups with the assistant's last
words and how long ago it spoke, and requests about a shared screen (to answer); TV and radio
narration, people talking to each other, chatter about others, self-talk, remarks about the
screen and fillers (to ignore). Each row names its voice and channel: the household's user
speaks close to the microphone, other people from across the room, the TV through a band-limited
loudspeaker at a lower level. Speech is synthesised, transcribed by Whisper base, and decided
turn by turn in each household's order, so the room baseline builds up as in a live session.

A second tuning set (``directedness-2.jsonl``, 128 turns in four more households, other voices)
was the held-out set of an earlier round and has been tuned on since. The held-out set
(``heldout.jsonl``, 128 turns in four other households, the same categories and new voices) was
written before the last round of tuning and is never used to fit or to choose anything: its
figures are the headline. ``--calibrate`` fits the model and its threshold on both tuning sets
(regularisation and threshold from 5-fold cross-validation there) and writes
``engine/proactivity/calibration.json``. The ablation rows are refitted on the tuning sets each
run. The first set's odd ids (its former report half) are also reported, with the shipped recipe
refitted on its even ids only; that half guided earlier design choices, so it is no longer a
clean test.
"""

from __future__ import annotations

import argparse
import math
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from openlive.bench.affect import CV_FOLDS, cross_validation_fold, f1_score
from openlive.bench.report import BenchTable, median, percentile
from openlive.bench.speechgen import SpokenItem, spoken_set
from openlive.engine.affect.linear import LinearModel, fit_linear_model
from openlive.engine.affect.voice import voice_features
from openlive.engine.affect.words import tokens
from openlive.engine.proactivity.detector import (
    CLASSES,
    FEATURES,
    ConversationState,
    DirectednessDetector,
    DirectednessModel,
    RoomBaseline,
    default_calibration_path,
    veto,
)
from openlive.engine.proactivity.names import assistant_names, edit_distance

DATA = Path(__file__).resolve().parents[3] / "bench" / "data" / "proactive" / "directedness.jsonl"
TUNING_SETS = (DATA, DATA.with_name("directedness-2.jsonl"))
HELDOUT = DATA.with_name("heldout.jsonl")
TARGET_F1 = 0.9
TARGET_BACKGROUND_ANSWERED = 0.05
# Stricter than the target: the held-out set is a fresh sample of ~60 background turns, where
# 5% is three turns, so the threshold is set against 3% on the tuning data.
CALIBRATION_BACKGROUND_ANSWERED = 0.03
_L2_GRID = (1.0, 4.0, 16.0, 64.0, 256.0)
_THRESHOLDS = np.round(np.linspace(0.05, 0.95, 91), 3)
_CONTEXT_FEATURES = frozenset(
    {
        "active_exchange",
        "assistant_asked",
        "active_short_reply",
        "active_follow_up_start",
        "active_question",
        "answers_assistant",
        "short_out_of_exchange",
        "screen_share",
        "screen_help",
        "sim_previous",
    }
)
_AUDIO_FEATURES = frozenset({"quieter_than_room", "slower_than_room"})
WORD_FEATURES = tuple(name for name in FEATURES if name not in _CONTEXT_FEATURES | _AUDIO_FEATURES)
WORD_CONTEXT_FEATURES = tuple(name for name in FEATURES if name not in _AUDIO_FEATURES)


@dataclass(frozen=True)
class Turn:
    id: str
    category: str
    directed: bool
    # "tune" or "report" (the first tuning set's even and odd ids), "tune-2" (the second) or "heldout".
    split: str
    transcript: str
    features: dict[str, float]


@dataclass(frozen=True)
class Scores:
    f1: float
    precision: float
    recall: float
    background_answered: float
    directed_answered: float


def score(truth: Sequence[bool], answered: Sequence[bool]) -> Scores:
    pairs = list(zip(truth, answered, strict=True))
    true_pos = sum(t and a for t, a in pairs)
    false_pos = sum(a and not t for t, a in pairs)
    false_neg = sum(t and not a for t, a in pairs)
    background = sum(not t for t in truth)
    return Scores(
        f1=f1_score(true_pos, false_pos, false_neg),
        precision=true_pos / max(true_pos + false_pos, 1),
        recall=true_pos / max(true_pos + false_neg, 1),
        background_answered=false_pos / max(background, 1),
        directed_answered=true_pos / max(true_pos + false_neg, 1),
    )


def household_turns(items: Sequence[SpokenItem], detector: DirectednessDetector, use_asr: bool) -> list[Turn]:
    """Every turn's features, deciding in household order so each room baseline builds up causally."""
    rooms: dict[str, RoomBaseline] = {}
    turns = []
    for item in sorted(items, key=lambda item: item.row["id"]):
        row = item.row
        context = row["context"]
        transcript = item.transcript if use_asr else row["text"]
        room = rooms.setdefault(row["session"], RoomBaseline())
        voice = voice_features(item.audio, transcript)
        conversation = ConversationState(
            seconds_since_assistant=context["seconds_since_assistant"],
            previous_assistant_text=context["previous_assistant_text"] or "",
            screen_share_active=context["screen_share"],
        )
        names = assistant_names(context["system_instruction"])
        features = detector.features(transcript, conversation, names, room.features(voice))
        room.add(voice)
        turns.append(Turn(row["id"], row["category"], row["directed"], row["split"], transcript, features))
    return turns


def _choose_threshold(scores: Sequence[float], truth: Sequence[bool]) -> float:
    """The threshold with the best F1 among those answering few enough background turns.

    Ties go to the middle of the tied range, so the threshold is not on the edge of a cliff.
    """
    results = []
    for threshold in _THRESHOLDS:
        result = score(truth, [s >= threshold for s in scores])
        if result.background_answered <= CALIBRATION_BACKGROUND_ANSWERED:
            results.append((round(result.f1, 6), float(threshold)))
    if not results:
        return float(_THRESHOLDS[-1])
    best = max(f1 for f1, _ in results)
    tied = [threshold for f1, threshold in results if f1 == best]
    return tied[len(tied) // 2]


def fit_model(turns: Sequence[Turn], feature_names: Sequence[str]) -> tuple[DirectednessModel, float]:
    """A model fitted on ``turns``, and its cross-validated F1.

    The L2 strength is the one with the best cross-validated log-loss (the best-calibrated
    probabilities); the threshold then gives the best cross-validated F1 among those answering
    at most :data:`CALIBRATION_BACKGROUND_ANSWERED` of background turns. Turns the veto rules
    decide are left out of the fit: the model is for the others.
    """
    rows = [turn.features for turn in turns]
    labels = [CLASSES[turn.directed] for turn in turns]
    truth = [turn.directed for turn in turns]
    folds = [cross_validation_fold(turn.id) for turn in turns]
    open_turns = [i for i in range(len(turns)) if not veto(rows[i])]

    def fit(indices: Sequence[int], l2: float) -> LinearModel:
        return fit_linear_model([rows[i] for i in indices], [labels[i] for i in indices], CLASSES, feature_names, l2)

    best: tuple[float, float, list[float]] = (math.inf, 0.0, [])
    for l2 in _L2_GRID:
        held_out = [0.0] * len(turns)
        for fold in range(CV_FOLDS):
            model = DirectednessModel(fit([i for i in open_turns if folds[i] != fold], l2), 0.5)
            for i in (i for i in range(len(turns)) if folds[i] == fold):
                held_out[i] = model.score(rows[i])
        loss = _log_loss(held_out, truth)
        if loss < best[0]:
            best = (loss, l2, held_out)
    _, l2, held_out = best
    threshold = _choose_threshold(held_out, truth)
    cv_f1 = score(truth, [s >= threshold for s in held_out]).f1
    return DirectednessModel(fit(open_turns, l2), threshold), cv_f1


def _log_loss(probabilities: Sequence[float], truth: Sequence[bool]) -> float:
    clipped = np.clip(np.asarray(probabilities), 1e-4, 1 - 1e-4)
    return float(-np.mean(np.where(truth, np.log(clipped), np.log(1 - clipped))))


def _answers(model: DirectednessModel, turns: Sequence[Turn]) -> list[bool]:
    return [model.score(turn.features) >= model.threshold for turn in turns]


def _row(table: BenchTable, name: str, result: Scores) -> None:
    table.add_row(
        name,
        f"{result.f1:.3f}",
        f"{result.precision:.3f}",
        f"{result.recall:.3f}",
        f"{100 * result.background_answered:.1f}%",
    )


def _category_table(turns: Sequence[Turn], answered: Sequence[bool]) -> BenchTable:
    table = BenchTable(
        "proactive-categories",
        "Directedness by category (shipped model, ASR transcripts), held-out set",
        ["category", "should answer", "turns", "answered", "correct"],
    )
    by_category: Mapping[str, list[tuple[Turn, bool]]] = defaultdict(list)
    for turn, answer in zip(turns, answered, strict=True):
        by_category[turn.category].append((turn, answer))
    for category, pairs in sorted(by_category.items(), key=lambda item: (not item[1][0][0].directed, item[0])):
        correct = sum(answer == turn.directed for turn, answer in pairs)
        table.add_row(
            category,
            "yes" if pairs[0][0].directed else "no",
            len(pairs),
            sum(answer for _, answer in pairs),
            f"{correct}/{len(pairs)}",
        )
    return table


def _per_turn_ms(items: Sequence[SpokenItem], detector: DirectednessDetector, runs: int) -> list[float]:
    """Milliseconds per turn for prosody, cues, embeddings and the model, warm, over ``runs`` passes."""
    latencies = []
    for _ in range(runs):
        for item in items:
            context = item.row["context"]
            start = time.perf_counter()
            voice = voice_features(item.audio, item.transcript)
            detector.decide(
                item.transcript,
                ConversationState(context["seconds_since_assistant"], context["previous_assistant_text"] or ""),
                assistant_names(context["system_instruction"]),
                voice,
                RoomBaseline(),
            )
            latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def _mistakes(model: DirectednessModel, turns: Sequence[Turn], answered: Sequence[bool]) -> str:
    wrong = [
        f"{turn.id} {turn.category}: {turn.transcript!r} → {'answered' if answer else 'ignored'} "
        f"(score {model.score(turn.features):.2f})"
        for turn, answer in zip(turns, answered, strict=True)
        if answer != turn.directed
    ]
    return "; ".join(wrong) if wrong else "none"


def word_error_rate(items: Sequence[SpokenItem]) -> float:
    """Word edits from the written text to what ASR heard, over all written words."""
    edits = sum(edit_distance(tokens(item.row["text"]), tokens(item.transcript)) for item in items)
    return edits / max(sum(len(tokens(item.row["text"])) for item in items), 1)


def _verdict(result: Scores) -> str:
    met = result.f1 >= TARGET_F1 and result.background_answered <= TARGET_BACKGROUND_ANSWERED
    return (
        f"Targets {'met' if met else 'MISSED'} on the held-out set: F1 {result.f1:.3f} (target ≥ {TARGET_F1}), "
        f"background answered {100 * result.background_answered:.1f}% "
        f"(target ≤ {100 * TARGET_BACKGROUND_ANSWERED:.0f}%)."
    )


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="openlive bench proactive", description=__doc__.splitlines()[0])
    parser.add_argument("--calibrate", action="store_true", help="fit on the tuning sets and save the model")
    parser.add_argument("--tuning", type=Path, nargs="+", default=list(TUNING_SETS), help="the tuning sets")
    parser.add_argument("--heldout", type=Path, default=HELDOUT, help="the held-out set")
    parser.add_argument("--runs", type=int, default=3, help="timing passes over the held-out set")
    args = parser.parse_args(argv)

    from openlive.backends.asr.whisper import WhisperAsr
    from openlive.backends.embedder.minilm import MiniLmEmbedder

    print("synthesising and transcribing (cached under the bench-audio directory)…", flush=True)
    asr = WhisperAsr()
    tuning_items = [item for path in args.tuning for item in spoken_set("proactive", path, asr)]
    heldout_items = spoken_set("proactive", args.heldout, asr)
    embedder = MiniLmEmbedder()
    detector = DirectednessDetector(embedder)
    tuning = household_turns(tuning_items, detector, use_asr=True)
    notes = []
    if args.calibrate:
        model, cv_f1 = fit_model(tuning, FEATURES)
        model.save(default_calibration_path())
        detector = DirectednessDetector(embedder, model)
        notes.append(
            f"Calibrated now on the tuning sets: threshold {model.threshold:.2f}, cross-validated F1 {cv_f1:.3f}."
        )
    shipped = detector.model
    heldout = household_turns(heldout_items, detector, use_asr=True)
    heldout_written = household_turns(heldout_items, detector, use_asr=False)
    truth = [turn.directed for turn in heldout]

    table = BenchTable(
        "proactive",
        f"Directedness on the held-out set ({len(heldout)} turns, {sum(truth)} directed) — "
        f"targets F1 ≥ {TARGET_F1}, background answered ≤ {100 * TARGET_BACKGROUND_ANSWERED:.0f}%",
        ["condition", "F1", "precision", "recall", "background answered"],
    )
    for name, feature_names in (("words only", WORD_FEATURES), ("words + conversation", WORD_CONTEXT_FEATURES)):
        model, _ = fit_model(tuning, feature_names)
        _row(table, f"{name} (refitted on the tuning sets)", score(truth, _answers(model, heldout)))
    shipped_answers = _answers(shipped, heldout)
    headline = score(truth, shipped_answers)
    _row(table, "words + conversation + audio (shipped)", headline)
    _row(table, "shipped, written text instead of ASR", score(truth, _answers(shipped, heldout_written)))
    old_tune = [turn for turn in tuning if turn.split == "tune"]
    old_report = [turn for turn in tuning if turn.split == "report"]
    half_model, _ = fit_model(old_tune, FEATURES)
    old_result = score([turn.directed for turn in old_report], _answers(half_model, old_report))
    _row(table, f"old report half ({len(old_report)} turns), shipped recipe refitted on the even ids", old_result)

    latencies = _per_turn_ms(heldout_items, detector, args.runs)
    notes += [
        _verdict(headline),
        f"Tuning sets: {len(tuning)} turns ({', '.join(path.name for path in args.tuning)}); held-out set: "
        f"{len(heldout)} turns ({args.heldout.name}), written before the last round of tuning and never fitted on.",
        f"Whisper base word error rate: {100 * word_error_rate(heldout_items):.0f}% on the held-out set, "
        f"{100 * word_error_rate(tuning_items):.0f}% on the tuning sets.",
        f"Shipped threshold {shipped.threshold:.2f} on the model's probability of 'directed'; the old-report-half "
        f"row uses threshold {half_model.threshold:.2f} from cross-validation on the even ids.",
        f"Per-turn cost (prosody + cues + 2 embeddings, warm, 1 thread): median {median(latencies):.1f} ms, "
        f"p95 {percentile(latencies, 95):.1f} ms over {args.runs} passes of the held-out set.",
        "Mistakes of the shipped model on the held-out set: " + _mistakes(shipped, heldout, shipped_answers),
        "Mistakes on the old report half (refitted model): "
        + _mistakes(half_model, old_report, _answers(half_model, old_report)),
    ]
    table.notes = notes
    for result in (table, _category_table(heldout, shipped_answers)):
        print(result.render())
        result.save()
    return 0
