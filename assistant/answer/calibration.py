"""How the extractive answerer weighs a candidate clause, and how sure it is of the one it picks.

The weights, the confidence curve and the abstention threshold are data (calibration.toml),
fitted by `assistant calibrate` on the dev items of the gold sets only; the file records what
it was fitted on and its cross-validated figures, so a change of weights is a reviewed data change.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CALIBRATION_FILE = Path(__file__).with_name("calibration.toml")
FEATURES = ("bias", "coverage", "own_coverage", "retrieval", "rank", "kind", "year", "period", "length")


@dataclass(frozen=True)
class Calibration:
    """Linear weights over FEATURES for ranking candidates; a logistic curve (slope, intercept)
    turning the best candidate's score into a confidence; answers below `threshold` abstain."""

    weights: tuple[float, ...]
    slope: float
    intercept: float
    threshold: float

    def score(self, features: tuple[float, ...]) -> float:
        return sum(w * f for w, f in zip(self.weights, features, strict=True))

    def confidence(self, score: float) -> float:
        return 1.0 / (1.0 + math.exp(-(self.slope * score + self.intercept)))


@cache
def load_calibration(path: Path = CALIBRATION_FILE) -> Calibration:
    """The calibration in `path` (the packaged one by default)."""
    with path.open("rb") as file:
        data = tomllib.load(file)
    weights = data["weights"]
    return Calibration(tuple(float(weights[name]) for name in FEATURES), float(data["confidence"]["slope"]),
                       float(data["confidence"]["intercept"]), float(data["threshold"]))


def write_calibration(calibration: Calibration, provenance: dict[str, object], path: Path = CALIBRATION_FILE) -> None:
    """Write a fitted calibration with where it came from (TOML, readable and diffable)."""
    lines = ["# Fitted by `assistant calibrate` on dev items only; never edited by hand.",
             f"threshold = {calibration.threshold:.4f}", "", "[fitted]"]
    lines += [f"{key} = {_toml(value)}" for key, value in provenance.items()]
    lines += ["", "[weights]"]
    lines += [f"{name} = {weight:.4f}" for name, weight in zip(FEATURES, calibration.weights, strict=True)]
    lines += ["", "[confidence]", f"slope = {calibration.slope:.4f}", f"intercept = {calibration.intercept:.4f}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    load_calibration.cache_clear()


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return f"{value}"
