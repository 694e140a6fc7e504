#!/usr/bin/env bash
# Idempotent set-up shared by the README's two commands and CI: npm packages now; Debian packages,
# Node 24 and code-server once the suites that need them exist (see test/support/).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
