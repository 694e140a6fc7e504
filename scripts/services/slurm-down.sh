#!/usr/bin/env bash
# Stops the cluster started by slurm-up.sh: cancels its jobs, then the daemons whose pid files are
# in $SVC_SLURM_DIR and whose command line names files there, then any slurmstepd holding a file
# of that folder. Safe to run twice.
set -uo pipefail
BASE=${SVC_SLURM_DIR:-/tmp/mlc-services/slurm}
export SLURM_CONF=$BASE/etc/slurm.conf
alive() { [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
stop_pid() {
  local file=$1 marker=$2 pid
  [ -s "$file" ] || return 0
  pid=$(cat "$file")
  if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$marker"; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 100); do alive "$pid" || break; sleep 0.05; done
    alive "$pid" && kill -KILL "$pid" 2>/dev/null
    echo "[slurm-down] stopped $(basename "$file" .pid) $pid" >&2
  fi
  rm -f "$file"
}
if [ -f "$SLURM_CONF" ] && timeout 5 scontrol ping 2>/dev/null | grep -q 'is UP'; then
  ids=$(squeue -h -o %A 2>/dev/null | tr '\n' ' ')
  if [ -n "${ids// /}" ]; then
    scancel $ids 2>/dev/null || true
    for _ in $(seq 100); do [ -z "$(squeue -h -o %A 2>/dev/null)" ] && break; sleep 0.1; done
  fi
fi
stop_pid "$BASE/run/slurmd.pid" "$BASE/etc/slurm.conf"
stop_pid "$BASE/run/slurmctld.pid" "$BASE/etc/slurm.conf"
stop_pid "$BASE/munge/munged.pid" "$BASE/munge/munge.key"
for pid in $(pgrep -x slurmstepd 2>/dev/null); do
  if ls -l "/proc/$pid/fd" 2>/dev/null | grep -qF "$BASE/"; then kill -KILL "$pid" 2>/dev/null; fi
done
exit 0
