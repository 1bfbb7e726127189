#!/usr/bin/env bash
# Fuzzing (issue 10, item 6): the property tests of tests/fuzz_props.rs, built in release and run
# one target at a time with a large case count, at least 1,000,000 inputs in all. Prints per
# target the inputs tried, the seconds and the failures (with proptest's minimal failing input),
# then a total line; exits 1 when any target failed. CI runs the same tests at proptest's default
# count (256 per target) through `cargo test`.
#   scripts/fuzz.sh            the full run (about 10 minutes on 2 cores)
#   scripts/fuzz.sh --quick    2,000 inputs per target, to try the script
#   FUZZ_CASES=N scripts/fuzz.sh   N inputs for every target
# PROPTEST_MAX_SHRINK_ITERS (default here 4096) bounds the shrinking of a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
for arg in "$@"; do
  case $arg in
    --quick) quick=1 ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "fuzz: unknown argument $arg (try --quick)" >&2; exit 2 ;;
  esac
done

if ! command -v cargo >/dev/null 2>&1; then
  [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
fi
if ! command -v cargo >/dev/null 2>&1; then
  scripts/setup.sh
  . "$HOME/.cargo/env"
fi

# Inputs per target, from the rates measured on 2 cores (release): from about 700 inputs/s (JSON
# import, Finosu error bodies) to 7,000/s (token answers); 1,060,000 in all, about 10 minutes.
targets=(
  "fuzz_draft_file_loading 120000"
  "fuzz_draft_form_round_trip 100000"
  "fuzz_validate_finosu 100000"
  "fuzz_validate_help_scout 100000"
  "fuzz_finosu_error_body 60000"
  "fuzz_vnd_error_body 120000"
  "fuzz_token_answer 200000"
  "fuzz_rate_limit_headers 80000"
  "fuzz_csv_import 120000"
  "fuzz_json_import 60000"
)

echo "fuzz: building tests/fuzz_props.rs in release"
cargo test --release --test fuzz_props --no-run 2>&1 | tail -n 3
bin=$(cargo test --release --test fuzz_props --no-run --message-format=json 2>/dev/null |
  sed -n 's/.*"executable":"\([^"]*fuzz_props[^"]*\)".*/\1/p' | tail -n 1)
[ -x "$bin" ] || { echo "fuzz: the test binary was not found" >&2; exit 1; }

log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT
export PROPTEST_MAX_SHRINK_ITERS=${PROPTEST_MAX_SHRINK_ITERS:-4096}
export RUST_BACKTRACE=0

now_ms() { echo $(( ${EPOCHREALTIME/./} / 1000 )); }
thousands() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }

total_inputs=0 total_failures=0 count=0
start_all=$(now_ms)
printf "%-28s %12s %9s %9s\n" target inputs seconds failures
for entry in "${targets[@]}"; do
  read -r name cases <<<"$entry"
  if [ "$quick" = 1 ]; then cases=2000; fi
  cases=${FUZZ_CASES:-$cases}
  start=$(now_ms)
  status=0
  PROPTEST_CASES=$cases "$bin" --exact "$name" --test-threads 1 >"$log_dir/$name.log" 2>&1 || status=$?
  end=$(now_ms)
  seconds=$(awk -v ms=$((end - start)) 'BEGIN { printf "%.1f", ms / 1000 }')
  if [ "$status" = 0 ] && grep -q "^test result: ok. 1 passed" "$log_dir/$name.log"; then
    failures=0 tried=$cases
  elif [ "$status" = 0 ]; then
    echo "fuzz: $name did not run (misspelt target?)" >&2
    cat "$log_dir/$name.log" >&2
    exit 1
  else
    failures=1
    # Proptest prints how many cases passed before the failing one.
    passed=$(sed -n 's/^[[:space:]]*successes: \([0-9]*\)$/\1/p' "$log_dir/$name.log" | head -n 1)
    tried=$(( ${passed:-0} + 1 ))
  fi
  printf "%-28s %12s %9s %9s\n" "$name" "$(thousands "$tried")" "$seconds" "$failures"
  if [ "$failures" != 0 ]; then
    echo "---- $name failed; proptest's report (minimal failing input):"
    sed -n '/Test failed/,/global rejects/p' "$log_dir/$name.log" | head -n 200
    grep -q "Test failed" "$log_dir/$name.log" || tail -n 40 "$log_dir/$name.log"
    echo "----"
  fi
  total_inputs=$((total_inputs + tried))
  total_failures=$((total_failures + failures))
  count=$((count + 1))
done
end_all=$(now_ms)
total_seconds=$(( (end_all - start_all + 500) / 1000 ))
echo "$(thousands "$total_inputs") inputs in $count targets, $total_failures failures, $total_seconds s"
[ "$total_failures" = 0 ]
