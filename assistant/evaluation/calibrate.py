"""Fitting the extractive answerer's calibration on dev items only (`assistant calibrate`).

Every candidate clause the answerer considers for a dev item is labelled by whether it states a
gold figure of the gold report. The ranking weights are searched one at a time from the current
ones, keeping a change only when more dev places get a right best candidate (a candidate-level
logistic regression ranked worse, measured); a logistic curve over the best candidate's score
gives the confidence; the abstention threshold is the one with the most right dev answers less
WRONG_COST per wrong one. The whole procedure is cross-validated (k folds by item) and the fitted
weights are kept only when they beat the current ones on the held-out folds. Test items are never
read.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.answer.answerers.extractive import results_first, weighed
from assistant.answer.calibration import FEATURES, Calibration, load_calibration
from assistant.answer.service import Assistant
from assistant.evaluation.gold import GoldItem
from assistant.lang.zh.numbers import extract_figures, parse_quantity, same_quantity

FOLDS = 5
THRESHOLDS = np.round(np.arange(0.05, 0.96, 0.025), 3)
# A wrong figure costs this many abstentions when the threshold is chosen: the product's first rule
# is that "not found" is acceptable and a wrong number is not. A stated priority, not a fitted value.
WRONG_COST = 2.0


@dataclass
class Decision:
    """The best candidate for one place of one dev item: its features and whether it is right."""

    item: int
    features: np.ndarray
    right: bool  # it states a gold figure of the gold report


def _states_gold(item: GoldItem, doc_id: str, text: str) -> bool:
    for gold in item.answers:
        if gold.doc != doc_id:
            continue
        if item.type == "text":
            if gold.value in text:
                return True
        elif any(same_quantity(parse_quantity(gold.value, gold.unit), f) for f in extract_figures(text)):
            return True
    return False


def _fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 50) -> np.ndarray:
    """Weights of a logistic regression (Newton's method, L2 on all but the bias)."""
    w = np.zeros(x.shape[1])
    penalty = np.eye(x.shape[1]) * l2
    penalty[0, 0] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w)))
        gradient = x.T @ (p - y) + penalty @ w
        hessian = x.T @ (x * (p * (1 - p))[:, None]) + penalty + 1e-9 * np.eye(x.shape[1])
        w -= np.linalg.solve(hessian, gradient)
    return w


def collect(assistant: Assistant, items: Sequence[GoldItem]) -> tuple[np.ndarray, np.ndarray, list[list]]:
    """(candidate features, candidate labels, and per item and place [item number, its candidates'
    features, their labels]): the choices the offline answerer makes, and no others (a question
    refused before it, a figure of another kind than asked, a plan where a result would be
    answered: that choice is made with the calibration in force)."""
    current = load_calibration()
    groups: list[list] = []
    xs, ys = [], []
    for number, item in enumerate(items):
        for intent, hits in assistant.passages(item.question, item.history):
            for found in assistant.offline.candidates(intent, hits).values():
                found = results_first(weighed(found), intent, current)
                if found:
                    xs.append(np.array([c.features for c in found]))
                    ys.append(np.array([_states_gold(item, c.hit.chunk.doc_id, c.hit.chunk.text[c.start:c.end])
                                        for c in found]))
                    groups.append([number, xs[-1], ys[-1]])
    return np.vstack(xs), np.concatenate(ys).astype(float), groups


def _decisions(weights: np.ndarray, groups: list[list]) -> list[Decision]:
    out = []
    for number, features, labels in groups:
        best = int(np.argmax(features @ weights))
        out.append(Decision(number, features[best], bool(labels[best])))
    return out


def _accuracy(confidences: np.ndarray, decisions: Sequence[Decision], threshold: float) -> float:
    """Share of (item, place) decisions that come out right: a right candidate answered, or a place
    without an answer (or whose best candidate is wrong) left unanswered."""
    answered = confidences >= threshold
    right = np.array([d.right for d in decisions])
    return float(np.mean(np.where(answered, right, ~right)))


def _utility(confidences: np.ndarray, decisions: Sequence[Decision], threshold: float) -> float:
    """Right answers less WRONG_COST per wrong one: what the threshold is chosen for."""
    answered = confidences >= threshold
    right = np.array([d.right for d in decisions])
    return float(np.sum(answered & right) - WRONG_COST * np.sum(answered & ~right))


