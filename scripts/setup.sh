#!/usr/bin/env bash
# Installs what this Debian/Ubuntu machine lacks to build Intake, and with
#   --gui   what the window needs at run time (plus Xvfb when there is no display),
#   --test  what the test suite, the smoke test and the benchmarks need.
# Idempotent: packages already installed are not touched (no apt-get at all when nothing is
# missing), and the Rust toolchain is installed with rustup only when `cargo` is missing.
#   scripts/setup.sh [--gui] [--test]
set -euo pipefail

usage() { sed -n '2,7s/^# \{0,1\}//p' "$0"; }
want_gui=0
want_test=0
for arg in "$@"; do
  case "$arg" in
    --gui) want_gui=1 ;;
    --test) want_test=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "setup: unknown option '$arg'" >&2; usage >&2; exit 2 ;;
  esac
done

say() { echo "setup: $*"; }
has_display() { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }

# --- apt packages -------------------------------------------------------------------------------
# Each entry: package and why, so the message says what is installed and what for.
wanted=(
  "gcc:C compiler and linker for the Rust build"
  "libc6-dev:C library headers for the Rust build"
)
if [ "$want_gui" = 1 ]; then
  wanted+=(
    "libxkbcommon-x11-0:keyboard handling of the X11 window"
    "libgl1-mesa-dri:OpenGL drivers (llvmpipe when there is no GPU)"
    "libegl1:OpenGL on Wayland"
    "ca-certificates:trusted certificates for HTTPS to the real APIs"
  )
  if ! has_display; then
    wanted+=("xvfb:virtual X server, since there is no display" "xauth:needed by xvfb-run")
  fi
fi
if [ "$want_test" = 1 ]; then
  wanted+=(
    "dbus:private session bus for the keyring tests"
    "gnome-keyring:Secret Service for the keyring tests"
    "libsecret-tools:secret-tool, to inspect the test keyring"
    "mesa-vulkan-drivers:software Vulkan (lavapipe) for the UI snapshot tests"
    "libvulkan1:Vulkan loader for the UI snapshot tests"
    "xvfb:virtual X server for the smoke test and benchmarks"
    "xauth:needed by xvfb-run"
    "libxkbcommon-x11-0:keyboard handling of the X11 window"
    "libgl1-mesa-dri:OpenGL drivers (llvmpipe) for the real window"
    "xdotool:finds the window in the smoke test and benchmarks"
    "imagemagick:import, the smoke test's screenshot"
    "curl:the submit benchmark sends the same request with curl"
  )
fi
if ! command -v cargo >/dev/null 2>&1 && ! [ -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ]; then
  wanted+=("curl:downloads rustup" "ca-certificates:HTTPS for the rustup download")
fi

is_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=()
reasons=()
seen=" "
for entry in "${wanted[@]}"; do
  pkg=${entry%%:*}
  case "$seen" in *" $pkg "*) continue ;; esac
  seen="$seen$pkg "
  if ! command -v dpkg-query >/dev/null 2>&1 || ! is_installed "$pkg"; then
    missing+=("$pkg")
    reasons+=("  $pkg: ${entry#*:}")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  say "all needed apt packages are installed"
elif ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
  say "this is not a Debian/Ubuntu system (no apt-get); install the equivalents of these yourself:" >&2
  printf '%s\n' "${reasons[@]}" >&2
else
  sudo=()
  if [ "$(id -u)" != 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      say "not root and no sudo: cannot install ${missing[*]}" >&2
      exit 1
    fi
    sudo=(sudo)
  fi
  say "installing ${#missing[@]} apt package(s):"
  printf '%s\n' "${reasons[@]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# --- Rust toolchain -----------------------------------------------------------------------------
cargo_env="${CARGO_HOME:-$HOME/.cargo}/env"
if ! command -v cargo >/dev/null 2>&1 && [ -f "$cargo_env" ]; then
  # shellcheck disable=SC1090
  . "$cargo_env"
fi
if ! command -v cargo >/dev/null 2>&1; then
  say "installing the Rust toolchain with rustup (stable, minimal profile, clippy and rustfmt)"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c clippy,rustfmt
  # shellcheck disable=SC1090
  . "$cargo_env"
fi

# eframe/egui 0.37 need rustc 1.95 or newer.
version=$(rustc --version | awk '{print $2}')
if [ "$(printf '%s\n%s\n' 1.95.0 "${version%%-*}" | sort -V | head -n 1)" != 1.95.0 ]; then
  say "rustc $version is too old: Intake needs 1.95 or newer. Run: rustup update stable" >&2
  exit 1
fi

if [ "$want_test" = 1 ]; then
  components=()
  cargo clippy --version >/dev/null 2>&1 || components+=(clippy)
  cargo fmt --version >/dev/null 2>&1 || components+=(rustfmt)
  if [ "${#components[@]}" -gt 0 ]; then
    if ! command -v rustup >/dev/null 2>&1; then
      say "cargo ${components[*]} missing and there is no rustup to add them" >&2
      exit 1
    fi
    say "adding Rust components: ${components[*]}"
    rustup component add "${components[@]}"
  fi
fi
say "Rust $version ready ($(command -v cargo))"
