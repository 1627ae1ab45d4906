# Shared by the scripts in this folder: paths, versions, and running as root.
# Sourced, not executed.

MERIDIAN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_LEPTOS_VERSION="0.3.10"   # 0.3.11 needs rustc >= 1.96 (TOOLCHAIN.md)
WASM_BINDGEN_VERSION="0.2.130"  # must equal the wasm-bindgen crate pinned in Cargo.toml

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/meridian/target}"
export PATH="$MERIDIAN_ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# cargo-leptos writes the site here (relative to the workspace); `meridian serve` reads it.
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$MERIDIAN_ROOT/target/site}"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  say "Installing Debian packages: $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null 2>&1 || {
    as_root apt-get update -q >/dev/null
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null
  }
}
