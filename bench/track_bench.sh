#!/usr/bin/env bash
# Tracking benchmark: wrk against our open pixel (/o/{token}.gif) and click redirect
# (/l/{token}) of a sent campaign with tracking on, and in the same run against nginx
# (Debian nginx-light, started here on another loopback port) serving the same 43-byte GIF from
# a file with Cache-Control: no-store and a `return 302` to the same destination (the reference
# in ../shared/BENCH.md). Prints both rates and the ratio per endpoint, then checks that the
# number of events stored equals the number of tracking requests our server answered.
#
# usage: bench/track_bench.sh [BINARY] [SECONDS]   (make bench-track)
set -euo pipefail

binary=$(realpath "${1:-build/smartmessages}")
seconds=${2:-8}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/sm-track-bench.XXXXXX)
ours_pid=""
nginx_pid=""

cleanup() {
  [ -n "$ours_pid" ] && kill "$ours_pid" 2>/dev/null && wait "$ours_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for tool in wrk nginx sqlite3 python3 curl; do
  command -v "$tool" >/dev/null || { echo "track_bench: $tool is missing (scripts/install-deps)" >&2; exit 1; }
done

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for() {
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "track_bench: $1 did not answer" >&2
  exit 1
}

destination="https://shop.example/spring?size=m#new"
ours_port=$(free_port)
nginx_port=$(free_port)
data="$work/data"
mkdir -p "$data"
export SMARTMESSAGES_DATA_DIR=$data SMARTMESSAGES_LOG_LEVEL=warn
export SMARTMESSAGES_HTTP_LISTEN=127.0.0.1:$ours_port
export SMARTMESSAGES_HTTP_BASE_URL=http://127.0.0.1:$ours_port

# One account with tracking on, a campaign sent an hour ago to one subscriber, its one link.
"$binary" account create --org "Bench Ltd" --email bench@example.org --contact "B" \
  --address "1 Road" --website https://example.org >/dev/null 2>&1
sent=$(( ($(date +%s) - 3600) * 1000 ))
sqlite3 "$data/smartmessages.db" <<SQL
UPDATE accounts SET tracking_enabled = 1 WHERE id = 1;
INSERT INTO lists (account_id, public_id, name, confirm_subject, confirm_body, created_at)
  VALUES (1, 'BENCHLIST0001', 'Bench', 'Confirm', '{{confirm_url}}', $sent);
INSERT INTO subscribers (account_id, email, email_normalized, fields, created_at, updated_at)
  VALUES (1, 'reader@example.net', 'reader@example.net', '{}', $sent, $sent);
INSERT INTO subscriptions (account_id, list_id, subscriber_id, status, token_salt, created_at,
                           confirmed_at)
  VALUES (1, 1, 1, 'confirmed', 'salt', $sent, $sent);
INSERT INTO campaigns (account_id, public_id, name, status, started_at, created_at, updated_at,
                       track_opens, track_clicks)
  VALUES (1, 'BENCHCAMP001', 'Bench campaign', 'sent', $sent, $sent, $sent, 1, 1);
INSERT INTO deliveries (account_id, campaign_id, subscriber_id, subscription_id, email, status,
                        sent_at)
  VALUES (1, 1, 1, 1, 'reader@example.net', 'sent', $sent);
INSERT INTO campaign_links (account_id, campaign_id, link_index, url)
  VALUES (1, 1, 1, '$destination');
SQL
read -r open_token click_token < <(python3 "$here/../tests/support/tracking_tokens.py" "$data" 1 1 1 1)

# The reference: the same GIF from a file, and the same redirect.
python3 -c "import sys; sys.stdout.buffer.write(bytes.fromhex(
  '47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b'))" \
  >"$work/pixel.gif"
# nginx's workers run as nobody when started by root: they must be able to read the file.
chmod 755 "$work"
chmod 644 "$work/pixel.gif"
mkdir -p "$work/nginx-tmp"
cat >"$work/nginx.conf" <<CONF
daemon off;
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx-tmp;
  proxy_temp_path $work/nginx-tmp;
  fastcgi_temp_path $work/nginx-tmp;
  uwsgi_temp_path $work/nginx-tmp;
  scgi_temp_path $work/nginx-tmp;
  server {
    listen 127.0.0.1:$nginx_port;
    location = /o/pixel.gif {
      alias $work/pixel.gif;
      default_type image/gif;
      add_header Cache-Control no-store;
    }
    location = /l/link { return 302 "$destination"; }
  }
}
CONF

