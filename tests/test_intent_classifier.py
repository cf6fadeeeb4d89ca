"""The intent classifier's fast scorer gives scikit-learn's probabilities."""
from __future__ import annotations

import glob
import tarfile

import joblib
import numpy as np
import pytest
import yaml

from carepath.intent_classifier import FastScorer, build_pipeline, TfidfIntentClassifier
from rasa_cli import ROOT, require_model


def texts_of(path):
    texts = []
    for block in yaml.safe_load(path.read_text())["nlu"]:
        for line in (block.get("examples") or "").splitlines():
            if line.strip().startswith("- "):
                texts.append(line.strip()[2:])
    return texts


@pytest.fixture(scope="module")
def trained_pipeline(tmp_path_factory):
    model = require_model()
    target = tmp_path_factory.mktemp("model")
    with tarfile.open(model) as archive:
        archive.extractall(target)
    return joblib.load(glob.glob(str(target / "**" / "tfidf_intent_classifier.joblib"), recursive=True)[0])


def test_fast_scorer_matches_predict_proba_on_every_known_message(trained_pipeline):
    texts = texts_of(ROOT / "tests" / "nlu_holdout.yml") + texts_of(ROOT / "data" / "nlu.yml")[:400]
    texts += ["", "   ", "😀", "<b>hi</b>", "zzzzqqq", "x" * 3000, "HOW MUCH DO CNAS MAKE??", "café résumé naïve"]
    scorer = FastScorer(trained_pipeline)
    expected = trained_pipeline.predict_proba(texts)
    got = np.array([scorer.probabilities(t) for t in texts])
    assert np.abs(got - expected).max() < 1e-9
    assert (got.argmax(axis=1) == expected.argmax(axis=1)).all()


def test_other_configurations_fall_back_to_scikit_learn():
    pipeline = build_pipeline({**TfidfIntentClassifier.get_default_config()})
    pipeline.fit(["yes", "no", "maybe so", "yes please", "no thanks", "maybe later"], ["a", "b", "c", "a", "b", "c"])
    pipeline.steps[0][1].transformer_list[0][1].norm = "l1"
    with pytest.raises(ValueError):
        FastScorer(pipeline)
    assert TfidfIntentClassifier._fast_scorer(pipeline) is None
