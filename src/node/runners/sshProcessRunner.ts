import { randomBytes } from 'node:crypto';
import { killGroupScript, launchScript, parseReportLine, prepareScript } from '../../engine/runners/remoteScripts';
import { remoteWorkdir, type RemoteStageContext } from '../../engine/runners/remoteStage';
import { remoteFailure } from '../../engine/runners/classifyRemoteFailure';
import type { RunnerFailure } from '../../engine/runners/runnerFailure';
import { safeFileName } from '../../engine/runStore/safeFileName';
import type { ProcessResult, ProcessRunner, ProcessSpec } from '../../engine/scheduler/ports';
import { remoteResultSince } from './remoteResult';
import { rsyncFiles } from './rsyncFiles';
import { execCollecting, type SshConnection } from './sshConnection';

const DEFAULT_KILL_GRACE_MS = 5000;
/** How often plot files are brought back while the command runs (their metrics chart live). */
const LIVE_PLOT_PULL_MS = 1000;

/**
 * Runs a stage's command on an SSH host: opens (or reuses) the shared connection, makes the
 * workdir and deletes the stage's non-persist outs there, sends the deps and params files with
 * rsync, starts the command detached from the connection in its own process group, streams its
 * stdout and stderr back line by line, and brings the outs back after it succeeded. Cancel and
 * timeout kill the remote process group (TERM, then KILL after the grace period). A connection
 * that drops while the command runs is a `connectionLost` failure: never a success.
 */
export function sshProcessRunner(connection: SshConnection): ProcessRunner {
  return {
    start: (spec, signal) => ({ pid: undefined, result: runRemotely(connection, spec, signal) }),
  };
}

async function runRemotely(connection: SshConnection, spec: ProcessSpec, signal: AbortSignal): Promise<ProcessResult> {
  const ended = remoteResultSince(Date.now());
  const context = spec.remote;
  if (!context) return ended({ startError: 'the ssh runner needs the stage context (mlc internal error)' });
  const failed = (runnerFailure: RunnerFailure) => ended({ runnerFailure });
  if (signal.aborted) return ended({ cancelled: true });
  const opened = await connection.ensureMaster();
  if (opened) return failed(opened);
  spec.onPlacement?.({ host: connection.label, state: 'running' });
  const workdir = remoteWorkdir(context.runner, context.root);
  const token = randomBytes(8).toString('hex');
  // Nothing to send first: the launch prepares the workdir itself, in the same ssh session.
  if (context.uploads.length === 0) return launch(connection, spec, context, workdir, token, signal, ended, true);
  const prepared = await execCollecting(connection, prepareScript(context, workdir, token));
  const reports = prepared.stderr.flatMap((line) => parseReportLine(line, token) ?? []).map((report) => report.word);
  const unprepared = preparationFailure(reports, workdir, connection.label);
  if (unprepared) return failed(unprepared);
  if (!reports.includes('ready')) {
    return failed(
      remoteFailure(
        'hostUnreachable',
        'preparing the workdir',
        connection.label,
        prepared.result.exitCode,
        prepared.stderr.join('\n'),
      ),
    );
  }
  const uploaded = await rsyncFiles(connection, 'upload', context.uploads, context.root, workdir);
  if (uploaded) return failed(uploaded);
  if (signal.aborted) return ended({ cancelled: true });
  return launch(connection, spec, context, workdir, token, signal, ended);
}

/** What the prepare lines (prepareScript, or a launch that prepares) reported went wrong, if anything. */
function preparationFailure(reports: readonly string[], workdir: string, label: string): RunnerFailure | undefined {
  if (reports.includes('workdir-not-writable')) {
    return {
      code: 'workdirNotWritable',
      message: `the workdir ${workdir} on ${label} cannot be created or is not writable; set the runner's workdir: to a folder its user may write`,
    };
  }
  if (reports.includes('rsync-missing')) {
    return { code: 'toolMissing', message: `rsync is not installed on ${label}; install it there` };
  }
  return undefined;
}