"$binary" serve >"$work/ours.log" 2>&1 &
ours_pid=$!
nginx -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!
wait_for "http://127.0.0.1:$ours_port/healthz"
wait_for "http://127.0.0.1:$nginx_port/o/pixel.gif"

ours_pixel="http://127.0.0.1:$ours_port/o/$open_token.gif"
ours_click="http://127.0.0.1:$ours_port/l/$click_token"
ref_pixel="http://127.0.0.1:$nginx_port/o/pixel.gif"
ref_click="http://127.0.0.1:$nginx_port/l/link"

# Both sides must answer as they should before anything is measured.
check() {
  local url=$1 want=$2 got
  got=$(curl -s -o /dev/null -w '%{http_code}' "$url")
  [ "$got" = "$want" ] || { echo "track_bench: $url answered $got, not $want" >&2; exit 1; }
}
check "$ours_pixel" 200
check "$ours_click" 302
check "$ref_pixel" 200
check "$ref_click" 302
[ "$(curl -s "$ours_pixel" | cmp - "$work/pixel.gif" && echo same)" = same ]
[ "$(curl -s -o /dev/null -w '%{redirect_url}' "$ours_click")" = "$destination" ]

# Requests/s of one wrk run; fails when any answer was not 2xx/3xx.
rate() {
  local out
  out=$(wrk -t1 -c64 -d"${seconds}s" --latency -H "User-Agent: Mozilla/5.0 (X11; Linux) bench" "$1")
  if grep -q "Non-2xx or 3xx responses" <<<"$out"; then
    echo "track_bench: errors from $1:" >&2
    echo "$out" >&2
    exit 1
  fi
  awk '/Requests\/sec:/ { print $2 }' <<<"$out"
}

# Alternate the order, twice, so neither side always runs second.
p_o1=$(rate "$ours_pixel"); p_n1=$(rate "$ref_pixel"); p_n2=$(rate "$ref_pixel"); p_o2=$(rate "$ours_pixel")
c_n1=$(rate "$ref_click"); c_o1=$(rate "$ours_click"); c_o2=$(rate "$ours_click"); c_n2=$(rate "$ref_click")

# What our server answered, from its own metrics, before it stops.
answered=$(curl -s "http://127.0.0.1:$ours_port/metrics" | awk '
  /^http_requests_total\{method="GET",route="\/o\/\{file\}",status="200"\}/ { n += $2 }
  /^http_requests_total\{method="GET",route="\/l\/\{token\}",status="302"\}/ { n += $2 }
  END { print n + 0 }')
kill -TERM "$ours_pid"
wait "$ours_pid" || true
ours_pid=""
stored=$(sqlite3 "$data/smartmessages.db" "SELECT COUNT(*) FROM events")

awk -v po1="$p_o1" -v po2="$p_o2" -v pn1="$p_n1" -v pn2="$p_n2" \
    -v co1="$c_o1" -v co2="$c_o2" -v cn1="$c_n1" -v cn2="$c_n2" -v s="$seconds" 'BEGIN {
  po = (po1 + po2) / 2; pn = (pn1 + pn2) / 2; co = (co1 + co2) / 2; cn = (cn1 + cn2) / 2
  printf "wrk -t1 -c64 -d%ss, two runs each, alternating; means of the two\n", s
  printf "open pixel:     smartmessages %8.0f req/s (%.0f, %.0f)   nginx %8.0f req/s (%.0f, %.0f)   ratio %.2f\n", po, po1, po2, pn, pn1, pn2, po / pn
  printf "click redirect: smartmessages %8.0f req/s (%.0f, %.0f)   nginx %8.0f req/s (%.0f, %.0f)   ratio %.2f\n", co, co1, co2, cn, cn1, cn2, co / cn
}'
echo "events: $answered tracking requests answered, $stored events stored"
if [ "$answered" != "$stored" ]; then
  echo "track_bench: events were lost" >&2
  tail -20 "$work/ours.log" >&2
  exit 1
fi
