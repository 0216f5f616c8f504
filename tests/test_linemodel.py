"""The learnt line model of the text-dump cleaner: loading, inference, labels and the training command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from cleanwire.bench.trainlines import command as train_command
from cleanwire.bench.trainlines import snippet_labels, truth_labels
from cleanwire.clean import clean_text_dump
from cleanwire.clean.linemodel import (
    FEATURES,
    LineModel,
    line_changes,
    line_features,
    load_model,
    shipped_model,
)
from cleanwire.clean.text import rule_pass
from cleanwire.config import Config, config_from_options

ARTICLE = [
    "The council voted on Tuesday to rebuild the old bridge over the river, after years of debate about its cost.",
    "Engineers said the new bridge would carry twice the traffic and open to cyclists in the spring of next year.",
    "Residents who spoke at the meeting were mostly in favour, though some asked who would pay for the repairs.",
]
PAGE = "\n".join([
    "Home", "News", "Sport", "Weather", "Bridge to be rebuilt",
    *ARTICLE,
    "Subscribe to our newsletter", "Share on Facebook", "© 2024 Example Times. All rights reserved.",
])


def test_shipped_model_loads_with_this_versions_features() -> None:
    model = shipped_model()
    assert model.weights.shape == (len(FEATURES),)
    assert model.mean.shape == model.scale.shape == (len(FEATURES),)
    assert np.all(model.scale > 0)
    assert 0.0 <= model.threshold_drop <= model.threshold_keep <= 1.0


def test_inference_is_deterministic_and_keeps_the_article() -> None:
    model = shipped_model()
    first = clean_text_dump(PAGE, line_model=True, explain=True)
    second = clean_text_dump(PAGE, line_model=model, explain=True)
    assert first == second
    for sentence in ARTICLE:
        assert sentence in first.body
    for junk in ("Subscribe to our newsletter", "Share on Facebook", "All rights reserved"):
        assert junk not in first.body
    lines = PAGE.split("\n")
    _, verdicts, body = rule_pass(lines, None, False)
    probs = model.predict(line_features(lines, verdicts, body.start, body.end, body.keep))
    assert probs.shape == (len(lines),)
    assert np.all((probs >= 0) & (probs <= 1))
    assert min(probs[5:8]) > max(probs[:4])  # article lines read as article more than the menu


def test_a_confident_model_overrules_the_rules_but_never_on_sure_junk() -> None:
    n = len(FEATURES)
    keep_all = LineModel(np.zeros(n), np.ones(n), np.zeros(n), 10.0, 0.5, 0.5)  # p = 1 for every line
    result = clean_text_dump(PAGE, line_model=keep_all, explain=True)
    assert "Bridge to be rebuilt" in result.body  # a short line the rules drop
    assert "Subscribe to our newsletter" not in result.body  # a junk phrase stays dropped
    assert any(d.rule == "line-model-keep" for d in result.decisions)
    drop_all = LineModel(np.zeros(n), np.ones(n), np.zeros(n), -10.0, 0.5, 0.5)  # p = 0
    assert clean_text_dump(PAGE, line_model=drop_all).body == ""


def test_model_round_trips_through_json() -> None:
    model = shipped_model()
    again = LineModel.from_json(model.to_json())
    assert np.allclose(again.weights, model.weights) and again.bias == round(model.bias, 6)


def test_snippet_labels_mark_lines_holding_snippets_even_across_lines() -> None:
    lines = ["Menu", "The first line of the story", "goes on here.", "Sign up now"]
    labels, weights = snippet_labels(lines, ["story goes on"], ["Sign up"])
    assert labels.tolist() == [-1, 1, 1, 0]
    assert weights.sum() == 1.0 and weights[0] == 0


def test_truth_labels_follow_the_shingles_of_the_truth() -> None:
    lines = ["Home page", "one two three four five six", "seven eight nine ten eleven"]
    labels, weights = truth_labels(lines, "one two three four five six\nsomething else")
    assert labels.tolist() == [0, 1, 0]
    assert abs(weights.sum() - 1.0) < 1e-9


def test_training_command_runs_on_a_tiny_made_up_set(tmp_path: Path) -> None:
    dumps = tmp_path / "tiny" / "dump_lines"
    dumps.mkdir(parents=True)
    labels = {}
    for k in range(4):
        (dumps / f"p{k}.txt").write_text(PAGE.replace("bridge", f"bridge {k}"), encoding="utf-8")
        labels[f"p{k}"] = {"with": ["Engineers said the new", "Bridge to be rebuilt"], "without": ["Home", "Weather"]}
    (tmp_path / "tiny" / "labels.json").write_text(json.dumps(labels), encoding="utf-8")
    outs = [tmp_path / "a.json", tmp_path / "b.json"]
    for out in outs:
        result = CliRunner().invoke(train_command, [str(tmp_path / "tiny"), "--out", str(out)])
        assert result.exit_code == 0, result.output
    assert outs[0].read_text() == outs[1].read_text()  # no random state: the same file twice
    model = load_model(outs[0])
    assert np.any(model.weights != 0)
    provenance = json.loads(outs[0].read_text())["provenance"]
    assert provenance["trained_on"] == [str(tmp_path / "tiny")]


def test_the_fast_inference_path_agrees_with_the_feature_matrix() -> None:
    model = shipped_model()
    other = "\n".join(["Menu"] * 3 + ARTICLE[:1] + ["Contact us: call 555-1234, any day."])
    for page in (PAGE, "One line only.", other):
        lines = page.split("\n")
        _, verdicts, body = rule_pass(lines, None, False)
        _, fast = line_changes(lines, verdicts, body.start, body.end, body.keep, model)
        slow = model.predict(line_features(lines, verdicts, body.start, body.end, body.keep))
        assert np.allclose(fast, slow, atol=1e-9)


def test_the_model_is_off_unless_asked_for() -> None:
    n = len(FEATURES)
    keep_all = LineModel(np.zeros(n), np.ones(n), np.zeros(n), 10.0, 0.5, 0.0)
    assert clean_text_dump(PAGE).body == clean_text_dump(PAGE, line_model=False).body
    assert clean_text_dump(PAGE).body != clean_text_dump(PAGE, line_model=keep_all).body
    assert not Config().clean.line_model
    assert config_from_options({"line_model": True}).clean.line_model
