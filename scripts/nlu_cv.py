"""5-fold cross-validation of the intent classifier on the training data only.

    .venv/bin/python scripts/nlu_cv.py [--errors]

Prints accuracy, macro F1, the confusion pairs that cost most and, with
--errors, every misclassified training example. Never reads tests/.
"""
from __future__ import annotations

import collections
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import yaml  # noqa: E402
from rasa.shared.nlu.training_data.loading import load_data  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold, cross_val_predict  # noqa: E402

from carepath.intent_classifier import TfidfIntentClassifier, build_pipeline  # noqa: E402


def classifier_config() -> dict:
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    for step in config["pipeline"]:
        if step["name"].endswith("TfidfIntentClassifier"):
            return {**TfidfIntentClassifier.get_default_config(), **{k: v for k, v in step.items() if k != "name"}}
    return TfidfIntentClassifier.get_default_config()


def cross_validate(folds: int = 5) -> dict:
    """Accuracy, macro F1 and confusions of the intent classifier, by k-fold CV."""
    files = sorted((ROOT / "data").glob("nlu*.yml"))
    data = load_data(str(files[0]))
    for path in files[1:]:
        data = data.merge(load_data(str(path)))
    examples = [m for m in data.intent_examples if m.get("text")]
    texts = [m.get("text") for m in examples]
    labels = np.array([m.get("intent") for m in examples])
    splitter = StratifiedKFold(folds, shuffle=True, random_state=0)
    predicted = cross_val_predict(build_pipeline(classifier_config()), texts, labels, cv=splitter)
    pairs = collections.Counter((t, p) for t, p in zip(labels, predicted) if t != p)
    return {
        "examples": len(texts),
        "accuracy": float(np.mean(predicted == labels)),
        "macro_f1": float(f1_score(labels, predicted, average="macro")),
        "confusions": [(true, pred, n) for (true, pred), n in pairs.most_common(15)],
        "errors": [(t, true, pred) for t, true, pred in zip(texts, labels, predicted) if true != pred],
    }


def main() -> int:
    result = cross_validate()
    print(
        f"5-fold CV on {result['examples']} training examples: intent accuracy "
        f"{result['accuracy']:.3f}, macro F1 {result['macro_f1']:.3f}"
    )
    print("most costly confusions (true -> predicted):")
    for true, pred, n in result["confusions"]:
        print(f"  {n:3d}  {true} -> {pred}")
    if "--errors" in sys.argv:
        for text, true, pred in result["errors"]:
            print(f"{true:22s} -> {pred:22s} {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
