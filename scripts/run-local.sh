#!/usr/bin/env bash
# Serve the product locally: ASGI web server (HTTP + WebSocket), a Celery worker on every
# queue, and Celery beat. Ctrl-C (or SIGTERM) stops all three cleanly; if one of them dies,
# the others are stopped too. Used by `make run`.
set -uo pipefail
set -m  # each child in its own process group: Ctrl-C reaches only this script

BIN=${BIN:-.venv/bin}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
VAR_DIR=${VAR_DIR:-var}
mkdir -p "$VAR_DIR"

pids=()
"$BIN/uvicorn" config.asgi:application --host "$HOST" --port "$PORT" --lifespan off \
  --no-server-header &
pids+=($!)
"$BIN/celery" -A config worker --queues default,media,email,analytics --concurrency 2 \
  --hostname "local@%h" --loglevel INFO &
pids+=($!)
"$BIN/celery" -A config beat --loglevel INFO --schedule "$VAR_DIR/celerybeat-schedule" &
pids+=($!)

alive() {
  local pid
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && return 0; done
  return 1
}

stop() {
  trap - INT TERM
  echo "Stopping web, worker and beat ..."
  kill -TERM "${pids[@]}" 2>/dev/null
  for _ in $(seq 1 60); do alive || break; sleep 0.5; done
  if alive; then
    echo "Still running after 30 s; killing."
    for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null; done
  fi
  wait 2>/dev/null
}

trap 'stop; exit 0' INT TERM
wait -n
echo "A process exited on its own; stopping the others."
stop
exit 1
