#!/usr/bin/env bash
# Starts a throwaway one-node Slurm cluster (munged + slurmctld + slurmd) on loopback for the
# runner tests: no systemd, cgroups or slurmdbd. Idempotent: stops an earlier instance in the same
# folder first and starts from an empty state folder. Progress goes to stderr; stdout is only
# `export VAR=...` lines:  eval "$(scripts/services/slurm-up.sh)"
# Ports: SVC_SLURMCTLD_PORT and SVC_SLURMD_PORT (default 16817, 16818).
# Needs slurm-wlm and munge (scripts/setup.sh installs them); it installs nothing itself.
set -euo pipefail

BASE=${SVC_SLURM_DIR:-/tmp/mlc-services/slurm}
CTLD_PORT=${SVC_SLURMCTLD_PORT:-16817}
SLURMD_PORT=${SVC_SLURMD_PORT:-16818}
NODE=$(hostname -s)
CPUS=$(nproc)
HERE=$(cd "$(dirname "$0")" && pwd)
case "$BASE" in /?*/?*) ;; *) echo "refusing SVC_SLURM_DIR=$BASE" >&2; exit 1;; esac
log() { echo "[slurm-up] $*" >&2; }

for tool in slurmctld slurmd sbatch scontrol munged mungekey munge unmunge; do
  command -v "$tool" >/dev/null || { log "missing $tool: run scripts/setup.sh (slurm-wlm, munge)"; exit 3; }
done

SVC_SLURM_DIR=$BASE "$HERE/slurm-down.sh"
# The default ports are fixed: a second cluster on this machine must be given others
# (the tests pick free ones); say so instead of slurmctld's bind error in its log.
for port in "$CTLD_PORT" "$SLURMD_PORT"; do
  if ss -ltnH "sport = :$port" | grep -q .; then
    log "port $port is already taken by another process (set SVC_SLURMCTLD_PORT / SVC_SLURMD_PORT)"; exit 1
  fi
done
rm -rf "$BASE"
mkdir -p "$BASE"/{munge,etc,state,spool,log,run,jobs}
chmod 755 "$BASE" "$BASE/munge"
# munged refuses a socket whose parent folders are not all searchable by everyone (a `mktemp -d`
# folder is 0700): say which one instead of munged's terse error.
folder=$BASE
while [ "$folder" != / ]; do
  folder=$(dirname "$folder")
  if [ "$(( 0$(stat -c %a "$folder") & 1 ))" = 0 ]; then
    log "$folder is not searchable by everyone (o+x); munged refuses a socket below it. Use another SVC_SLURM_DIR."
    exit 1
  fi
done

M=$BASE/munge
mungekey --create --keyfile="$M/munge.key" >&2
munged --key-file="$M/munge.key" --socket="$M/munge.socket.2" \
       --pid-file="$M/munged.pid" --log-file="$M/munged.log" --seed-file="$M/munged.seed"
for _ in $(seq 100); do
  munge -n -S "$M/munge.socket.2" 2>/dev/null | unmunge -S "$M/munge.socket.2" >/dev/null 2>&1 && break
  sleep 0.05
done
munge -n -S "$M/munge.socket.2" | unmunge -S "$M/munge.socket.2" >/dev/null

export SLURM_CONF=$BASE/etc/slurm.conf
cat > "$SLURM_CONF" <<CONF
ClusterName=mlctest
SlurmctldHost=${NODE}(127.0.0.1)
SlurmctldPort=${CTLD_PORT}
SlurmdPort=${SLURMD_PORT}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=${M}/munge.socket.2
SlurmUser=root
SlurmdUser=root
StateSaveLocation=${BASE}/state
SlurmdSpoolDir=${BASE}/spool
SlurmctldPidFile=${BASE}/run/slurmctld.pid
SlurmdPidFile=${BASE}/run/slurmd.pid
SlurmctldLogFile=${BASE}/log/slurmctld.log
SlurmdLogFile=${BASE}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=${BASE}/log/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=100000
MpiDefault=none
SwitchType=switch/none
MailProg=/bin/true
ReturnToService=2
KillWait=5
MinJobAge=600
InactiveLimit=0
NodeName=${NODE} NodeAddr=127.0.0.1 NodeHostname=${NODE} CPUs=${CPUS} Sockets=1 CoresPerSocket=${CPUS} ThreadsPerCore=1 RealMemory=2048 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF

slurmctld -f "$SLURM_CONF"
for _ in $(seq 200); do scontrol ping 2>/dev/null | grep -q 'is UP' && break; sleep 0.05; done
scontrol ping | grep -q 'is UP' || { tail -20 "$BASE/log/slurmctld.log" >&2; exit 1; }
# -N pins the node name so it does not depend on hostname resolution
slurmd -f "$SLURM_CONF" -N "$NODE"
for _ in $(seq 200); do [ "$(sinfo -h -n "$NODE" -o %T 2>/dev/null)" = idle ] && break; sleep 0.05; done
[ "$(sinfo -h -n "$NODE" -o %T)" = idle ] || { tail -20 "$BASE/log/slurmd.log" >&2; exit 1; }
log "cluster up: slurmctld $(cat "$BASE/run/slurmctld.pid"), slurmd $(cat "$BASE/run/slurmd.pid"), node $NODE"

cat <<ENV
export SLURM_CONF=$SLURM_CONF
export SVC_SLURM_DIR=$BASE
export SVC_SLURM_PARTITION=debug
export SVC_SLURM_NODE=$NODE
export SVC_SLURM_JOBDIR=$BASE/jobs
export SVC_SLURMCTLD_PORT=$CTLD_PORT
export SVC_SLURMD_PORT=$SLURMD_PORT
ENV
