#!/usr/bin/env bash
# Start the action server and the Rasa server (REST + socket.io); `run.sh shell`
# opens a terminal chat instead. Ports: RASA_PORT (5005), ACTIONS_PORT (5055).
set -euo pipefail
cd "$(dirname "$0")/.."
RASA_PORT="${RASA_PORT:-5005}"
ACTIONS_PORT="${ACTIONS_PORT:-5055}"
export TF_CPP_MIN_LOG_LEVEL=2 PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}" RASA_TELEMETRY_ENABLED="${RASA_TELEMETRY_ENABLED:-false}"

.venv/bin/python -m carepath.endpoints build/endpoints.yml \
  --actions-url "http://localhost:${ACTIONS_PORT}/webhook"

.venv/bin/rasa run actions --port "$ACTIONS_PORT" &
actions_pid=$!
trap 'kill "$actions_pid" 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 120); do
  if curl -fs "http://localhost:${ACTIONS_PORT}/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$actions_pid" 2>/dev/null; then
    echo "The action server did not start; see the error above." >&2
    exit 1
  fi
  sleep 0.5
done

if [ "${1:-}" = "shell" ]; then
  .venv/bin/rasa shell -m models/carepath.tar.gz --endpoints build/endpoints.yml --port "$RASA_PORT"
  exit 0
fi

cat <<MSG

CarePath is starting (the first answer may take ~20 s while the model loads).
  REST:      curl -s localhost:${RASA_PORT}/webhooks/rest/webhook -d '{"sender":"me","message":"what certifications do medical assistants need?"}'
  socket.io: http://localhost:${RASA_PORT}/socket.io (events user_uttered / bot_uttered)
  Actions:   http://localhost:${ACTIONS_PORT}/health
Stop with Ctrl-C.

MSG
# The HTTP API only with a token; CORS only for the origins listed.
extra=()
if [ -n "${RASA_API_TOKEN:-}" ]; then extra+=(--enable-api --auth-token "$RASA_API_TOKEN"); fi
if [ -n "${CORS_ORIGINS:-}" ]; then read -r -a origins <<< "${CORS_ORIGINS//,/ }"; extra+=(--cors "${origins[@]}"); fi
.venv/bin/rasa run -m models/carepath.tar.gz --port "$RASA_PORT" \
  --credentials credentials.yml --endpoints build/endpoints.yml "${extra[@]}"
