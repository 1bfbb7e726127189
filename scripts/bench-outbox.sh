#!/usr/bin/env bash
# Part 4 of scripts/bench.sh: `intake outbox send` of 1,000 queued Finosu customers beside
# `intake submit` of 1,000 files, both against one `intake sandbox --rate-limit 0` on loopback,
# each with its own INTAKE_HOME and its own customer ids. Prints records per second of each and
# `RESULT|…` lines for bench.sh.
#   scripts/bench-outbox.sh BIN DIR
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$1 dir=$2
count=${INTAKE_BENCH_OUTBOX_COUNT:-1000}
now_ms() { awk -v t="${EPOCHREALTIME:-$(date +%s.%N)}" 'BEGIN { printf "%.1f", t * 1000 }'; }
mkdir -p "$dir"

"$bin" sandbox --port 0 --rate-limit 0 --json >"$dir/sandbox.out" 2>/dev/null &
sandbox_pid=$!
trap 'kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  [ -s "$dir/sandbox.out" ] && break
  sleep 0.05
done
url=$(sed -n 's/.*"finosu":{"base_url":"\([^"]*\)".*/\1/p' "$dir/sandbox.out")
key=$(sed -n 's/.*"finosu":{[^}]*"api_key":"\([^"]*\)".*/\1/p' "$dir/sandbox.out")
[ -n "$url" ] && [ -n "$key" ] || { echo "bench-outbox: the sandbox did not start" >&2; exit 1; }

# $1: which (outbox, submit): a home with a profile aimed at the sandbox, and $count files.
prepare() {
  local home="$dir/$1" n
  mkdir -p "$home/files"
  chmod 700 "$home"
  INTAKE_HOME=$home "$bin" profile add --name bench --backend finosu --base-url "$url" >/dev/null
  for n in $(seq 1 "$count"); do
    sed -e "s/INT-7K2M9QXD/BENCH-$1-$n/" -e "s/ada@example.com/$1$n@example.com/" \
      examples/finosu-customer.json >"$home/files/$n.json"
  done
}
prepare outbox
prepare submit
INTAKE_HOME="$dir/outbox" "$bin" outbox add --profile bench "$dir/outbox/files/"*.json >/dev/null

started=$(now_ms)
echo "$key" | INTAKE_HOME="$dir/outbox" "$bin" outbox send --profile bench --secret-stdin >"$dir/outbox.log"
outbox_ms=$(awk -v a="$started" -v b="$(now_ms)" 'BEGIN { printf "%.0f", b - a }')
grep -q "^$count sent, 0 failed, 0 still queued" "$dir/outbox.log" ||
  { echo "bench-outbox: outbox send did not send all: $(tail -n 1 "$dir/outbox.log")" >&2; exit 1; }

started=$(now_ms)
echo "$key" | INTAKE_HOME="$dir/submit" "$bin" submit --profile bench --secret-stdin "$dir/submit/files/"*.json \
  >"$dir/submit.log"
submit_ms=$(awk -v a="$started" -v b="$(now_ms)" 'BEGIN { printf "%.0f", b - a }')
created=$(grep -c "Created customer" "$dir/submit.log" || true)
[ "$created" = "$count" ] || { echo "bench-outbox: submit created $created of $count" >&2; exit 1; }

rate() { awk -v n="$count" -v ms="$1" 'BEGIN { printf "%.0f", n / (ms / 1000) }'; }
per() { awk -v n="$count" -v ms="$1" 'BEGIN { printf "%.2f", ms / n }'; }
echo "  outbox send: $count records in $outbox_ms ms ($(rate "$outbox_ms")/s, $(per "$outbox_ms") ms each, 4 at a time)"
echo "  submit:      $count files in $submit_ms ms ($(rate "$submit_ms")/s, $(per "$submit_ms") ms each, one by one)"
echo "RESULT|outbox send, $count records (rate limit off)|$(rate "$outbox_ms") per s|$(rate "$outbox_ms")|records/s|-"
echo "RESULT|intake submit, the same number of files|$(rate "$submit_ms") per s|$(rate "$submit_ms")|records/s|-"
