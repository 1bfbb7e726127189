#!/usr/bin/env bash
# Smoke test: start the real binary under Xvfb on a fresh profile, wait for its window, and
# save a screenshot (docs/screenshot.png unless a path is given). Fails if no window appears.
# Then the crash test: type into the window, wait 1.5 s, kill -9 it, and check the store holds
# what was typed; start it again, type more, kill -9 again: the same record holds both (the
# restarted window had put it back in the form).
# Installs what is missing first (scripts/setup.sh) unless INTAKE_SKIP_INSTALL is set.
# With --draft FILE the window opens that draft (the README screenshot uses an example).
#   scripts/smoke.sh [--debug] [--draft FILE] [OUTPUT.png]
set -euo pipefail
cd "$(dirname "$0")/.."
profile=release
draft=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --debug) profile=debug; shift ;;
    --draft) draft=$(realpath "$2"); shift 2 ;;
    *) break ;;
  esac
done
out=${1:-docs/screenshot.png}
mkdir -p "$(dirname "$out")"

if [ -z "${INTAKE_SKIP_INSTALL:-}" ]; then scripts/setup.sh --test --gui; fi
if ! command -v cargo >/dev/null 2>&1; then
  # shellcheck disable=SC1091
  . "${CARGO_HOME:-$HOME/.cargo}/env"
fi
if [ "$profile" = release ]; then cargo build --release --quiet; else cargo build --quiet; fi
bin=target/$profile/intake

# ImageMagick's own import, not a look-alike earlier on PATH.
import=/usr/bin/import
if [ ! -x "$import" ]; then import=$(command -v import || true); fi
if [ -z "$import" ]; then
  echo "smoke: ImageMagick's import is missing (apt-get install imagemagick)" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" XDG_RUNTIME_DIR="$tmp/run" HOME="$tmp/home"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR" "$HOME"
chmod 700 "$XDG_RUNTIME_DIR"

# Inside Xvfb: the app runs in the background; it is stopped (and reaped, so that bash reports
# nothing) however this inner script ends.
xvfb-run -a -s '-screen 0 1280x800x24' bash -c '
  set -euo pipefail
  bin=$1 tmp=$2 out=$3 import=$4 draft=$5
  if [ -n "$draft" ]; then "$bin" "$draft" >"$tmp/app.log" 2>&1 & else "$bin" >"$tmp/app.log" 2>&1 & fi
  app_pid=$!
  stop_app() { { kill "$app_pid" && wait "$app_pid"; } 2>/dev/null || true; }
  trap stop_app EXIT
  wid=""
  for _ in $(seq 1 100); do
    wid=$(xdotool search --name "^Intake$" 2>/dev/null | head -n 1 || true)
    if [ -n "$wid" ]; then break; fi
    if ! kill -0 "$app_pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  if [ -z "$wid" ]; then
    echo "smoke: no Intake window after 10 s" >&2
    cat "$tmp/app.log" >&2
    exit 1
  fi
  sleep 1.5
  "$import" -window "$wid" "$out"
' smoke "$bin" "$tmp" "$out" "$import" "$draft"
echo "smoke: window found; screenshot saved to $out"

# --- Crash safety: nothing typed is lost to kill -9 ------------------------------------------
crash_home="$tmp/crash"
mkdir -p "$crash_home"
chmod 700 "$crash_home"
# -noreset: the window is started twice; without it Xvfb resets when the killed one was its last
# client, and a start that connects during the reset fails.
xvfb-run -a -s '-screen 0 1280x800x24 -noreset' bash -c '
  set -euo pipefail
  bin=$1 home=$2
  export INTAKE_HOME=$home
  # Starts the window, types $1 into the field that has the keyboard (the first, ID), waits
  # 1.5 s (autosave writes within 1 s), and kills the process with SIGKILL.
  type_and_kill() {
    "$bin" >>"$home/app.log" 2>&1 &
    local pid=$! wid=""
    for _ in $(seq 1 100); do
      wid=$(xdotool search --name "^Intake$" 2>/dev/null | head -n 1 || true)
      [ -n "$wid" ] && break
      kill -0 "$pid" 2>/dev/null || { cat "$home/app.log" >&2; exit 1; }
      sleep 0.1
    done
    [ -n "$wid" ] || { echo "smoke: no window for the crash test" >&2; exit 1; }
    sleep 1
    xdotool windowfocus --sync "$wid"
    xdotool type --delay 30 "$1"
    sleep 1.5
    kill -9 "$pid"
    wait "$pid" 2>/dev/null || true
  }
  type_and_kill "CRASH-TEST-1"
  first=$("$bin" outbox list --json)
  echo "$first" | grep -q "\"customer_ref\":\"CRASH-TEST-1\"" || {
    echo "smoke: after kill -9 the store does not hold what was typed: $first" >&2; exit 1; }
  type_and_kill "AFTER-RESTART"
  second=$("$bin" outbox list --json)
  [ "$(echo "$second" | grep -c "\"id\"")" = 1 ] || {
    echo "smoke: the restarted window did not continue the same record: $second" >&2; exit 1; }
  echo "$second" | grep "CRASH-TEST-1" | grep -q "AFTER-RESTART" || {
    echo "smoke: the text typed after the restart is not in the record: $second" >&2; exit 1; }
' crash "$bin" "$crash_home"
echo "smoke: crash test passed: text typed 1.5 s before kill -9 was in the store, and the restarted window went on with it"
