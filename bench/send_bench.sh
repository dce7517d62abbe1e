#!/usr/bin/env bash
# Sending benchmark: N personalised messages of about 4 KB through SmtpTransport::send_batch
# (bench/send_bench.cpp: mail::render per message, DKIM-signed or not, 32 SMTP sessions), beside
# postfix's smtp-source sending the same number of messages of the same size over 32 sessions
# (the reference in ../shared/BENCH.md), both to one postfix smtp-sink on 127.0.0.1, in the same
# run. Prints messages/s of each, our rate as a ratio of smtp-source's, and our peak resident
# memory for N and for N/10 messages, to show it does not grow with the work.
#
# Then, when the build has them (smartmessages and send_campaign_setup), the product path: a
# fresh installation (SQLite) with N confirmed subscribers imported by `smartmessages import`,
# a campaign started through the campaign services, and `smartmessages worker --until-idle`
# sending it (personalised, signed with Ed25519 and RSA as every campaign is) to the same sink,
# timed and measured from start to exit, N and N/10 recipients.
#
# Starts nothing but smtp-sink (no postfix daemon), on loopback only, and stops it on exit.
#
# usage: bench/send_bench.sh [BUILD_DIR] [MESSAGES]   (make bench-send)
set -euo pipefail

build=$(realpath "${1:-build}")
messages=${2:-100000}
small=$((messages / 10))
sessions=32
size=4096
bench="$build/send_bench"
binary="$build/smartmessages"
setup="$build/send_campaign_setup"
work=$(mktemp -d /tmp/sm-send-bench.XXXXXX)
sink_pid=""

cleanup() {
  if [ -n "$sink_pid" ]; then
    kill "$sink_pid" 2>/dev/null || true
    wait "$sink_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

for tool in smtp-sink smtp-source; do
  if ! command -v "$tool" >/dev/null; then
    echo "send_bench: $tool is missing; scripts/install-deps installs it (package postfix)" >&2
    exit 1
  fi
done
if [ ! -x "$bench" ]; then
  echo "send_bench: $bench is missing; cmake --build $build --target send_bench" >&2
  exit 1
fi

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# smtp-sink drops root privileges after binding; as another user it keeps its own.
start_sink() {
  port=$(free_port)
  local user=()
  [ "$(id -u)" -ne 0 ] || user=(-u nobody)
  smtp-sink "${user[@]}" "127.0.0.1:$port" 1000 &
  sink_pid=$!
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return; fi
    sleep 0.05
  done
  echo "send_bench: smtp-sink did not start" >&2
  exit 1
}

# Wall seconds and peak RSS (KiB) of a command, from GNU time; its stdout goes to $out.stdout.
measure() {
  local out=$1; shift
  /usr/bin/time -v -o "$out.time" "$@" >"$out.stdout" 2>"$out.stderr" || {
    echo "send_bench: $* failed" >&2
    cat "$out.stderr" >&2
    exit 1
  }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
    n = split($2, p, ":"); s = 0
    for (i = 1; i <= n; i++) s = s * 60 + p[i]
    print s
  }' "$out.time")
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$out.time")
  echo "$wall $rss"
}

# messages/s and peak RSS of our sender; the rate is the program's own (keys generated first
# are left out), the memory is the whole process's.
# (Results travel through $(...) so that a failure stops the script under set -e.)
ours() {
  local sign=$1 n=$2 out="$work/ours-$1-$2-$RANDOM"
  local figures rate
  figures=$(measure "$out" "$bench" --url "smtp://127.0.0.1:$port" --messages "$n" \
    --size "$size" --connections "$sessions" --sign "$sign")
  rate=$(sed -n 's/.* rate=\([0-9]*\) .*/\1/p' "$out.stdout")
  echo "$rate ${figures#* }"
}

reference() {
  local n=$1 out="$work/ref-$RANDOM"
  local figures
  figures=$(measure "$out" smtp-source -d -s "$sessions" -m "$n" -l "$size" \
    -f news@bench.example.org -t person@example.net "127.0.0.1:$port")
  awk -v n="$n" -v s="${figures%% *}" 'BEGIN { printf "%.0f\n", n / s }'
}

# A fresh installation in $1 with one account, one list with a declared "name" field, $2
# confirmed subscribers imported, a verified sending domain and a started campaign.
# (Every step is checked by hand: this runs where set -e is ignored, see product_path.)
prepare_campaign() {
  local dir=$1 n=$2
  mkdir -p "$dir"
  export SMARTMESSAGES_DATA_DIR=$dir SMARTMESSAGES_LOG_LEVEL=warn
  "$binary" account create --org "Bench Ltd" --email bench@example.org --contact "B" \
    --address "1 Road" --website https://example.org >/dev/null || return 1
  sqlite3 "$dir/smartmessages.db" \
    "INSERT INTO lists (account_id, public_id, name, confirm_subject, confirm_body, created_at)
       VALUES (1, 'BENCHLIST0001', 'Bench', 'Confirm', '{{confirm_url}}', 0);
     INSERT INTO subscriber_fields (account_id, field_key, label, field_type, created_at)
       VALUES (1, 'name', 'Name', 'text', 0);" || return 1
  awk -v n="$n" 'BEGIN {
    print "email,name"
    for (i = 1; i <= n; i++) printf "person%d@example.net,Person %d\n", i, i
  }' >"$dir/subscribers.csv"
  "$binary" import --account 1 --list 1 --source "Benchmark file" --basis consent \
    "$dir/subscribers.csv" >/dev/null || return 1
  local domain
  domain=$("$setup" domain) || return 1
  # No DNS here to check the records against: the domain is taken as verified.
  sqlite3 "$dir/smartmessages.db" \
    "UPDATE sending_domains SET verified_at = 1 WHERE id = $domain" || return 1
  "$setup" campaign >/dev/null
}

