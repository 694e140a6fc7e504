/**
 * The ProcessRunner port: how the scheduler starts a stage's command. src/node/process implements
 * it with child_process (each command in its own process group, so a kill reaches every child it
 * spawned); unit tests use a fake. Lives here rather than in src/engine/ports.ts so the scheduler's
 * port changes with the scheduler.
 */
export type OutputStream = 'stdout' | 'stderr';

export interface ProcessSpec {
  /** One shell command line, run as `/bin/sh -c command` (as DVC does). */
  readonly command: string;
  /** Absolute working directory. */
  readonly cwd: string;
  /** The complete environment of the process (the caller merges the parent's). */
  readonly env: Readonly<Record<string, string>>;
  /** Kill the process group after this long; undefined = no limit. */
  readonly timeoutMs?: number;
  /** Between SIGTERM and SIGKILL when killing (default 5000 ms). */
  readonly killGraceMs?: number;
  /** Called once per complete output line (without its newline), with the time it completed. */
  readonly onLine?: (stream: OutputStream, line: string, timestamp: number) => void;
}

export interface ProcessResult {
  /** Undefined when the process ended by a signal or never started. */
  readonly exitCode: number | undefined;
  /** The signal that ended it (`SIGTERM`, `SIGKILL`), if any. */
  readonly signal: string | undefined;
  readonly timedOut: boolean;
  /** The AbortSignal fired and the process group was killed. */
  readonly cancelled: boolean;
  /** Set when the process could not be started at all (missing cwd, no /bin/sh). */
  readonly startError?: string;
  readonly startedAt: number;
  readonly endedAt: number;
}

export interface RunningProcess {
  /** Process (and process group) id; undefined when the start failed. */
  readonly pid: number | undefined;
  /** Resolves when the process has ended and its output has been delivered; never rejects. */
  readonly result: Promise<ProcessResult>;
}

export interface ProcessRunner {
  /** Aborting `signal` kills the whole process group: SIGTERM, then SIGKILL after the grace period. */
  start(spec: ProcessSpec, signal: AbortSignal): RunningProcess;
}
