"""Rasa's own checks: `rasa data validate` and the conversation tests."""
from __future__ import annotations

import json
import re

import yaml

from rasa_cli import ROOT, rasa, require_model

MIN_STORIES = 40


def test_rasa_data_validate_has_no_warnings():
    result = rasa(["data", "validate", "--fail-on-warnings"])
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    assert not re.search(r"\bUserWarning\b|rasa\.validator.*WARNING", log), log[-4000:]


def test_conversation_stories(tmp_path, capsys):
    model = require_model()
    stories = yaml.safe_load((ROOT / "tests" / "test_stories.yml").read_text())["stories"]
    assert len(stories) >= MIN_STORIES
    result = rasa([
        "test", "core", "--model", str(model), "--stories", "tests/test_stories.yml",
        "--fail-on-prediction-errors", "--out", str(tmp_path),
    ])
    assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]
    report = json.loads((tmp_path / "story_report.json").read_text())
    conversation_accuracy = report.get("conversation_accuracy", {})
    with capsys.disabled():
        print(f"\nconversation tests: {len(stories)} stories, accuracy {conversation_accuracy}")
    assert conversation_accuracy.get("correct") == len(stories), conversation_accuracy