# messages/s (recipients over the worker's whole run) and peak RSS of `worker --until-idle`.
product() {
  local n=$1 dir="$work/product-$1-$RANDOM"
  prepare_campaign "$dir" "$n" || exit 1
  local figures sent
  figures=$(SMARTMESSAGES_MAIL_SMTP_URL="smtp://127.0.0.1:$port" \
    SMARTMESSAGES_MAIL_SMTP_CONNECTIONS=$sessions measure "$dir/worker" "$binary" worker \
    --until-idle) || exit 1
  sent=$(sqlite3 "$dir/smartmessages.db" "SELECT count(*) FROM deliveries WHERE status = 'sent'")
  if [ "$sent" != "$n" ]; then
    echo "send_bench: the worker sent $sent of $n" >&2
    cat "$dir/worker.stderr" >&2
    exit 1
  fi
  awk -v n="$n" -v s="${figures%% *}" -v kb="${figures#* }" \
    'BEGIN { printf "%.0f %d\n", n / s, kb }'
  rm -rf "$dir"
}

start_sink
echo "$messages messages of about $size bytes, $sessions sessions, smtp-sink on 127.0.0.1:$port"

# Alternate the order so that neither side always runs first on a cooler machine.
ref1=$(reference "$messages")
none1=$(ours none "$messages")
ed1=$(ours ed25519 "$messages")
both1=$(ours both "$messages")
both2=$(ours both "$messages")
ed2=$(ours ed25519 "$messages")
none2=$(ours none "$messages")
ref2=$(reference "$messages")
small_run=$(ours ed25519 "$small")

# Each "ours" figure is "messages/s peak-RSS-KiB".
awk -v r1="$ref1" -v r2="$ref2" -v n1="$none1" -v n2="$none2" -v e1="$ed1" -v e2="$ed2" \
    -v b1="$both1" -v b2="$both2" -v sm="$small_run" -v sn="$small" '
function row(label, first, second,    a, b, mean) {
  split(first, a, " "); split(second, b, " "); mean = (a[1] + b[1]) / 2
  printf "%-28s %6d / %6d msg/s, mean %6.0f  ratio %.2f  peak RSS %d / %d KiB\n", \
    label, a[1], b[1], mean, mean / ref, a[2], b[2]
}
BEGIN {
  ref = (r1 + r2) / 2
  printf "%-28s %6d / %6d msg/s, mean %6.0f\n", "smtp-source:", r1, r2, ref
  row("ours, unsigned:", n1, n2)
  row("ours, ed25519:", e1, e2)
  row("ours, ed25519 + rsa-sha256:", b1, b2)
  split(sm, s, " ")
  printf "ours, ed25519, %d messages: %d msg/s, peak RSS %d KiB (for comparison)\n", sn, s[1], s[2]
}'

product_path() {
  # The reference again, just before and after, since the machine's load changes.
  local pref1 pref2 prod1 prod2 prod_small
  pref1=$(reference "$messages") || return 1
  prod1=$(product "$messages") || return 1
  prod2=$(product "$messages") || return 1
  pref2=$(reference "$messages") || return 1
  prod_small=$(product "$small") || return 1
  awk -v r1="$pref1" -v r2="$pref2" -v p1="$prod1" -v p2="$prod2" -v ps="$prod_small" \
      -v sn="$small" 'BEGIN {
    ref = (r1 + r2) / 2
    split(p1, a, " "); split(p2, b, " "); split(ps, c, " "); mean = (a[1] + b[1]) / 2
    printf "%-28s %6d / %6d msg/s, mean %6.0f\n", "smtp-source:", r1, r2, ref
    printf "%-28s %6d / %6d msg/s, mean %6.0f  ratio %.2f  peak RSS %d / %d KiB\n", \
      "worker, ed25519 + rsa:", a[1], b[1], mean, mean / ref, a[2], b[2]
    printf "worker, %d recipients: %d msg/s, peak RSS %d KiB (for comparison)\n", sn, c[1], c[2]
  }'
}

# The campaign services and the worker are young: a failure there is reported, and the
# transport figures above still stand. Under `||` set -e is ignored, hence the checks above.
if [ -x "$binary" ] && [ -x "$setup" ]; then
  (product_path) || echo "(the product path failed; see the messages above)"
else
  echo "(no $binary or $setup: the product path was not measured)"
fi
