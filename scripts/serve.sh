#!/usr/bin/env bash
# Start the web server and the task worker together; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

cleanup() {
  trap - INT TERM EXIT
  kill "$WEB" "$WORKER" 2>/dev/null || true
  wait 2>/dev/null || true
  echo "Coexist stopped."
}
trap cleanup INT TERM EXIT

# Deadlines live in the data; the worker's sweep finds what fell due while it was down and catches up.
$PY manage.py start_background_work
$PY manage.py db_worker --queue-name default &
WORKER=$!
$PY manage.py runserver 127.0.0.1:8000 --skip-checks &
WEB=$!

$PY manage.py demo_signins --address http://127.0.0.1:8000/
echo "Press Ctrl-C to stop the web server and the task worker."
wait -n "$WEB" "$WORKER"
