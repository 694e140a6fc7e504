#!/usr/bin/env bash
# Stops the sshd started by sshd-up.sh: the pid in its pid file, only if that process's command
# line names this folder's sshd_config, and the per-connection sshd processes it started. Safe to
# run twice.
set -uo pipefail
BASE=${SVC_SSH_DIR:-${TMPDIR:-/tmp}/mlc-services/ssh}
# a daemon is re-parented to PID 1, which may reap it late: a zombie counts as gone
alive() { [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
f=$BASE/sshd.pid
[ -s "$f" ] || exit 0
p=$(cat "$f")
if [ -r "/proc/$p/cmdline" ] && tr '\0' ' ' < "/proc/$p/cmdline" | grep -qF -- "$BASE/sshd_config"; then
  # the listener's children are the sessions: end them too, so no connection outlives the server
  children=$(pgrep -P "$p" 2>/dev/null || true)
  kill -TERM "$p" $children 2>/dev/null
  for _ in $(seq 100); do alive "$p" || break; sleep 0.05; done
  alive "$p" && kill -KILL "$p" 2>/dev/null
  echo "[sshd-down] stopped pid $p" >&2
fi
rm -f "$f"
exit 0
