#!/usr/bin/env bash
# The README's "run" command: installs what is missing (scripts/setup.sh --gui), builds the
# release binary and opens the Intake window. With no display (no DISPLAY or WAYLAND_DISPLAY) the
# window opens on a virtual X server (Xvfb) instead. Arguments go to the binary (e.g. `validate`).
#   scripts/run.sh [ARGS…]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --gui
if ! command -v cargo >/dev/null 2>&1; then
  # shellcheck disable=SC1091
  . "${CARGO_HOME:-$HOME/.cargo}/env"
fi
cargo build --release
bin=target/release/intake

if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec "$bin" "$@"
fi
echo "run: no display (DISPLAY and WAYLAND_DISPLAY are unset), so Intake runs headless under Xvfb;" \
  "nothing will be visible. Stop it with Ctrl+C." >&2
exec xvfb-run -a -s '-screen 0 1280x800x24' "$bin" "$@"
