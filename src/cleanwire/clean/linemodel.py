"""A learnt line model for page dumps: shallow features of a line and its neighbours -> keep or drop.

The rules (lines.py, region.py) decide first; the model reads their verdicts as features, with the
line's shape (length, sentence end, stopword density as the rule score carries it, case) and its
neighbours', and gives each line a probability of being article text. The cleaner then changes a
rule decision only where the model is confident (text.py: `refine_with_model`), never for a line a
rule marked as sure junk (END, STRONG_JUNK: a known phrase, a template line).

The weights are a logistic regression trained by `python -m cleanwire.bench train-lines` and shipped
in `cleanwire/data/line_model.json` (provenance beside it); inference is numpy, no download.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

from cleanwire.clean.lines import END, GOOD, JUNK, MEDIUM, SHORT, STRONG_JUNK, LineVerdicts

FEATURES = (
    "log_words", "log_chars", "chars_per_word", "end", "strong_junk", "junk", "short", "medium", "good",
    "rule_keep", "in_region", "above_region", "below_region", "region_distance", "repeated", "rule_score",
    "ends_sentence", "ends_colon", "commas_per_word", "position", "prev_keep", "next_keep",
    "prev_prose", "next_prose", "prev_log_words", "next_log_words", "window_keep", "window_prose",
    "page_kept_share", "page_log_lines", "keep_x_log_words", "outside_prose_x_log_words",
)
_WINDOW = 3  # lines either side that the window features average over
_SENTENCE_CHARS = frozenset(".!?。！？…;\"'”’»)]")
MODEL_FILE = "line_model.json"

Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class LineModel:
    """A logistic regression over standardised features; `threshold_keep`/`threshold_drop` set where it acts."""

    mean: Matrix
    scale: Matrix
    weights: Matrix
    bias: float
    threshold_keep: float  # a line the rules drop is kept when p >= this
    threshold_drop: float  # a line the rules keep is dropped when p < this

    def predict(self, features: Matrix) -> Matrix:
        """P(article line) for each row of `features`."""
        z = features @ (self.weights / self.scale) + (self.bias - float(self.mean @ (self.weights / self.scale)))
        out: Matrix = 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))
        return out

    def to_json(self, extra: dict[str, object] | None = None) -> str:
        data: dict[str, object] = {
            "features": list(FEATURES), "mean": _rounded(self.mean), "scale": _rounded(self.scale),
            "weights": _rounded(self.weights), "bias": round(float(self.bias), 6),
            "threshold_keep": self.threshold_keep, "threshold_drop": self.threshold_drop,
        }
        data.update(extra or {})
        return json.dumps(data, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> LineModel:
        data = json.loads(text)
        if list(data["features"]) != list(FEATURES):
            raise ValueError("line model: its features are not this version's")
        return cls(
            np.asarray(data["mean"], dtype=np.float64), np.asarray(data["scale"], dtype=np.float64),
            np.asarray(data["weights"], dtype=np.float64), float(data["bias"]),
            float(data["threshold_keep"]), float(data["threshold_drop"]),
        )


def _rounded(values: Matrix) -> list[float]:
    return [round(float(v), 6) for v in values]


@lru_cache(maxsize=1)
def shipped_model() -> LineModel:
    """The model shipped in the package (read once)."""
    text = resources.files("cleanwire").joinpath("data").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    return LineModel.from_json(text)


def shipped_training_sets() -> set[str]:
    """The names of the dev sets (folder names) the shipped model was trained on, from its provenance."""
    text = resources.files("cleanwire").joinpath("data").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    sets = json.loads(text).get("provenance", {}).get("trained_on", [])
    return {Path(spec.partition(":")[0]).name for spec in sets}


def load_model(path: Path) -> LineModel:
    """A model written by the training command."""
    return LineModel.from_json(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class _Lines:
    """What the features of every line are made of: the rules' verdicts and the region, as arrays."""

    classes: npt.NDArray[np.int64]
    words: Matrix
    kept: Matrix
    chars: Matrix
    prose: Matrix
    log_words: Matrix
    safe_words: Matrix
    index: Matrix
    above: npt.NDArray[np.bool_]
    below: npt.NDArray[np.bool_]
    outside: npt.NDArray[np.bool_]
    distance: Matrix
    kept_share: float

    @classmethod
    def of(cls, lines: list[str], verdicts: LineVerdicts, start: int, end: int, keep: list[bool]) -> _Lines:
        classes = np.array(verdicts.classes)
        words = np.array(verdicts.words, dtype=np.float64)
        kept = np.array(keep, dtype=np.float64)
        index = np.arange(len(lines), dtype=np.float64)
        above, below = index < start, index >= end
        return cls(
            classes, words, kept, np.array(list(map(len, lines)), dtype=np.float64),
            (classes >= MEDIUM).astype(np.float64), np.log1p(words), np.maximum(words, 1.0), index, above, below,
            above | below, np.where(above, start - index, 0.0) + np.where(below, index - end + 1, 0.0),
            float(words @ kept) / max(float(words.sum()), 1.0),
        )


