#!/usr/bin/env bash
# Starts a throwaway OpenSSH server on 127.0.0.1:$SVC_SSH_PORT for the runner tests: fresh host
# and client keys under $SVC_SSH_DIR, key-only login as the current user. Idempotent: stops an
# earlier instance in the same folder first. Progress goes to stderr; stdout is only
# `export VAR=...` lines:  eval "$(scripts/services/sshd-up.sh)"
# Needs openssh-server and rsync (scripts/setup.sh installs them); it installs nothing itself.
set -euo pipefail

BASE=${SVC_SSH_DIR:-${TMPDIR:-/tmp}/mlc-services/ssh}
PORT=${SVC_SSH_PORT:-22022}
HERE=$(cd "$(dirname "$0")" && pwd)
SSHD=${SVC_SSHD_BINARY:-/usr/sbin/sshd}
case "$BASE" in /?*/?*) ;; *) echo "refusing SVC_SSH_DIR=$BASE" >&2; exit 1;; esac
log() { echo "[sshd-up] $*" >&2; }

for tool in "$SSHD" ssh ssh-keygen rsync; do
  command -v "$tool" >/dev/null || { log "missing $tool: run scripts/setup.sh (openssh-server, rsync)"; exit 3; }
done

SVC_SSH_DIR=$BASE "$HERE/sshd-down.sh"
if ss -ltnH "sport = :$PORT" | grep -q .; then
  log "port $PORT is already taken by another process"; exit 1
fi
rm -rf "$BASE"; mkdir -p "$BASE"; chmod 700 "$BASE"
# sshd's privilege separation folder is compiled in; without systemd nobody makes it.
[ -d /run/sshd ] || { mkdir -p /run/sshd && chmod 755 /run/sshd; }
USER_NAME=$(id -un)

ssh-keygen -q -t ed25519 -N '' -C mlc-test-host -f "$BASE/ssh_host_ed25519_key"
ssh-keygen -q -t ed25519 -N '' -C mlc-test-client -f "$BASE/id_ed25519"
cp "$BASE/id_ed25519.pub" "$BASE/authorized_keys"; chmod 600 "$BASE/authorized_keys"
echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$BASE/ssh_host_ed25519_key.pub")" > "$BASE/known_hosts"
cat > "$BASE/sshd_config" <<CONF
Port $PORT
ListenAddress 127.0.0.1
HostKey $BASE/ssh_host_ed25519_key
PidFile $BASE/sshd.pid
AuthorizedKeysFile $BASE/authorized_keys
# the temp folder is 1777, which StrictModes rejects above an AuthorizedKeysFile
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
X11Forwarding no
PrintMotd no
MaxSessions 50
MaxStartups 50
CONF
# Variables every session gets (e.g. SLURM_CONF=..., so the host can act as a Slurm login node).
if [ -n "${SVC_SSHD_SETENV:-}" ]; then echo "SetEnv $SVC_SSHD_SETENV" >> "$BASE/sshd_config"; fi
# A client configuration for the tests: this server's known_hosts only, never the user's.
cat > "$BASE/ssh_config" <<CONF
Host *
  UserKnownHostsFile $BASE/known_hosts
  GlobalKnownHostsFile /dev/null
  LogLevel ERROR
CONF

"$SSHD" -t -f "$BASE/sshd_config"
"$SSHD" -f "$BASE/sshd_config" -E "$BASE/sshd.log"
for _ in $(seq 100); do ss -ltnH "sport = :$PORT" | grep -q . && break; sleep 0.05; done
out=$(ssh -F "$BASE/ssh_config" -o BatchMode=yes -o StrictHostKeyChecking=yes -i "$BASE/id_ed25519" \
  -p "$PORT" -l "$USER_NAME" 127.0.0.1 'echo ok') || { tail -20 "$BASE/sshd.log" >&2; exit 1; }
[ "$out" = ok ] || { log "unexpected output: $out"; exit 1; }
log "sshd pid $(cat "$BASE/sshd.pid") on 127.0.0.1:$PORT"

cat <<ENV
export SVC_SSH_HOST=127.0.0.1
export SVC_SSH_PORT=$PORT
export SVC_SSH_USER=$USER_NAME
export SVC_SSH_KEY=$BASE/id_ed25519
export SVC_SSH_KNOWN_HOSTS=$BASE/known_hosts
export SVC_SSH_CONFIG=$BASE/ssh_config
export SVC_SSHD_PID=$(cat "$BASE/sshd.pid")
ENV
