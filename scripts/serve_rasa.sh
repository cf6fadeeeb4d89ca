#!/usr/bin/env bash
# The Rasa server in the foreground (make run, and the rasa container's command).
#   RASA_PORT (5005), ACTIONS_URL (http://localhost:$ACTIONS_PORT/webhook),
#   TRACKER_DB_URL (SQLite build/trackers.db when unset), REDIS_URL (lock store),
#   RASA_API_TOKEN (enables the HTTP API with that token), CORS_ORIGINS (extra allowed origins),
#   MODEL (models/carepath.tar.gz), CAREPATH_PYTHON (default .venv/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${CAREPATH_PYTHON:-.venv/bin/python}"
RASA_PORT="${RASA_PORT:-5005}"
ACTIONS_URL="${ACTIONS_URL:-http://localhost:${ACTIONS_PORT:-5055}/webhook}"
MODEL="${MODEL:-models/carepath.tar.gz}"
export TF_CPP_MIN_LOG_LEVEL=2 PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}" RASA_TELEMETRY_ENABLED="${RASA_TELEMETRY_ENABLED:-false}"

"$PY" -m carepath.schools check
"$PY" -m carepath.endpoints build/endpoints.yml --actions-url "$ACTIONS_URL"
"$PY" -m carepath.credentials build/credentials.yml

extra=()
# The HTTP API only with a token.
if [ -n "${RASA_API_TOKEN:-}" ]; then extra+=(--enable-api --auth-token "$RASA_API_TOKEN"); fi
# CORS: the origins of the school files and CORS_ORIGINS, never "*".
origins="$("$PY" -m carepath.schools origins)"
if [ -n "$origins" ]; then read -r -a list <<< "${origins//,/ }"; extra+=(--cors "${list[@]}"); fi
exec "$PY" -m rasa run -m "$MODEL" --port "$RASA_PORT" \
  --credentials build/credentials.yml --endpoints build/endpoints.yml "${extra[@]}"
