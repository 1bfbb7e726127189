#!/usr/bin/env bash
# Part 4b of scripts/bench.sh: batches of Finosu customers.
#   1. `intake import` of a CSV file of 10,000 valid rows (read, mapped, validated, stored as one
#      batch), each run on a fresh INTAKE_HOME: median wall time of 3 runs (≤ 2 s).
#   2. 1,000 customers sent three ways against one `intake sandbox --rate-limit 0` on loopback,
#      each with its own ids: `intake import --queue` of a CSV file then `intake outbox send`
#      (only the send timed), `intake submit` of 1,000 files, and newman (Postman's command-line
#      runner, installed from npm into DIR/newman when it is not on PATH) running a data-driven
#      collection over the same kind of CSV file. Customers per second of each, and the outbox
#      beside submit (≥ 0.8) and beside newman. When newman cannot be installed, its part is
#      skipped with a line saying so.
# Prints `RESULT|…` lines for bench.sh.
#   scripts/bench-batch.sh BIN DIR
# INTAKE_BENCH_IMPORT_ROWS, INTAKE_BENCH_BATCH_COUNT and INTAKE_BENCH_LATENCY_MS (the sandbox's
# --latency-ms, 0 by default) change the sizes and the delay for a quick or a slower try.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$1 dir=$2
rows=${INTAKE_BENCH_IMPORT_ROWS:-10000}
count=${INTAKE_BENCH_BATCH_COUNT:-1000}
latency=${INTAKE_BENCH_LATENCY_MS:-0}
now_ms() { awk -v t="${EPOCHREALTIME:-$(date +%s.%N)}" 'BEGIN { printf "%.1f", t * 1000 }'; }
since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.0f", b - a }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
rate() { awk -v n="$count" -v ms="$1" 'BEGIN { printf "%.0f", n / (ms / 1000) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
thousands() { echo "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; }
fail() {
  echo "bench-batch: $1" >&2
  exit 1
}
mkdir -p "$dir"
rm -f "$dir/sandbox.out" # from an earlier run into the same DIR: it would be read before the new one

"$bin" sandbox --port 0 --rate-limit 0 --latency-ms "$latency" --json >"$dir/sandbox.out" 2>/dev/null &
sandbox_pid=$!
trap 'kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  [ -s "$dir/sandbox.out" ] && break
  sleep 0.05
done
url=$(sed -n 's/.*"finosu":{"base_url":"\([^"]*\)".*/\1/p' "$dir/sandbox.out")
key=$(sed -n 's/.*"finosu":{[^}]*"api_key":"\([^"]*\)".*/\1/p' "$dir/sandbox.out")
[ -n "$url" ] && [ -n "$key" ] || fail "the sandbox did not start"

# $1: a fresh INTAKE_HOME with the profile "bench" aimed at the sandbox.
new_home() {
  rm -rf "$1"
  mkdir -p "$1"
  chmod 700 "$1"
  INTAKE_HOME=$1 "$bin" profile add --name bench --backend finosu --base-url "$url" >/dev/null
}

# $1: a tag for the ids and emails, $2: rows, $3: the file. Headers named as Finosu's fields, so
# they map by themselves; every row valid, ids and emails distinct, phones varied.
write_csv() {
  awk -v tag="$1" -v n="$2" 'BEGIN {
    print "id,firstName,lastName,email,phoneNumber,timezone,birthday,streetAddress1,city,state,zipCode,taskType"
    for (i = 1; i <= n; i++)
      printf "BENCH-%s-%d,Ada,Lovelace,%s%d@example.com,(415) 555-01%02d,America/Los_Angeles,1985-06-15,123 Main St,San Francisco,CA,94102,collections\n",
        toupper(tag), i, tag, i, i % 100
  }' >"$3"
}

# $1: INTAKE_HOME; prints "rows ready queued sent failed draft" of its only batch.
batch_counts() {
  INTAKE_HOME=$1 "$bin" batch list --json | awk '
    function field(name,   m) {
      if (match($0, "\"" name "\":[0-9]+")) { m = substr($0, RSTART, RLENGTH); sub(/.*:/, "", m); return m }
      return "?"
    }
    { print field("rows"), field("ready"), field("queued"), field("sent"), field("failed"), field("draft") }'
}

# --- 1. import + validate ------------------------------------------------------------------------
echo "  import: $(thousands "$rows") rows of a CSV file, a fresh INTAKE_HOME each run"
write_csv import "$rows" "$dir/import.csv"
import_runs=()
for run in 1 2 3; do
  home="$dir/import-$run"
  new_home "$home"
  started=$(now_ms)
  code=0
  INTAKE_HOME=$home "$bin" import --profile bench "$dir/import.csv" >"$home/import.log" 2>&1 || code=$?
  took=$(since "$started")
  [ "$code" = 0 ] || fail "intake import exited $code: $(tail -n 3 "$home/import.log")"
  counts=$(batch_counts "$home")
  [ "$counts" = "$rows $rows 0 0 0 0" ] ||
    fail "intake batch list after the import: rows ready queued sent failed draft = $counts, not $rows valid rows"
  echo "    run $run: $took ms, exit 0, batch list: $(thousands "$rows") rows, all valid"
  import_runs+=("$took")
done
import_median=$(printf '%s\n' "${import_runs[@]}" | median)
echo "RESULT|import + validate $(thousands "$rows") CSV rows|median $import_median (${import_runs[*]})|$import_median|ms|≤ 2000"

# --- 2a. import --queue, then outbox send ---------------------------------------------------------
echo "  sending $(thousands "$count") customers three ways to $url (sandbox, rate limit off, latency $latency ms)"
home="$dir/outbox"
new_home "$home"
write_csv outbox "$count" "$dir/outbox.csv"
started=$(now_ms)
code=0
INTAKE_HOME=$home "$bin" import --profile bench --queue "$dir/outbox.csv" >"$home/import.log" 2>&1 || code=$?
queue_ms=$(since "$started")
[ "$code" = 0 ] || fail "intake import --queue exited $code: $(tail -n 3 "$home/import.log")"
started=$(now_ms)
code=0
echo "$key" | INTAKE_HOME=$home "$bin" outbox send --profile bench --secret-stdin >"$home/send.log" 2>&1 || code=$?
outbox_ms=$(since "$started")
[ "$code" = 0 ] || fail "intake outbox send exited $code: $(tail -n 3 "$home/send.log")"
grep -q "^$count sent, 0 failed, 0 still queued" "$home/send.log" ||
  fail "outbox send did not send all: $(tail -n 1 "$home/send.log")"
counts=$(batch_counts "$home")
[ "$counts" = "$count 0 0 $count 0 0" ] ||
  fail "intake batch list after the send: rows ready queued sent failed draft = $counts, not $count sent"
printf '    %-30s send %s in %s ms (%s/s, 4 at a time; the import --queue took %s ms)\n' "import --queue + outbox send:" \
  "$count" "$outbox_ms" "$(rate "$outbox_ms")" "$queue_ms"

# --- 2b. submit of files ------------------------------------------------------------------------
home="$dir/submit"
new_home "$home"
mkdir -p "$home/files"
for n in $(seq 1 "$count"); do
  sed -e "s/INT-7K2M9QXD/BENCH-SUBMIT-$n/" -e "s/ada@example.com/submit$n@example.com/" \
    examples/finosu-customer.json >"$home/files/$n.json"
done
started=$(now_ms)
code=0
echo "$key" | INTAKE_HOME=$home "$bin" submit --profile bench --secret-stdin "$home/files/"*.json >"$home/submit.log" 2>&1 ||
  code=$?
submit_ms=$(since "$started")
[ "$code" = 0 ] || fail "intake submit exited $code: $(tail -n 3 "$home/submit.log")"
created=$(grep -c "Created customer" "$home/submit.log" || true)
[ "$created" = "$count" ] || fail "submit created $created of $count"
printf '    %-30s send %s in %s ms (%s/s, one by one)\n' "intake submit:" "$count" "$submit_ms" "$(rate "$submit_ms")"

# --- 2c. newman -----------------------------------------------------------------------------------
newman_ms=""
newman=$(command -v newman || true)
if [ -z "$newman" ]; then
  newman="$dir/newman/node_modules/.bin/newman"
  if [ ! -x "$newman" ]; then
    mkdir -p "$dir/newman"
    # npm wants a package.json at the prefix.
    [ -f "$dir/newman/package.json" ] || echo '{ "private": true }' >"$dir/newman/package.json"
    if ! command -v npm >/dev/null 2>&1 ||
      ! npm install --no-audit --no-fund --prefix "$dir/newman" newman >"$dir/newman/npm.log" 2>&1 ||
      [ ! -x "$newman" ]; then
      echo "    newman: could not be installed with npm (see $dir/newman/npm.log): skipped"
      newman=""
    fi
  fi
fi
if [ -n "$newman" ]; then
  newman_version=$("$newman" --version 2>/dev/null || echo "?")
  write_csv newman "$count" "$dir/newman.csv"
  # One request, its body filled from each CSV row, the key header as src/backends/finosu.rs sends
  # it; a test asserting 201 so that newman counts a refusal as a failure.
  cat >"$dir/collection.json" <<'EOF'
{
  "info": {
    "name": "Intake bench: Finosu customers",
    "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
  },
  "item": [
    {
      "name": "Create customer",
      "event": [
        {
          "listen": "test",
          "script": {
            "type": "text/javascript",
            "exec": ["pm.test('created', function () { pm.response.to.have.status(201); });"]
          }
        }
      ],
      "request": {
        "method": "POST",
        "header": [
          { "key": "Content-Type", "value": "application/json" },
          { "key": "Accept", "value": "application/json" },
          { "key": "X-API-Key", "value": "{{apiKey}}" }
        ],
        "body": {
          "mode": "raw",
          "raw": "{\"id\": \"{{id}}\", \"firstName\": \"{{firstName}}\", \"lastName\": \"{{lastName}}\", \"email\": \"{{email}}\", \"phoneNumber\": \"{{phoneNumber}}\", \"timezone\": \"{{timezone}}\", \"birthday\": \"{{birthday}}\", \"streetAddress1\": \"{{streetAddress1}}\", \"city\": \"{{city}}\", \"state\": \"{{state}}\", \"zipCode\": \"{{zipCode}}\", \"taskType\": \"{{taskType}}\"}",
          "options": { "raw": { "language": "json" } }
        },
        "url": "{{baseUrl}}/customers"
      }
    }
  ]
}
EOF
  rm -f "$dir/newman.json"
  started=$(now_ms)
  code=0
  # The key on newman's command line: a key of the sandbox on loopback, which dies with this script.
  "$newman" run "$dir/collection.json" -d "$dir/newman.csv" --env-var "baseUrl=$url" --env-var "apiKey=$key" \
    --reporters cli,json --reporter-json-export "$dir/newman.json" >"$dir/newman.log" 2>&1 || code=$?
  newman_ms=$(since "$started")
  [ "$code" = 0 ] || fail "newman exited $code: $(tail -n 5 "$dir/newman.log")"
  stats=$(node -e '
    const run = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).run;
    const s = run.stats;
    console.log([s.iterations.total, s.requests.total, s.requests.failed, s.assertions.total,
      s.assertions.failed, run.failures.length].join(" "));' "$dir/newman.json") ||
    fail "cannot read newman's report $dir/newman.json"
  [ "$stats" = "$count $count 0 $count 0 0" ] ||
    fail "newman: iterations requests failed-requests assertions failed-assertions failures = $stats"
  printf '    %-30s send %s in %s ms (%s/s, one by one)\n' "newman $newman_version:" "$count" "$newman_ms" "$(rate "$newman_ms")"
fi

echo "RESULT|import --queue of $(thousands "$count") CSV rows (the queueing)|$queue_ms|$queue_ms|ms|-"
echo "RESULT|batch send through the outbox, $(thousands "$count") customers|$(rate "$outbox_ms") per s|$(rate "$outbox_ms")|customers/s|-"
echo "RESULT|intake submit, $(thousands "$count") files|$(rate "$submit_ms") per s|$(rate "$submit_ms")|customers/s|-"
if [ -n "$newman_ms" ]; then
  echo "RESULT|newman $newman_version, data-driven collection|$(rate "$newman_ms") per s|$(rate "$newman_ms")|customers/s|-"
fi
echo "RESULT|batch send through the outbox ÷ intake submit|ratio $(ratio "$submit_ms" "$outbox_ms")|$(ratio "$submit_ms" "$outbox_ms")|x|≥ 0.8"
if [ -n "$newman_ms" ]; then
  echo "RESULT|batch send through the outbox ÷ newman|ratio $(ratio "$newman_ms" "$outbox_ms")|$(ratio "$newman_ms" "$outbox_ms")|x|dozens of times"
fi
