#!/usr/bin/env bash
# `make run`: the action server, the demo web pages and the Rasa server (REST + socket.io);
# `run.sh shell` opens a terminal chat instead of the Rasa server.
# Ports: RASA_PORT (5005), ACTIONS_PORT (5055), WEB_PORT (8080). Each process is one of the
# scripts/serve_*.sh scripts, the same commands the containers run.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_PORT="${RASA_PORT:-5005}" ACTIONS_PORT="${ACTIONS_PORT:-5055}" WEB_PORT="${WEB_PORT:-8080}"
# The demo pages' own origin may use the general assistant (school pages: list it in schools/<id>.yml).
export CORS_ORIGINS="${CORS_ORIGINS:+$CORS_ORIGINS,}http://localhost:${WEB_PORT},http://127.0.0.1:${WEB_PORT}"

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

scripts/serve_actions.sh & pids+=($!)
for _ in $(seq 1 120); do
  if curl -fs "http://localhost:${ACTIONS_PORT}/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "${pids[0]}" 2>/dev/null; then
    echo "The action server did not start; see the error above." >&2
    exit 1
  fi
  sleep 0.5
done

if [ "${1:-}" = "shell" ]; then
  .venv/bin/python -m carepath.endpoints build/endpoints.yml --actions-url "http://localhost:${ACTIONS_PORT}/webhook"
  .venv/bin/rasa shell -m models/carepath.tar.gz --endpoints build/endpoints.yml --port "$RASA_PORT"
  exit 0
fi

scripts/serve_web.sh & pids+=($!)

cat <<MSG

CarePath is starting (the first answer may take ~10 s while the model loads).
  Demo pages: http://localhost:${WEB_PORT}/  (visitor page)  and  http://localhost:${WEB_PORT}/schools/example-tech/
  REST:       curl -s localhost:${RASA_PORT}/webhooks/rest/webhook -d '{"sender":"me","message":"what certifications do medical assistants need?"}'
  socket.io:  http://localhost:${RASA_PORT}/socket.io (events user_uttered / bot_uttered)
  Actions:    http://localhost:${ACTIONS_PORT}/health
Stop with Ctrl-C.

MSG
scripts/serve_rasa.sh & pids+=($!)
wait -n "${pids[@]}"
