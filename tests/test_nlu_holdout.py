"""Held-out NLU evaluation with `rasa test nlu`.

tests/nlu_holdout.yml was written separately from data/ and is never trained on.
"""
from __future__ import annotations

import json

import yaml

from rasa_cli import ROOT, rasa, require_model

MIN_INTENT_ACCURACY = 0.93
MIN_ROLE_F1 = 0.93


def test_holdout_intent_accuracy_and_role_f1(tmp_path, capsys):
    model = require_model()
    holdout = ROOT / "tests" / "nlu_holdout.yml"
    n_examples = sum(
        len([line for line in block["examples"].splitlines() if line.strip().startswith("- ")])
        for block in yaml.safe_load(holdout.read_text())["nlu"]
    )
    assert n_examples >= 150

    # never trained on: no held-out message may appear in the training data
    training = "\n".join(p.read_text().lower() for p in (ROOT / "data").glob("nlu*.yml"))
    for block in yaml.safe_load(holdout.read_text())["nlu"]:
        for line in block["examples"].splitlines():
            text = line.strip()[2:].strip().lower()
            assert f"- {text}\n" not in training, f"held-out example found in training data: {text}"

    result = rasa(["test", "nlu", "--nlu", str(holdout), "--model", str(model), "--out", str(tmp_path)])
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    intents = json.loads((tmp_path / "intent_report.json").read_text())
    entities = json.loads((tmp_path / "RoleEntityExtractor_report.json").read_text())
    accuracy = intents["accuracy"]
    macro_f1 = intents["macro avg"]["f1-score"]
    role_f1 = entities["role"]["f1-score"]
    with capsys.disabled():
        print(
            f"\nheld-out NLU ({n_examples} messages): intent accuracy {accuracy:.3f}, "
            f"macro F1 {macro_f1:.3f}, role-entity F1 {role_f1:.3f}"
        )
    assert accuracy >= MIN_INTENT_ACCURACY
    assert role_f1 >= MIN_ROLE_F1
    # safety-critical intents must not be missed
    assert intents["crisis"]["recall"] == 1.0, intents["crisis"]
