#!/usr/bin/env bash
# `make test`: the same set-up as `make run`, then every test. Exits non-zero on any failure.
#   1. unit and property tests of the pure code, integration tests on real PostgreSQL
#      (#[sqlx::test] gives each test a fresh database);
#   2. end-to-end tests in Debian's Chromium against a release build serving a freshly
#      seeded database.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$MERIDIAN_ROOT"

scripts/install-tools.sh --browser
DATABASE_URL="$(scripts/ensure-postgres.sh)"
export DATABASE_URL

say "Unit and integration tests"
# One test at a time per binary: each #[sqlx::test] runs its own Tokio runtime, and Leptos
# tasks started by one test's render can land on another test's runtime and stall when it
# ends (seen as a rare hang). The server itself has one runtime and is unaffected.
RUST_TEST_THREADS=1 cargo test --locked -p meridian -p app --features app/ssr

say "Release build (wasm and server)"
cargo leptos build --release

say "End-to-end tests in Chromium"
E2E_DB="meridian_e2e"
base="${DATABASE_URL%/*}"
psql "$DATABASE_URL" -XAtqc "drop database if exists $E2E_DB with (force)" -c "create database $E2E_DB"
export DATABASE_URL="$base/$E2E_DB"
MERIDIAN_BIN="$CARGO_TARGET_DIR/release/meridian"
# Three weeks of history for the planning page, then three busy days on top, so that
# whatever the time of day dozens of recent dialogues still wait unassigned for the tests
# to claim (seeding adds to what is there).
"$MERIDIAN_BIN" seed-demo --dialogues 3000 --days 21
"$MERIDIAN_BIN" seed-demo --dialogues 3000 --days 3

# Two server processes on one database, as behind a load balancer: the live-update
# tests sign one agent in on each.
port="${E2E_PORT:-3100}"
second=$((port + 1))
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
# A real SMTP server (Debian's aiosmtpd) writing every e-mail the servers send into a
# maildir, where the password-reset test reads its link as a person reads their inbox.
smtp_port=$((port + 25))
export E2E_MAILDIR="$CARGO_TARGET_DIR/e2e-mail"
rm -rf "$E2E_MAILDIR" && mkdir -p "$E2E_MAILDIR"/{tmp,new,cur}
/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox "$E2E_MAILDIR" > "$CARGO_TARGET_DIR/e2e-smtp.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do (echo > "/dev/tcp/127.0.0.1/$smtp_port") 2>/dev/null && break; sleep 0.2; done
for p in "$port" "$second"; do
  MERIDIAN_ADDR="127.0.0.1:$p" MERIDIAN_SMTP_URL="smtp://127.0.0.1:$smtp_port" "$MERIDIAN_BIN" serve > "$CARGO_TARGET_DIR/e2e-server-$p.log" 2>&1 &
  pids+=($!)
done
# The demo's webhook subscription posts to a local test receiver, which checks each
# delivery's signature (the webhooks end-to-end test reads the deliveries).
"$MERIDIAN_BIN" webhook-receiver --addr 127.0.0.1:3900 > "$CARGO_TARGET_DIR/e2e-webhooks.log" 2>&1 &
pids+=($!)
for p in "$port" "$second"; do
  for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$p/readyz" >/dev/null && break; sleep 0.2; done
  curl -fs "http://127.0.0.1:$p/readyz" >/dev/null || { cat "$CARGO_TARGET_DIR/e2e-server-$p.log"; exit 1; }
done

E2E_BASE_URL="http://127.0.0.1:$port" E2E_SECOND_URL="http://127.0.0.1:$second" \
  npx playwright test -c end2end/playwright.config.ts
say "All tests passed"
