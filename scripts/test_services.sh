#!/usr/bin/env bash
# Start the PostgreSQL and Redis servers the scale-out tests use, on loopback.
# Installs Debian's postgresql and redis-server when missing (needs root), then
# creates the role and database in CAREPATH_TEST_POSTGRES_URL. Safe to re-run.
set -euo pipefail

PG_URL="${CAREPATH_TEST_POSTGRES_URL:-postgresql://carepath:carepath@127.0.0.1:5432/carepath_test}"
REDIS_PORT="${CAREPATH_TEST_REDIS_PORT:-6379}"

need=()
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
# tests/test_deploy_files.py: docker-compose validates docker-compose.yml (no engine needed),
# nginx checks and runs deploy/nginx/nginx.conf on a free port.
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
# tests/test_widget_browser.py: Debian's Chromium, driven headless by Playwright.
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "The tests need ${need[*]}: install them (apt-get install ${need[*]}) or run as root." >&2
    exit 1
  fi
  echo "Installing ${need[*]} ..."
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
  # The tests start their own nginx: no system web server left running on port 80.
  if [[ " ${need[*]} " == *" nginx-light "* ]] && command -v systemctl >/dev/null 2>&1; then
    systemctl disable --now nginx >/dev/null 2>&1 || true
  fi
fi

# Redis on loopback, no persistence
if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes >/dev/null
fi

# PostgreSQL: the Debian cluster, listening on loopback only
version="$(ls /usr/lib/postgresql | sort -n | tail -1)"
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
  pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster "$version" main start -o "-c listen_addresses=127.0.0.1"
fi

user="$(python3 -c "from urllib.parse import urlparse as u; print(u('$PG_URL').username)")"
password="$(python3 -c "from urllib.parse import urlparse as u; print(u('$PG_URL').password)")"
database="$(python3 -c "from urllib.parse import urlparse as u; print(u('$PG_URL').path.lstrip('/'))")"
as_postgres() { if [ "$(id -u)" -eq 0 ]; then su postgres -c "$1"; else sh -c "$1"; fi; }
for _ in $(seq 1 30); do as_postgres "psql -tAc 'select 1'" >/dev/null 2>&1 && break; sleep 0.5; done
if ! as_postgres "psql -tAc \"select 1 from pg_roles where rolname='$user'\"" | grep -q 1; then
  as_postgres "psql -q -c \"create role $user login password '$password'\""
fi
if ! as_postgres "psql -tAc \"select 1 from pg_database where datname='$database'\"" | grep -q 1; then
  as_postgres "psql -q -c \"create database $database owner $user\""
fi
echo "test services: PostgreSQL $version ($PG_URL), Redis 127.0.0.1:$REDIS_PORT"
