#!/usr/bin/env bash
# The README's promise, checked the way a newcomer meets it: the committed HEAD cloned into a temp
# folder with ../shared beside it and no .tools (only npm's download cache is reused), then
# `npm start -- --smoke` and `npm test` under npm, nothing installed by hand first. Then the same
# clone without ../shared: the unit tests must pass with the real-world corpus suites skipped.
#   bash scripts/fresh-clone-check.sh [--keep]     (--keep leaves the clone for a look afterwards;
#   a failed check always leaves it, with the logs and screenshots its message names)
# Takes 15-20 minutes (code-server's native builds, every test). Exits non-zero on the first broken
# promise. Commit first: uncommitted changes are not in the clone.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
KEEP=0
[ "${1:-}" = --keep ] && KEEP=1
START=$SECONDS
log() { printf '[fresh-clone %4ss] %s\n' "$((SECONDS - START))" "$*"; }
die() {
  log "FAILED: $*" >&2
  KEEP=1 # the logs and screenshots a failure names stay for a look
  exit 1
}

SHARED=$(cd "$REPO/../shared" 2>/dev/null && pwd) || die "no ../shared beside $REPO to put beside the clone"
COMMIT=$(git -C "$REPO" rev-parse HEAD)
[ -z "$(git -C "$REPO" status --porcelain --untracked-files=no)" ] ||
  log "note: $REPO has uncommitted changes; the clone checks $COMMIT without them"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mlc-fresh-clone.XXXXXX")
CLONE=$WORK/mlc
trap 'if [ "$KEEP" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi' EXIT

log "cloning $COMMIT into $CLONE, ../shared -> $SHARED"
git clone --quiet --no-checkout "$REPO" "$CLONE"
git -C "$CLONE" checkout --quiet --detach "$COMMIT"
ln -s "$SHARED" "$WORK/shared"
cd "$CLONE"

log 'npm start -- --smoke'
npm start -- --smoke 2>&1 | tee "$WORK/start.log" || die "npm start -- --smoke exited non-zero (log: $WORK/start.log)"
grep -q '^smoke: code-server served the workbench' "$WORK/start.log" || die 'npm start -- --smoke printed no smoke line'

log 'npm test'
npm test 2>&1 | tee "$WORK/test.log" || die "npm test exited non-zero (log: $WORK/test.log)"
closing=$(grep -E '^all: [0-9]+ passed, [0-9]+ failed' "$WORK/test.log" | tail -1)
[[ $closing =~ ' 0 failed' ]] || die "npm test ended with '$closing'"
log "npm test: $closing"

log 'without ../shared: npm run test:unit (outside CI)'
rm "$WORK/shared"
env -u CI npm run test:unit 2>&1 | tee "$WORK/unit-without-shared.log" >/dev/null ||
  die "unit tests fail without ../shared (log: $WORK/unit-without-shared.log)"
grep -m1 'Real-world fixtures not found' "$WORK/unit-without-shared.log" ||
  die 'no skip message for the real-world corpus suites'
grep -E '^# (pass|fail|skipped) ' "$WORK/unit-without-shared.log"
grep -qE '^# skipped [1-9]' "$WORK/unit-without-shared.log" || die 'no corpus suite was skipped'

log "all promises kept in $((SECONDS - START)) s"
