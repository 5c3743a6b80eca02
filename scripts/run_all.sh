#!/usr/bin/env bash
# Start the web server, a Celery worker and Celery beat together; Ctrl-C stops all three.
set -u
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
mkdir -p .run

# The web server, the worker and beat connect as the role the portal runs as (portal/db_roles.py:
# it may add audit events, never change, delete or truncate them); `make run` migrated as the owner
# and ran `manage.py ensure_app_role`. APP_DATABASE_URL overrides; by default the owner's URL with
# the user portal_app (trust authentication on a developer's machine).
DATABASE_URL="${APP_DATABASE_URL:-$(.venv/bin/python scripts/app_database_url.py)}"
export DATABASE_URL

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo
  echo "Stopping web server, Celery worker and Celery beat..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  wait
  exit 0
}
trap stop_all INT TERM EXIT

.venv/bin/celery -A portal worker --loglevel=INFO --concurrency=2 --hostname="portal@%h" >.run/celery-worker.log 2>&1 &
pids+=($!)
.venv/bin/celery -A portal beat --loglevel=INFO --schedule=.run/celerybeat-schedule >.run/celery-beat.log 2>&1 &
pids+=($!)
.venv/bin/python manage.py runserver "0.0.0.0:${PORT}" &
pids+=($!)

sleep 2
cat <<MSG

  Pension certification portal is running: http://127.0.0.1:${PORT}/
  Celery worker log: .run/celery-worker.log   Celery beat log: .run/celery-beat.log

  Demo logins (password: demo-password)
    demo_admin       city administrator (重庆市 500000)
    demo_supervisor  district supervisor (渝中区 500103)
    demo_street      street staff (解放碑街道 500103003)
    demo_community   community worker (community 500103003001)
    demo_visit       home-visit team member (解放碑街道 500103003)

  Press Ctrl-C to stop all three.
MSG
wait -n
stop_all
