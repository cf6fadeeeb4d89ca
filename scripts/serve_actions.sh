#!/usr/bin/env bash
# The action server in the foreground (make run, and the actions container's command).
# ACTIONS_PORT (5055). CAREPATH_PYTHON: the Python that has rasa_sdk (default .venv/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${CAREPATH_PYTHON:-.venv/bin/python}"
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}"
# Fail fast on a broken knowledge base or school file, naming file and field.
"$PY" -m carepath.schools check
exec "$PY" -m rasa_sdk --actions actions --port "${ACTIONS_PORT:-5055}"
