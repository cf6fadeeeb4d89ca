"""Run the ``rasa`` command line from tests, with the project's model."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import List

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "carepath.tar.gz"


def rasa(args: List[str], timeout: int = 600) -> subprocess.CompletedProcess:
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2", PYTHONWARNINGS="ignore")
    return subprocess.run(
        [sys.executable, "-m", "rasa", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def require_model() -> Path:
    assert MODEL.exists(), f"{MODEL} is missing: run `make train` (make test does it for you)"
    return MODEL
