import { tmpdir } from 'node:os';
import type { RunnerPlacement } from '../../engine/runners/chooseRunner';
import { remoteFailure } from '../../engine/runners/classifyRemoteFailure';
import type { OutputStream, RunningProcess } from '../../engine/scheduler/ports';
import { startProcess } from '../process/nodeProcessRunner';
import { processEnvironment } from './remoteResult';
import { SshConnection, type RemoteExecution } from './sshConnection';

/** A check that has not answered by then is reported unreachable (ssh's ConnectTimeout is shorter). */
const CHECK_TIMEOUT_MS = 60_000;

/** Whether a runner answers: what it is when it does, the error a user can act on when not. */
export type RunnerReachability =
  { readonly reachable: true; readonly detail: string } | { readonly reachable: false; readonly message: string };

/**
 * Slurm's client commands answer, and its controller too: `sbatch --version` and the partitions
 * `sinfo` lists (sinfo fails when slurmctld cannot be reached).
 */
const SLURM_CHECK_SCRIPT = [
  "command -v sbatch >/dev/null 2>&1 || { echo 'sbatch is not installed' >&2; exit 127; }",
  'sbatch --version && sinfo -h -o %P',
].join('\n');

/**
 * Checks a runner the way a run would reach it: an ssh runner through the user's OpenSSH client
 * (BatchMode, the shared connection of SshConnection, then `true` on the host); a Slurm runner
 * with `sbatch --version` and `sinfo` here, or on the login node through its ssh runner.
 */
export async function checkRunner(placement: RunnerPlacement): Promise<RunnerReachability> {
  const { runner, via } = placement;
  if (runner.type === 'local') return { reachable: true, detail: 'this machine' };
  const sshRunner = runner.type === 'ssh' ? runner : via;
  const connection = sshRunner ? new SshConnection(sshRunner) : undefined;
  if (connection) {
    const failure = await connection.ensureMaster();
    if (failure) return { reachable: false, message: failure.message };
  }
  const where = connection ? connection.label : 'this machine';
  const script = runner.type === 'ssh' ? 'true' : SLURM_CHECK_SCRIPT;
  const output = await collect((execution) =>
    connection
      ? connection.exec(script, execution)
      : startProcess(
          { command: script, cwd: tmpdir(), env: processEnvironment(), onLine: execution.onLine },
          execution.signal,
        ),
  );
  if (output.exitCode === 0) {
    if (runner.type === 'ssh') return { reachable: true, detail: where };
    const [version = 'slurm', ...partitions] = output.stdout;
    return { reachable: true, detail: `${version} on ${where} · partitions ${partitions.join(' ') || 'none'}` };
  }
  if (output.timedOut)
    return { reachable: false, message: `${where} did not answer within ${CHECK_TIMEOUT_MS / 1000} s` };
  if (output.exitCode === 127 && runner.type === 'slurm') {
    return { reachable: false, message: `sbatch is not installed on ${where} (is it a Slurm login node?)` };
  }
  const what = runner.type === 'ssh' ? 'ssh' : 'sinfo';
  return {
    reachable: false,
    message: remoteFailure('hostUnreachable', what, where, output.exitCode, output.stderr).message,
  };
}

async function collect(start: (execution: Required<RemoteExecution>) => RunningProcess): Promise<{
  exitCode: number | undefined;
  timedOut: boolean;
  stdout: string[];
  stderr: string;
}> {
  const lines: Record<OutputStream, string[]> = { stdout: [], stderr: [] };
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), CHECK_TIMEOUT_MS);
  try {
    const result = await start({
      onLine: (stream, line) => lines[stream].push(line),
      signal: timeout.signal,
    }).result;
    return {
      exitCode: result.exitCode,
      timedOut: timeout.signal.aborted,
      stdout: lines.stdout,
      stderr: lines.stderr.join('\n'),
    };
  } finally {
    clearTimeout(timer);
  }
}
