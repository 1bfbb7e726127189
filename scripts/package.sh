#!/usr/bin/env bash
# Builds the Debian package target/debian/intake_VERSION-1_ARCH.deb and checks it: its control
# fields and file list (dpkg-deb -I/-c), the desktop entry (desktop-file-validate), the AppStream
# metainfo (appstreamcli validate --no-net), and the packaged binary itself, unpacked into a
# scratch root with dpkg -x (not installed on this machine): `intake --version` and
# `intake validate` on the Finosu example. Prints a PASS/FAIL line per check and exits non-zero
# when any fails. Installs what is missing first: apt packages (dpkg-dev, desktop-file-utils,
# appstream) and cargo-deb (`cargo install cargo-deb --locked`, a few minutes the first time).
#   scripts/package.sh
# Not part of scripts/test.sh (a release build takes minutes); the README's Install section names it.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "package: $*"; }

# --- what the build and the checks need -------------------------------------------------------
if ! command -v cargo >/dev/null 2>&1; then
  scripts/setup.sh
  # shellcheck disable=SC1091
  . "${CARGO_HOME:-$HOME/.cargo}/env"
fi

is_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}
# dpkg-dev: dpkg-shlibdeps, which works out the libraries the binary links ($auto in Depends).
missing=()
for pkg in dpkg-dev desktop-file-utils appstream file gcc libc6-dev; do
  if ! is_installed "$pkg"; then missing+=("$pkg"); fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  say "installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if ! cargo deb --version >/dev/null 2>&1; then
  say "installing cargo-deb (compiles for a few minutes)"
  cargo install cargo-deb --locked
fi

# --- build --------------------------------------------------------------------------------------
say "building the release binary"
cargo build --release --locked
version=$(target/release/intake --version | awk '{ print $2 }')
completions=target/release/completions
mkdir -p "$completions"
target/release/intake completions bash >"$completions/intake.bash"
target/release/intake completions zsh >"$completions/_intake"
target/release/intake completions fish >"$completions/intake.fish"

rm -f target/debian/intake_*.deb
cargo deb --no-build --locked
arch=$(dpkg --print-architecture)
deb="target/debian/intake_${version}-1_${arch}.deb"
if ! [ -f "$deb" ]; then
  echo "package: FAIL: $deb was not built" >&2
  exit 1
fi

# --- checks ---------------------------------------------------------------------------------------
results=()
failed=0
check() {
  local name=$1
  shift
  if "$@"; then
    results+=("PASS  $name")
  else
    results+=("FAIL  $name")
    failed=1
  fi
}

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

dpkg-deb -I "$deb" >"$scratch/info"
dpkg-deb -c "$deb" >"$scratch/contents"
echo
cat "$scratch/info"
echo
awk '{ print $1, $3, $6 }' "$scratch/contents"
echo

field_has() { grep -Eq "^ $1:.*$2" "$scratch/info"; }
check "Package is intake $version" field_has Version "$version-1"
for lib in libc6 libgl1 libegl1 libxkbcommon-x11-0 libx11-6 libxcursor1 libxrandr2 libxi6 libwayland-client0; do
  check "Depends on $lib" field_has Depends "(^|[ ,])$lib([ ,(]|$)"
done
check "Recommends gnome-keyring" field_has Recommends gnome-keyring

has_file() { grep -Eq " \./$1\$" "$scratch/contents"; }
check "binary /usr/bin/intake (executable)" grep -Eq '^-rwxr-xr-x .* \./usr/bin/intake$' "$scratch/contents"
check "desktop entry" has_file usr/share/applications/intake.desktop
check "AppStream metainfo" has_file usr/share/metainfo/io.github.intake.Intake.metainfo.xml
for size in 16 24 32 48 64 128 256; do
  check "icon ${size}x${size}" has_file "usr/share/icons/hicolor/${size}x${size}/apps/intake.png"
done
check "bash completions" has_file usr/share/bash-completion/completions/intake
check "zsh completions" has_file usr/share/zsh/vendor-completions/_intake
check "fish completions" has_file usr/share/fish/vendor_completions.d/intake.fish
for doc in README.md LICENSE-MIT LICENSE-APACHE copyright; do
  check "doc $doc" has_file "usr/share/doc/intake/$doc"
done

root="$scratch/root"
dpkg -x "$deb" "$root"
check "desktop-file-validate" desktop-file-validate "$root/usr/share/applications/intake.desktop"
check "appstreamcli validate" appstreamcli validate --no-net \
  "$root/usr/share/metainfo/io.github.intake.Intake.metainfo.xml"
icon_is() { file "$root/usr/share/icons/hicolor/$1x$1/apps/intake.png" | grep -q "PNG image data, $1 x $1,"; }
for size in 16 48 256; do
  check "icon ${size}x${size} is a ${size}x${size} PNG" icon_is "$size"
done
version_is() { [ "$("$root/usr/bin/intake" --version)" = "intake $version" ]; }
check "unpacked intake --version says intake $version" version_is
# The unpacked binary with a home of its own, so nothing of this user's Intake is touched.
unpacked() { INTAKE_HOME="$scratch/home" RUST_LOG=off "$root/usr/bin/intake" "$@"; }
check "unpacked intake validate examples/finosu-customer.json" \
  unpacked validate --backend finosu examples/finosu-customer.json
completes() { unpacked completions bash | grep -q "complete -F _intake"; }
check "unpacked intake completions bash" completes

size=$(du -k "$deb" | cut -f1)
echo
echo "package: $deb (${size} KiB)"
printf '  %s\n' "${results[@]}"
if [ "$failed" -ne 0 ]; then
  echo "package: FAILED" >&2
  exit 1
fi
echo "package: all ${#results[@]} checks passed"
