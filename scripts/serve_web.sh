#!/usr/bin/env bash
# The widget and the demo pages (build/web, from `make web`) in the foreground: make run.
#   WEB_PORT (8080), WEB_HOST (0.0.0.0), WEB_ROOT (build/web),
#   RASA_PUBLIC_URL (http://localhost:5005): where visitors' browsers reach the Rasa server;
#   set it empty to let the widget use the origin it was loaded from (a proxy in front of Rasa).
#   CAREPATH_PYTHON (default .venv/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${CAREPATH_PYTHON:-.venv/bin/python}"
exec "$PY" -m carepath.web_server
