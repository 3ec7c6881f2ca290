#!/usr/bin/env bash
# The workspace against the newest versions its manifests allow, as a new application with no
# lockfile resolves them (`cargo update`), with warnings denied. Allowed to fail: a failure
# prints a NOTE saying what broke and CI goes on; the checked-in Cargo.lock is restored either
# way, so the rest of CI is unaffected.
set -uo pipefail
cd "$(dirname "$0")/.."

saved=$(mktemp)
cp Cargo.lock "$saved"
trap 'cp "$saved" Cargo.lock; rm -f "$saved"' EXIT

if ! cargo update --quiet 2>/tmp/newest-update.log; then
    echo "NOTE: cargo update failed (registry unreachable?); the newest versions were not tried:"
    tail -5 /tmp/newest-update.log
    exit 0
fi
changed=$(diff <(grep -A1 '^name = ' "$saved") <(grep -A1 '^name = ' Cargo.lock) | grep -c '^>' || true)
echo "--- $changed lockfile lines newer than the checked-in Cargo.lock"
if RUSTFLAGS="${RUSTFLAGS:-} -D warnings" cargo check --quiet --workspace --all-targets 2>/tmp/newest-check.log; then
    echo "--- the workspace builds clean against the newest compatible versions"
else
    echo "NOTE: the workspace does not build clean against the newest compatible versions"
    echo "NOTE: (allowed to fail; fix before the next 'cargo update' lands). First errors:"
    grep -E '^(error|warning)' -A6 /tmp/newest-check.log | head -40
fi
exit 0
