import { spawn } from 'node:child_process';
import { lstatSync, rmSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type {
  OutputStream,
  ProcessResult,
  ProcessRunner,
  ProcessSpec,
  RunningProcess,
} from '../../engine/scheduler/ports';
import { startStageWatchdog, trackStageGroup, untrackStageGroup } from './stageGroups';
import { describeError } from '../../engine/engineError';

const DEFAULT_KILL_GRACE_MS = 5000;
/** After the shell exits, how long its output pipes may stay open (a background child holding them). */
const OUTPUT_DRAIN_MS = 250;

/**
 * Runs each command as `/bin/sh -c command` in a new process group (`detached: true`), so that
 * killing it (timeout, Ctrl-C, `mlc stop`) reaches every process the command started: SIGTERM to
 * the whole group, then SIGKILL after a grace period, even when the shell itself already exited
 * and left children behind. Output is split into lines and stamped when each line completes.
 */
export const nodeProcessRunner: ProcessRunner = { start: startProcess };

export function startProcess(spec: ProcessSpec, signal: AbortSignal): RunningProcess {
  const startedAt = Date.now();
  startStageWatchdog();
  let child;
  try {
    // A stage handed ahead has its outs deleted now, when it really starts (DVC semantics). The
    // lstat first: rmSync of a missing path builds and catches an ENOENT error (~0.2 ms a stage,
    // on the worker's one thread that also spawns); lstat without throwing costs one system call.
    for (const path of spec.removeBeforeStart ?? []) {
      if (mayExist(path)) rmSync(path, { recursive: true, force: true });
    }
    child = spawn('/bin/sh', ['-c', spec.command], {
      cwd: spec.cwd,
      env: { ...spec.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    return { pid: undefined, result: Promise.resolve(failedStart(error, startedAt)) };
  }
  const pid = child.pid;
  if (pid !== undefined) trackStageGroup(pid);
  spec.onStarted?.(startedAt);
  const result = new Promise<ProcessResult>((resolve) => {
    let timedOut = false;
    let cancelled = false;
    let killTimer: NodeJS.Timeout | undefined;
    let timeoutTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let openStreams = 2;
    let settled = false;

    const killGroup = (name: NodeJS.Signals) => {
      if (pid === undefined) return;
      try {
        process.kill(-pid, name);
      } catch {
        // ESRCH: the group is already gone, which is what we wanted.
      }
    };
    const terminate = () => {
      if (killTimer) return;
      killGroup('SIGTERM');
      // KILL the group after the grace period whether or not the shell has exited: children that
      // ignore TERM would otherwise outlive the stage. unref() lets mlc exit once all is settled.
      killTimer = setTimeout(() => killGroup('SIGKILL'), spec.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
    };
    const onAbort = () => {
      cancelled = true;
      terminate();
    };
    const finish = () => {
      if (settled || !exit) return;
      settled = true;
      if (timeoutTimer) clearTimeout(timeoutTimer);
      if (drainTimer) clearTimeout(drainTimer);
      signal.removeEventListener('abort', onAbort);
      flushPartialLines();
      const outcome = {
        exitCode: exit.code ?? undefined,
        signal: exit.signal ?? undefined,
        timedOut,
        cancelled: cancelled && !timedOut,
        startedAt,
        endedAt: Date.now(),
      };
      // When killing, the group may still hold children that ignored TERM (or were mid-exit):
      // resolve only once the whole group is gone, so "cancelled" never leaves a writer behind.
      const waitForGroup = () => {
        if (!killTimer || !isGroupAlive(pid)) {
          if (killTimer) clearTimeout(killTimer);
          untrackWhenGone(pid);
          resolve(outcome);
          return;
        }
        setTimeout(waitForGroup, 20);
      };
      waitForGroup();
    };

    const partial: Record<OutputStream, string> = { stdout: '', stderr: '' };
    const emit = (stream: OutputStream, text: string) => {
      const timestamp = Date.now();
      const lines = (partial[stream] + text).split('\n');
      partial[stream] = lines.pop() ?? '';
      for (const line of lines) spec.onLine?.(stream, line, timestamp);
    };
    const flushPartialLines = () => {
      for (const stream of ['stdout', 'stderr'] as const) {
        if (partial[stream].length > 0) spec.onLine?.(stream, partial[stream], Date.now());
        partial[stream] = '';
      }
    };
    const attach = (readable: Readable | null, stream: OutputStream) => {
      if (!readable) {
        openStreams--;
        return;
      }
      readable.setEncoding('utf8');
      readable.on('data', (text: string) => emit(stream, text));
      readable.on('close', () => {
        openStreams--;
        if (openStreams === 0) finish();
      });
    };
    attach(child.stdout, 'stdout');
    attach(child.stderr, 'stderr');

    child.on('error', (error) => {
      if (exit) return;
      settled = true;
      if (pid !== undefined) untrackStageGroup(pid);
      signal.removeEventListener('abort', onAbort);
      if (timeoutTimer) clearTimeout(timeoutTimer);
      resolve(failedStart(error, startedAt));
    });
    child.on('exit', (code, exitSignal) => {
      exit = { code, signal: exitSignal };
      if (openStreams === 0) {
        finish();
        return;
      }
      // A background child may keep the pipes open for ever; stop waiting for it shortly.
      drainTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish();
      }, OUTPUT_DRAIN_MS);
    });

    if (spec.timeoutMs !== undefined) {
      timeoutTimer = setTimeout(() => {
        timedOut = true;
        terminate();
      }, spec.timeoutMs);
    }
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return { pid, result };
}

/** False only when `path` is certainly not there (any other lstat failure is left to rmSync, as before). */
function mayExist(path: string): boolean {
  try {
    return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return true;
  }
}

/** How often a stage group that outlived its shell (a background child) is checked again. */
const LEFTOVER_GROUP_POLL_MS = 1000;

/**
 * The watchdog keeps a group listed while any process of it lives (a command's background child
 * outlives the stage), so mlc's death still takes it down; the check never keeps mlc alive.
 */
function untrackWhenGone(pid: number | undefined): void {
  if (pid === undefined) return;
  if (!isGroupAlive(pid)) {
    untrackStageGroup(pid);
    return;
  }
  setTimeout(() => untrackWhenGone(pid), LEFTOVER_GROUP_POLL_MS).unref();
}

function isGroupAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  // Asked once per stage, and the answer is nearly always no (ESRCH): Node throws an error for it,
  // and capturing that error's stack was most of the probe's cost (bench/README, stop 24).
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

function failedStart(error: unknown, startedAt: number): ProcessResult {
  return {
    exitCode: undefined,
    signal: undefined,
    timedOut: false,
    cancelled: false,
    startError: describeError(error),
    startedAt,
    endedAt: Date.now(),
  };
}
