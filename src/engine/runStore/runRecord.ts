/**
 * The shape of `.mlc/runs/<run-id>/run.json`, mlc's own record of one run. It is rewritten
 * atomically at each state change (and every minute as a heartbeat while the run lives), so a
 * reader always sees a complete document. `schema` lets later versions migrate old records.
 */
import type { FiredAlert } from '../alerts/alertMonitor';
import type { ParamValue, RunStatus } from '../runs/model';
import type { RunnerFailureCode } from '../runners/runnerFailure';
import type { NoticedStopRequest } from './stopRequest';

export const RUN_RECORD_SCHEMA = 1;

/** What became of one stage in a run. */
export type StageRunStatus =
  | 'pending'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  /** Not run: an upstream stage failed, or the run stopped before reaching it. */
  | 'skipped'
  /** Planned because an upstream stage was going to run, but found up to date when its turn came. */
  | 'up-to-date';

/** Why a stage failed: a stable code and a sentence for people. */
export interface StageFailure {
  readonly code:
    | 'exitCode'
    | 'timedOut'
    | 'depMissing'
    | 'outNotOwned'
    | 'depNotRegular'
    | 'outNotProduced'
    | 'startFailed'
    | 'recordFailed'
    | 'killed'
    | RunnerFailureCode;
  readonly message: string;
}

export interface StageAttempt {
  readonly startedAt: number;
  readonly endedAt: number;
  readonly exitCode?: number;
  readonly signal?: string;
  readonly timedOut?: boolean;
  /** Which `cmd` entry ended the attempt (0-based; the last one when all succeeded). */
  readonly commandIndex: number;
}

/** Path -> hash, as the stage's lock entry recorded them after it succeeded. */
export type PathHashes = Readonly<Record<string, string>>;

export interface StageRunRecord {
  /** Workspace-unique address (`train`, `sub/dvc.yaml:train`): what `mlc run` accepts. */
  readonly address: string;
  readonly name: string;
  /** Pipeline file relative to the workspace root. */
  readonly pipeline: string;
  status: StageRunStatus;
  /** Why it was planned: status reasons (`changed deps: data.csv modified`), `forced`, `upstream X runs`. */
  reasons: string[];
  startedAt?: number;
  endedAt?: number;
  durationMs?: number;
  exitCode?: number;
  signal?: string;
  attempts: StageAttempt[];
  failure?: StageFailure;
  /** Why a stage was skipped (`upstream prepare failed`). */
  skipReason?: string;
  /** Log file relative to the run folder (`logs/train.log`). */
  logFile: string;
  deps?: PathHashes;
  outs?: PathHashes;
  /** Where it ran when not on this machine: the runner's name, the host, the Slurm job id. */
  runner?: string;
  host?: string;
  jobId?: string;
  /** A Slurm job waiting in the queue, and why (Slurm's pending reason). */
  queuedReason?: string;
}

/**
 * What kind of process owns a run. Only `cli` (a dedicated `mlc run` process) may ever be sent a
 * signal by `mlc stop`, and only when it ignores the stop request; an `extension` owner is the VS
 * Code extension host, where a signal would take every extension of the window down. Records
 * written before the field existed have no kind and are treated like `extension`: never signalled.
 */
export type RunOwnerKind = 'cli' | 'extension';

export interface RunOwner {
  readonly pid: number;
  readonly hostname: string;
  readonly kind?: RunOwnerKind;
}

export interface RunOptionsRecord {
  readonly jobs: number;
  readonly force: boolean;
  readonly keepGoing: boolean;
  readonly runner: string;
}

export interface RunRecord {
  readonly schema: number;
  readonly id: string;
  status: RunStatus;
  readonly startedAt: number;
  endedAt?: number;
  /** Last time the owner wrote the record: a heartbeat for owners on other hosts. */
  updatedAt: number;
  /** The process that runs it; a dead owner means interrupted. */
  readonly owner: RunOwner;
  /** Absolute workspace root. */
  readonly workspace: string;
  /** Targets as given on the command line (empty = every stage). */
  readonly targets: readonly string[];
  readonly options: RunOptionsRecord;
  git?: { readonly commit: string | undefined; readonly dirty: boolean };
  /** Params of the planned stages, flattened with dots (`train.lr`). */
  params: Record<string, ParamValue>;
  /** Summary metrics read from the stages' `metrics:` files, flattened with dots. */
  metrics: Record<string, number>;
  /** The latest value of each series in metrics.jsonl as of the last write (the run list reads this). */
  seriesLatest: Record<string, number>;
  stages: StageRunRecord[];
  /** Set by the owner when it noticed a stop request (`mlc stop`): the request was honoured. */
  stopRequest?: NoticedStopRequest;
  /** The alerts of mlc.yaml's `alerts:` that fired during the run, in order; absent when none did. */
  alerts?: FiredAlert[];
  /** Set when the run ended for a reason of its own (`cancelled by SIGINT`, `interrupted: owner died`). */
  message?: string;
}

/** File names inside a run folder. */
export const RUN_FILES = {
  record: 'run.json',
  events: 'events.jsonl',
  metrics: 'metrics.jsonl',
  logs: 'logs',
} as const;