def _platt(scores: np.ndarray, right: np.ndarray) -> tuple[float, float]:
    w = _fit_logistic(np.column_stack([np.ones_like(scores), scores]), right.astype(float), l2=0.01)
    return float(w[1]), float(w[0])


STEPS = (-1.0, -0.3, -0.1, 0.1, 0.3, 1.0)  # multiples of a weight's scale tried in each search round


def _top1(weights: np.ndarray, groups: list[list]) -> float:
    return float(np.mean([d.right for d in _decisions(weights, groups)]))


def _search_weights(start: np.ndarray, groups: list[list], rounds: int = 3) -> np.ndarray:
    """Coordinate search from `start`: a weight moves only when more places get a right best
    candidate (ties keep the current weight, so nothing changes without evidence)."""
    weights, best = start.copy(), _top1(start, groups)
    for _ in range(rounds):
        improved = False
        for i in range(1, len(weights)):  # the bias does not change a ranking
            scale = max(abs(start[i]), 0.1)
            for step in STEPS:
                trial = weights.copy()
                trial[i] += step * scale
                value = _top1(trial, groups)
                if value > best + 1e-9:
                    weights, best, improved = trial, value, True
        if not improved:
            break
    return weights


def _confidences(scores: np.ndarray, slope: float, intercept: float) -> np.ndarray:
    """Calibration.confidence over many scores at once."""
    return 1 / (1 + np.exp(-(slope * scores + intercept)))


def _curve_and_threshold(weights: np.ndarray, groups: list[list]) -> tuple[float, float, float]:
    decisions = _decisions(weights, groups)
    scores = np.array([d.features @ weights for d in decisions])
    slope, intercept = _platt(scores, np.array([d.right for d in decisions]))
    confidences = _confidences(scores, slope, intercept)
    threshold = max(THRESHOLDS, key=lambda t: _utility(confidences, decisions, t))
    return slope, intercept, float(threshold)


def _held_out(weights: np.ndarray, curve: tuple[float, float, float], groups: list[list]) -> float:
    slope, intercept, threshold = curve
    decisions = _decisions(weights, groups)
    scores = np.array([d.features @ weights for d in decisions])
    return _accuracy(_confidences(scores, slope, intercept), decisions, threshold)


def _cross_validated(start: np.ndarray, groups: list[list], n_items: int, search: bool) -> float:
    """Decision accuracy on held-out folds; on each, the weights (searched from `start` when
    `search`, else kept), curve and threshold are fitted on the other folds."""
    folds = np.arange(n_items) % FOLDS
    results = []
    for fold in range(FOLDS):
        train = [g for g in groups if folds[g[0]] != fold]
        test = [g for g in groups if folds[g[0]] == fold]
        if train and test:
            weights = _search_weights(start, train) if search else start
            results.append((_held_out(weights, _curve_and_threshold(weights, train), test), len(test)))
    return sum(a * n for a, n in results) / max(1, sum(n for _, n in results))


def fit(assistant: Assistant, items: Sequence[GoldItem], start: Calibration) -> tuple[Calibration, dict[str, object]]:
    """The calibration fitted on `items` (dev only) from `start`, and what to record about the fit."""
    if any(item.split != "dev" for item in items):
        raise ValueError("calibration is fitted on dev items only")
    _, y, groups = collect(assistant, items)
    initial = np.array(start.weights)
    kept_cv = _cross_validated(initial, groups, len(items), search=False)
    searched_cv = _cross_validated(initial, groups, len(items), search=True)
    weights = _search_weights(initial, groups) if searched_cv > kept_cv else initial
    slope, intercept, threshold = _curve_and_threshold(weights, groups)
    calibration = Calibration(tuple(float(w) for w in weights), slope, intercept, threshold)
    provenance = {"on": "dev items only", "items": len(items), "candidates": len(y), "decisions": len(groups),
                  "dev_accuracy": round(_held_out(weights, (slope, intercept, threshold), groups), 3),
                  "cv_accuracy": round(max(kept_cv, searched_cv), 3), "cv_accuracy_kept_weights": round(kept_cv, 3),
                  "cv_accuracy_searched_weights": round(searched_cv, 3),
                  "weights_searched": bool(searched_cv > kept_cv), "folds": FOLDS, "date": time.strftime("%Y-%m-%d")}
    return calibration, provenance


__all__ = ["FEATURES", "fit"]
