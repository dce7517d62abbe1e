#!/usr/bin/env bash
# CSV import benchmark: `smartmessages import` of an N-row file into a fresh SQLite database,
# beside the sqlite3 shell's own `.import` of the same file into a bare two-column table (the
# reference in ../shared/BENCH.md), in the same run. Prints rows/s, peak resident memory of
# both, and the ratio; then a small run of our import, to show memory does not grow with size.
#
# usage: bench/import_bench.sh [BINARY] [ROWS]   (make bench-import)
set -euo pipefail

binary=$(realpath "${1:-build/smartmessages}")
rows=${2:-1000000}
small=$((rows / 100))
work=$(mktemp -d /tmp/sm-import-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

# email,name rows, every address distinct.
make_csv() {
  awk -v n="$1" 'BEGIN {
    print "email,name"
    for (i = 1; i <= n; i++) printf "person%d@example.org,Person %d\n", i, i
  }' >"$2"
}

# Seconds and peak RSS (KiB) of a command, from GNU time.
measure() {
  local out=$1; shift
  /usr/bin/time -v -o "$out.time" "$@" >"$out.stdout" 2>"$out.stderr"
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
    n = split($2, p, ":"); s = 0
    for (i = 1; i <= n; i++) s = s * 60 + p[i]
    print s
  }' "$out.time")
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$out.time")
  echo "$wall $rss"
}

# A fresh installation with one account, one list and a declared "name" field.
prepare() {
  local dir=$1
  mkdir -p "$dir"
  export SMARTMESSAGES_DATA_DIR=$dir SMARTMESSAGES_LOG_LEVEL=warn
  "$binary" account create --org "Bench Ltd" --email bench@example.org --contact "B" \
    --address "1 Road" --website https://example.org >/dev/null 2>&1
  sqlite3 "$dir/smartmessages.db" \
    "INSERT INTO lists (account_id, public_id, name, confirm_subject, confirm_body, created_at)
       VALUES (1, 'BENCHLIST0001', 'Bench', 'Confirm', '{{confirm_url}}', 0);
     INSERT INTO subscriber_fields (account_id, field_key, label, field_type, created_at)
       VALUES (1, 'name', 'Name', 'text', 0);"
}

ours() {
  local n=$1 csv=$2 dir=$3
  prepare "$dir"
  measure "$dir/ours" "$binary" import --account 1 --list 1 --source "Benchmark file" \
    --basis consent "$csv"
  local imported
  imported=$(sqlite3 "$dir/smartmessages.db" "SELECT rows_imported FROM imports WHERE id = 1")
  if [ "$imported" != "$n" ]; then
    echo "import_bench: imported $imported of $n rows" >&2
    cat "$dir/ours.stderr" >&2
    exit 1
  fi
}

reference() {
  local csv=$1 db=$2
  measure "$db" sqlite3 "$db" -cmd "create table t(email text, name text);" ".mode csv" \
    ".import --skip 1 $csv t"
}

echo "generating $rows rows"
make_csv "$rows" "$work/big.csv"
make_csv "$small" "$work/small.csv"

# Alternate the order so neither side always runs on a warm page cache.
read -r ref1_s ref1_kb < <(reference "$work/big.csv" "$work/ref1.db")
read -r our1_s our1_kb < <(ours "$rows" "$work/big.csv" "$work/ours1")
read -r our2_s our2_kb < <(ours "$rows" "$work/big.csv" "$work/ours2")
read -r ref2_s ref2_kb < <(reference "$work/big.csv" "$work/ref2.db")
read -r small_s small_kb < <(ours "$small" "$work/small.csv" "$work/ours-small")

median2() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (a + b) / 2 }'; }
our_s=$(median2 "$our1_s" "$our2_s")
ref_s=$(median2 "$ref1_s" "$ref2_s")
awk -v n="$rows" -v os="$our_s" -v rs="$ref_s" -v ok="$our1_kb" -v ok2="$our2_kb" \
    -v rk="$ref1_kb" -v sk="$small_kb" -v sn="$small" 'BEGIN {
  printf "rows: %d\n", n
  printf "smartmessages import: %.2f s  %.0f rows/s  peak RSS %d / %d KiB\n", os, n / os, ok, ok2
  printf "sqlite3 .import:      %.2f s  %.0f rows/s  peak RSS %d KiB\n", rs, n / rs, rk
  printf "ratio (sqlite3 rows/s / ours): %.1fx\n", os / rs
  printf "smartmessages import of %d rows: peak RSS %d KiB (for comparison)\n", sn, sk
}'
