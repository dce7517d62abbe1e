#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL for the tests: initdb in DIR, listening on
# 127.0.0.1:PORT only, trust authentication for the role "smartmessages".
#   postgres.sh start DIR PORT
#   postgres.sh stop DIR PORT
set -euo pipefail
action=$1 dir=$2 port=$3
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "postgres.sh: PostgreSQL server binaries not found;" \
  "run scripts/install-deps" >&2; exit 1; }

# PostgreSQL refuses to run as root; run it as the postgres system user then.
as_owner=()
if [ "$(id -u)" -eq 0 ]; then as_owner=(runuser -u postgres --); fi

case "$action" in
start)
  "$0" stop "$dir" "$port" >/dev/null 2>&1 || true
  rm -rf "$dir"
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U smartmessages -A trust -E UTF8 \
    --no-locale >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  echo "postgres.sh: PostgreSQL listening on 127.0.0.1:$port"
  ;;
stop)
  if [ -f "$dir/data/postmaster.pid" ]; then
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  fi
  ;;
*)
  echo "usage: postgres.sh start|stop DIR PORT" >&2
  exit 2
  ;;
esac
