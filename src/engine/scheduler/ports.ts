/**
 * The ProcessRunner port: how the scheduler starts a stage's command. src/node/process implements
 * it with child_process (each command in its own process group, so a kill reaches every child it
 * spawned); unit tests use a fake. Lives here rather than in src/engine/ports.ts so the scheduler's
 * port changes with the scheduler.
 */
import type { RemoteStageContext } from '../runners/remoteStage';
import type { RunnerFailure } from '../runners/runnerFailure';

export type OutputStream = 'stdout' | 'stderr';

/** Where a stage is running, as a remote runner learns it (host, Slurm job id and state). */
export interface StagePlacement {
  readonly host?: string;
  readonly jobId?: string;
  /** mlc's word for the remote state: `queued` (with Slurm's pending reason) or `running`. */
  readonly state?: 'queued' | 'running';
  readonly reason?: string;
}

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
  /** Set for a stage on an ssh or slurm runner: its files and workdir (the local runner ignores it). */
  readonly remote?: RemoteStageContext;
  /** Called by remote runners when they learn where (and in what state) the stage runs. */
  readonly onPlacement?: (placement: StagePlacement) => void;
  /**
   * Handed ahead (to a runner whose `limitConcurrency` said yes): the command waits in the
   * runner's queue and starts there the moment one of its slots frees, without a round trip to
   * the caller. Starts not handed ahead go first. After a command fails, commands handed ahead
   * are not started but end `notStarted` (the caller decides whether anything may still start),
   * until the caller's next start that is not handed ahead.
   */
  readonly ahead?: boolean;
  /** Called when the command really starts (a command handed ahead may wait first). */
  readonly onStarted?: (startedAt: number) => void;
  /** Removed (recursively, if there) right before the command starts: the outs of a stage handed ahead. */
  readonly removeBeforeStart?: readonly string[];
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
  /** A remote runner could not run the command or lost it (host unreachable, connection lost, job OOM). */
  readonly runnerFailure?: RunnerFailure;
  readonly startedAt: number;
  readonly endedAt: number;
  /** A command handed ahead that never started: cancelled, or dropped after another command failed. */
  readonly notStarted?: boolean;
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
  /**
   * Asks the runner to run at most `slots` commands at once, holding the rest in its queue
   * (ProcessSpec.ahead). False (or absent) when it cannot: the caller then keeps the count alone.
   */
  limitConcurrency?(slots: number): boolean;
}
