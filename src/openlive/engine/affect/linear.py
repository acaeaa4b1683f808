"""A small multinomial logistic regression over named features, fitted with numpy.

The affect and proactivity stages turn each turn into a few dozen named numbers and
need calibrated probabilities from them. With a hundred-odd labelled turns to fit on, a
regularised linear model is about as much as the data supports, and it stays readable:
every weight has a feature name. Models are stored as JSON next to the code.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

_ITERATIONS = 3000
_LEARNING_RATE = 0.5


@dataclass(frozen=True)
class LinearModel:
    classes: tuple[str, ...]
    feature_names: tuple[str, ...]
    # Standardisation fitted on the training rows: (value - mean) / scale.
    mean: FloatArray
    scale: FloatArray
    weights: FloatArray  # (classes, features)
    bias: FloatArray  # (classes,)

    def vector(self, features: Mapping[str, float]) -> FloatArray:
        """The standardised input; missing or NaN features sit at the training mean."""
        raw = np.array([features.get(name, math.nan) for name in self.feature_names], dtype=np.float64)
        raw = np.where(np.isnan(raw), self.mean, raw)
        standardised: FloatArray = (raw - self.mean) / self.scale
        return standardised

    def logits(self, features: Mapping[str, float]) -> FloatArray:
        result: FloatArray = self.weights @ self.vector(features) + self.bias
        return result

    def probabilities(self, features: Mapping[str, float]) -> dict[str, float]:
        return dict(zip(self.classes, softmax(self.logits(features)).tolist(), strict=True))

    def contributions(self, features: Mapping[str, float], target: str, other: str) -> dict[str, float]:
        """How much each feature moves the log-odds of ``target`` over ``other``."""
        difference = self.weights[self.classes.index(target)] - self.weights[self.classes.index(other)]
        values = difference * self.vector(features)
        return dict(zip(self.feature_names, values.tolist(), strict=True))

    def to_json(self) -> dict[str, Any]:
        return {
            "classes": list(self.classes),
            "features": {
                name: {
                    "mean": round(float(self.mean[i]), 6),
                    "scale": round(float(self.scale[i]), 6),
                    "weights": [round(float(w), 6) for w in self.weights[:, i]],
                }
                for i, name in enumerate(self.feature_names)
            },
            "bias": [round(float(b), 6) for b in self.bias],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LinearModel:
        names = tuple(data["features"])
        columns = [data["features"][name] for name in names]
        return cls(
            classes=tuple(data["classes"]),
            feature_names=names,
            mean=np.array([c["mean"] for c in columns], dtype=np.float64),
            scale=np.array([c["scale"] for c in columns], dtype=np.float64),
            weights=np.array([c["weights"] for c in columns], dtype=np.float64).T.reshape(
                len(data["classes"]), len(names)
            ),
            bias=np.array(data["bias"], dtype=np.float64),
        )


def softmax(logits: FloatArray) -> FloatArray:
    shifted = np.exp(logits - np.max(logits, axis=-1, keepdims=True))
    result: FloatArray = shifted / np.sum(shifted, axis=-1, keepdims=True)
    return result


def fit_linear_model(
    rows: Sequence[Mapping[str, float]],
    labels: Sequence[str],
    classes: Sequence[str],
    feature_names: Sequence[str],
    l2: float = 1.0,
) -> LinearModel:
    """Maximum-likelihood weights with an L2 penalty (``l2`` per row), by full-batch gradient descent.

    The problem is convex and small, so plain gradient descent on standardised inputs converges
    in a few thousand steps and gives the same weights every run.
    """
    raw = np.array([[row.get(name, math.nan) for name in feature_names] for row in rows], dtype=np.float64)
    mean = np.nanmean(raw, axis=0)
    mean = np.where(np.isnan(mean), 0.0, mean)
    raw = np.where(np.isnan(raw), mean, raw)
    scale = raw.std(axis=0)
    scale = np.where(scale < 1e-9, 1.0, scale)
    inputs = (raw - mean) / scale
    targets = np.zeros((len(rows), len(classes)))
    targets[np.arange(len(rows)), [list(classes).index(label) for label in labels]] = 1.0
    weights = np.zeros((len(classes), len(feature_names)))
    bias = np.zeros(len(classes))
    count = len(rows)
    for _ in range(_ITERATIONS):
        error = softmax(inputs @ weights.T + bias) - targets
        weights -= _LEARNING_RATE * (error.T @ inputs / count + l2 * weights / count)
        bias -= _LEARNING_RATE * error.mean(axis=0)
    return LinearModel(tuple(classes), tuple(feature_names), mean, scale, weights, bias)