def line_features(lines: list[str], verdicts: LineVerdicts, start: int, end: int, keep: list[bool]) -> Matrix:
    """One row of FEATURES per line, from the rules' verdicts and the body region [start, end) they chose.

    Built with whole-array operations and a few C-level passes over the lines: it runs on every page.
    """
    n = len(lines)
    if not n:
        return np.zeros((0, len(FEATURES)))
    c = _Lines.of(lines, verdicts, start, end, keep)
    classes, kept, chars, prose, log_words, safe_words, index = (c.classes, c.kept, c.chars, c.prose, c.log_words,
                                                                  c.safe_words, c.index)
    above, below, outside, distance, kept_share = c.above, c.below, c.outside, c.distance, c.kept_share
    lasts = [line[-1] for line in lines]
    ends = np.array([ch in _SENTENCE_CHARS for ch in lasts], dtype=np.float64)
    colon = np.array([ch == ":" for ch in lasts], dtype=np.float64)
    commas = np.array([line.count(",") for line in lines], dtype=np.float64)
    out = np.empty((n, len(FEATURES)))
    out[:, 0] = log_words
    out[:, 1] = np.log1p(chars)
    out[:, 2] = np.minimum(chars / safe_words, 20.0)
    out[:, 3:9] = classes[:, None] == _CLASSES
    out[:, 9] = kept
    out[:, 10] = ~outside
    out[:, 11] = above
    out[:, 12] = below
    out[:, 13] = np.log1p(distance)
    out[:, 14] = verdicts.repeated
    out[:, 15] = verdicts.scores
    out[:, 16] = ends
    out[:, 17] = colon
    out[:, 18] = np.minimum(commas / safe_words, 1.0)
    out[:, 19] = index / max(n - 1, 1)
    for column, values in ((20, kept), (22, prose), (24, log_words)):
        out[0, column], out[1:, column] = 0.0, values[:-1]  # the line above's
        out[-1, column + 1], out[:-1, column + 1] = 0.0, values[1:]  # the line below's
    out[:, 26] = _window_mean(kept)
    out[:, 27] = _window_mean(prose)
    out[:, 28] = kept_share
    out[:, 29] = np.log1p(n)
    out[:, 30] = kept * log_words
    out[:, 31] = prose * outside * log_words
    return out


_CLASSES = np.array([END, STRONG_JUNK, JUNK, SHORT, MEDIUM, GOOD])
_WINDOW_KERNEL = np.ones(2 * _WINDOW + 1) / (2 * _WINDOW + 1)


def _window_mean(values: Matrix) -> Matrix:
    """The sum of each line's value and its _WINDOW neighbours either side, over 2 * _WINDOW + 1."""
    out: Matrix = np.convolve(values, _WINDOW_KERNEL)[_WINDOW:_WINDOW + len(values)]
    return out


def line_changes(
    lines: list[str], verdicts: LineVerdicts, start: int, end: int, keep: list[bool], model: LineModel
) -> tuple[list[int], Matrix]:
    """The lines whose rule decision the model overturns, and every line's P(article).

    The same sum as `model.predict(line_features(...))`, folded per feature group into fewer array
    operations (class weights by table look-up, the neighbours' terms summed once): this runs on every page.
    """
    n = len(lines)
    a = model.weights / model.scale
    bias = model.bias - float(model.mean @ a)
    c = _Lines.of(lines, verdicts, start, end, keep)
    classes, kept, chars, prose, log_words, safe_words, index = (c.classes, c.kept, c.chars, c.prose, c.log_words,
                                                                  c.safe_words, c.index)
    above, below, outside, distance, kept_share = c.above, c.below, c.outside, c.distance, c.kept_share
    repeated = np.array(verdicts.repeated, dtype=bool)
    last_weight = dict.fromkeys(_SENTENCE_CHARS, a[16])
    last_weight[":"] = a[17]
    z = np.array([last_weight.get(line[-1], 0.0) for line in lines])
    z += a[18] * np.minimum(np.array([line.count(",") for line in lines]) / safe_words, 1.0)
    z += a[0] * log_words + a[1] * np.log1p(chars) + a[2] * np.minimum(chars / safe_words, 20.0)
    z += a[3:9][classes]
    z += (a[9] + a[30] * log_words) * kept + a[10] + (a[11] - a[10]) * above + (a[12] - a[10]) * below
    z += a[13] * np.log1p(distance) + a[14] * repeated + a[15] * np.array(verdicts.scores)
    z += a[19] * index / max(n - 1, 1) + a[31] * prose * outside * log_words
    above_terms = a[20] * kept + a[22] * prose + a[24] * log_words  # what a line gives the line below it
    below_terms = a[21] * kept + a[23] * prose + a[25] * log_words  # ... and the line above it
    z[1:] += above_terms[:-1]
    z[:-1] += below_terms[1:]
    z += np.convolve(a[26] * kept + a[27] * prose, _WINDOW_KERNEL)[_WINDOW:_WINDOW + n]
    z += bias + a[28] * kept_share + a[29] * np.log1p(n)
    probs: Matrix = 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))
    is_kept = kept > 0
    drop = is_kept & (probs < model.threshold_drop)
    add = ~is_kept & (classes > STRONG_JUNK) & ~repeated & (probs >= model.threshold_keep)
    changes: list[int] = np.flatnonzero(drop | add).tolist()
    return changes, probs
