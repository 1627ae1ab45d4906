#!/usr/bin/env bash
# Installs what building Meridian needs and is missing; fast when nothing is.
# Usage: scripts/install-tools.sh [--browser]   (--browser adds Chromium for the e2e tests)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "Adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  say "Installing cargo-leptos $CARGO_LEPTOS_VERSION (about 20 minutes, once per machine)"
  cargo install "cargo-leptos@$CARGO_LEPTOS_VERSION" --locked
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 10 minutes, once per machine)"
  # Not --locked: its lockfile pins a webpki-roots release the registry no longer serves.
  cargo install "wasm-bindgen-cli@$WASM_BINDGEN_VERSION"
fi

# npm packages: wasm-opt (binaryen) for release builds, Playwright for the e2e tests.
if [ ! -f "$MERIDIAN_ROOT/node_modules/.package-lock.json" ] \
   || [ "$MERIDIAN_ROOT/package-lock.json" -nt "$MERIDIAN_ROOT/node_modules/.package-lock.json" ]; then
  say "Installing npm packages"
  (cd "$MERIDIAN_ROOT" && npm ci --no-audit --no-fund --loglevel=error)
fi

if ! command -v psql >/dev/null || ! command -v pg_ctlcluster >/dev/null; then
  apt_install postgresql
fi

if [ "${1:-}" = "--browser" ] && [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi

# The tests' real SMTP server (the outbox delivers to it): Debian's aiosmtpd, for Debian's Python.
if [ "${1:-}" = "--browser" ] && ! /usr/bin/python3 -c "import aiosmtpd" 2>/dev/null; then
  apt_install python3-aiosmtpd
fi

# The tests' OpenAPI 3.1 validator (server/tests/openapi.rs), from PyPI.
if [ "${1:-}" = "--browser" ] && ! python3 -c "import openapi_spec_validator" 2>/dev/null; then
  say "Installing openapi-spec-validator"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "openapi-spec-validator==0.9.0"
fi