async function launch(
  connection: SshConnection,
  spec: ProcessSpec,
  context: RemoteStageContext,
  workdir: string,
  token: string,
  signal: AbortSignal,
  ended: (fields: Partial<ProcessResult>) => ProcessResult,
  prepare = false,
): Promise<ProcessResult> {
  const jobKey = `${safeFileName(context.address)}-${token}`;
  let remotePid: number | undefined;
  let status: number | undefined;
  let signalled = false;
  let workdirGone = false;
  const preparation: string[] = [];
  let cancelled = false;
  let timedOut = false;
  let killWanted = false;
  const timers: NodeJS.Timeout[] = [];
  const session = new AbortController();
  const killRemote = () => {
    if (remotePid === undefined) return;
    const pid = remotePid;
    void connection.exec(killGroupScript(pid, 'TERM')).result;
    const grace = spec.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    timers.push(setTimeout(() => void connection.exec(killGroupScript(pid, 'KILL')).result, grace));
    // The session ends once the group is gone; if the host stopped answering, stop waiting for it.
    timers.push(setTimeout(() => session.abort(), grace + 10_000));
  };
  const requestKill = () => {
    if (killWanted) return;
    killWanted = true;
    killRemote();
  };
  const onAbort = () => {
    cancelled = true;
    requestKill();
  };
  if (spec.timeoutMs !== undefined) {
    timers.push(
      setTimeout(() => {
        timedOut = true;
        requestKill();
      }, spec.timeoutMs),
    );
  }
  signal.addEventListener('abort', onAbort, { once: true });
  let pulling = false;
  const livePull =
    context.livePlots.length > 0
      ? setInterval(() => {
          if (pulling) return;
          pulling = true;
          void rsyncFiles(connection, 'download', context.livePlots, context.root, workdir).finally(
            () => (pulling = false),
          );
        }, LIVE_PLOT_PULL_MS)
      : undefined;
  const stderrTail: string[] = [];
  try {
    const running = connection.exec(launchScript(context, workdir, String(spec.command), token, jobKey, prepare), {
      signal: session.signal,
      onLine: (stream, line, timestamp) => {
        const report = stream === 'stderr' ? parseReportLine(line, token) : undefined;
        if (!report) {
          if (stream === 'stderr') stderrTail.splice(0, Math.max(0, stderrTail.length - 20), line);
          spec.onLine?.(stream, line, timestamp);
          return;
        }
        if (report.word === 'pid') {
          remotePid = Number(report.value);
          if (killWanted) killRemote();
        } else if (report.word === 'status') status = Number(report.value);
        else if (report.word === 'signalled') signalled = true;
        else if (report.word === 'workdir-not-writable') workdirGone = true;
        if (remotePid === undefined) preparation.push(report.word);
      },
    });
    const result = await running.result;
    if (livePull) clearInterval(livePull);
    while (pulling) await new Promise((resolve) => setTimeout(resolve, 20));
    if (prepare && remotePid === undefined && status === undefined) {
      // Never got as far as starting the command: as a failed prepareScript would have said.
      return ended({
        runnerFailure:
          preparationFailure(preparation, workdir, connection.label) ??
          remoteFailure(
            'hostUnreachable',
            'preparing the workdir',
            connection.label,
            result.exitCode,
            stderrTail.join('\n'),
          ),
      });
    }
    if (workdirGone) {
      return ended({
        runnerFailure: {
          code: 'workdirNotWritable',
          message: `the workdir ${workdir} on ${connection.label} went away`,
        },
      });
    }
    const stopped = { cancelled: cancelled && !timedOut, timedOut };
    if (status !== undefined) {
      if (status === 0 && !cancelled && !timedOut) {
        const downloaded = await rsyncFiles(connection, 'download', context.downloads, context.root, workdir);
        if (downloaded) return ended({ exitCode: 0, runnerFailure: downloaded });
      }
      return ended({ exitCode: status, ...stopped });
    }
    if (signalled || cancelled || timedOut) {
      return ended({ signal: killWanted ? 'SIGTERM' : 'SIGKILL', ...stopped });
    }
    const where = remotePid === undefined ? '' : ` (pid ${remotePid} in ${workdir}, may still be running)`;
    return ended({
      runnerFailure: {
        code: 'connectionLost',
        message: `the connection to ${connection.label} was lost while the stage ran${where}: ${stderrTail.at(-1) ?? `ssh exited with ${result.exitCode ?? result.signal}`}; the stage did not succeed, run it again`,
      },
    });
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (livePull) clearInterval(livePull);
    for (const timer of timers) clearTimeout(timer);
  }
}
