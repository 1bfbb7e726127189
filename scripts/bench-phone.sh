#!/usr/bin/env bash
# Part 1b of scripts/bench.sh: what the first phone check costs a process. `intake validate
# --backend finosu` of one file, 15 rounds, the files taken in turn within each round: the
# example customer without a phone, with its US phone, with a +44 number (a calling code the
# process has not seen) and with a Canadian +1 number (code 1's other territories). Prints the
# medians, the phone's cost (median with minus median without) and `RESULT|…` lines.
#   scripts/bench-phone.sh BIN DIR
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$1 dir=$2
rounds=${INTAKE_BENCH_PHONE_ROUNDS:-15}
now_us() { echo "${EPOCHREALTIME/./}"; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
mkdir -p "$dir"

phone_line='"phoneNumber": "(415) 555-0123",'
grep -qF "$phone_line" examples/finosu-customer.json || { echo "bench-phone: the example has no US phone" >&2; exit 1; }
grep -vF "$phone_line" examples/finosu-customer.json >"$dir/none.json"
cp examples/finosu-customer.json "$dir/us.json"
sed 's/(415) 555-0123/+44 20 7946 0958/' examples/finosu-customer.json >"$dir/gb.json"
sed 's/(415) 555-0123/+1 416 555 0123/' examples/finosu-customer.json >"$dir/ca.json"
kinds="none us gb ca"

# One warm-up call each (page cache), then the rounds.
for kind in $kinds; do "$bin" validate --backend finosu "$dir/$kind.json" >/dev/null 2>&1 || true; done
for _ in $(seq 1 "$rounds"); do
  for kind in $kinds; do
    start=$(now_us)
    status=0
    "$bin" validate --backend finosu "$dir/$kind.json" >"$dir/$kind.out" 2>&1 || status=$?
    end=$(now_us)
    # Without a phone the file misses a required field (exit 1); the others are valid.
    if [ "$kind" = none ]; then expected=1; else expected=0; fi
    if [ "$status" != "$expected" ]; then
      echo "bench-phone: $kind.json exited $status, not $expected:" >&2
      cat "$dir/$kind.out" >&2
      exit 1
    fi
    echo $((end - start)) >>"$dir/$kind.times"
  done
done

ms() { awk -v us="$1" 'BEGIN { printf "%.1f", us / 1000 }'; }
for kind in $kinds; do
  declare "median_$kind=$(median <"$dir/$kind.times")"
done
cost() { awk -v a="$1" -v b="$median_none" 'BEGIN { printf "%.1f", (a - b) / 1000 }'; }
echo "  medians of $rounds calls: without a phone $(ms "$median_none") ms, US phone $(ms "$median_us") ms," \
  "+44 $(ms "$median_gb") ms, +1 416 $(ms "$median_ca") ms"
echo "RESULT|intake validate, one file without a phone|median $(ms "$median_none")|$(ms "$median_none")|ms|-"
echo "RESULT|intake validate, one file with a US phone|median $(ms "$median_us")|$(ms "$median_us")|ms|25"
echo "RESULT|  its first phone check (with minus without)|$(cost "$median_us")|$(cost "$median_us")|ms|10"
echo "RESULT|  first check of a +44 number (new code)|$(cost "$median_gb")|$(cost "$median_gb")|ms|10"
echo "RESULT|  first check of a +1 416 number (Canada)|$(cost "$median_ca")|$(cost "$median_ca")|ms|-"
