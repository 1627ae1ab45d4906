#!/usr/bin/env bash
# `make run`: installs what is missing, makes sure PostgreSQL is there, migrates, seeds
# demo data into an empty database, builds in release mode and serves.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$MERIDIAN_ROOT"

scripts/install-tools.sh
DATABASE_URL="$(scripts/ensure-postgres.sh)"
export DATABASE_URL

say "Release build (wasm and server)"
cargo leptos build --release
MERIDIAN_BIN="$CARGO_TARGET_DIR/release/meridian"

"$MERIDIAN_BIN" migrate
"$MERIDIAN_BIN" seed-demo --if-empty --dialogues "${MERIDIAN_DEMO_DIALOGUES:-20000}" --days 90

addr="${MERIDIAN_ADDR:-127.0.0.1:3000}"
cat <<MSG

  Meridian: http://$addr
  Sign in as any of these, password "meridian-demo":
    owner@meridian.test    (owner: everything, users and settings)
    manager@meridian.test  (manager: queue, reports, shift planning)
    qa@meridian.test       (QA reviewer)
    agent@meridian.test    (agent: the queue)

MSG
exec "$MERIDIAN_BIN" serve
