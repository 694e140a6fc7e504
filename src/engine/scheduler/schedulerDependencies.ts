import type { FiredAlert } from '../alerts/alertMonitor';
import type { Stage } from '../pipeline/model';
import type { OutOwnershipRules } from '../pipeline/outOwnership';
import type { Clock, FileSystem, Timers } from '../ports';
import type { PathHashes, StageRunRecord } from '../runStore/runRecord';
import type { RunnerChoice, RunnerPlacement } from '../runners/chooseRunner';
import type { StageStatusView } from './planRun';
import type { OutputStream, ProcessRunner, StagePlacement } from './ports';

/** What a run reports while it goes (the CLI prints it; the extension shows it in a terminal). */
export interface RunObserver {
  stageStarted?(address: string, attempt: number): void;
  stageOutput?(address: string, stream: OutputStream, line: string): void;
  /**
   * A remote stage's state changed: a Slurm job waits in the queue (`queued`, with Slurm's pending
   * reason) or started (`running`). Told once per change, not on every poll.
   */
  stagePlacement?(address: string, placement: StagePlacement): void;
  stageFinished?(address: string, result: Readonly<StageRunRecord>): void;
  /** Something about the run as a whole the person should know (its record folder was deleted). */
  runWarning?(message: string): void;
  /** An alert of mlc.yaml's `alerts:` fired (already in run.json and events.jsonl). */
  alertFired?(alert: FiredAlert): void;
}

/** What the lock entry written after a stage succeeded says about its files. */
export interface StageSuccessRecord {
  readonly deps: PathHashes;
  readonly outs: PathHashes;
}

/** Everything the scheduler needs from outside, injected so tests can fake each part. */
export interface SchedulerDependencies {
  readonly fs: FileSystem;
  readonly clock: Clock;
  readonly timers: Timers;
  /** Runs commands on this machine. */
  readonly processRunner: ProcessRunner;
  /** Where a stage runs (runPipeline sets it from the request); absent = every stage here. */
  readonly runnerOf?: (stage: Stage) => RunnerChoice;
  /** The ProcessRunner of an ssh or slurm runner (the node layer builds them). */
  readonly remoteProcessRunner?: (placement: RunnerPlacement) => ProcessRunner;
  /** The environment every stage starts from (the caller's), before the stage's `env`. */
  readonly environment: Readonly<Record<string, string>>;
  /** The current status of one stage (asked again for stages planned only because of upstream). */
  readonly checkStatus: (address: string, signal: AbortSignal) => Promise<StageStatusView>;
  /** Hashes the stage's deps and outs and writes its lock entry (called only after success). */
  readonly recordSuccess: (stage: Stage) => Promise<StageSuccessRecord>;
  /** What outs a stage may delete: a stage with an out outside these rules fails instead of running. */
  readonly outOwnership: OutOwnershipRules;
  readonly observer?: RunObserver;
  /** Between SIGTERM and SIGKILL (default 5000 ms). */
  readonly killGraceMs?: number;
  /** How often declared plot files are read while a stage runs (default 200 ms). */
  readonly metricsPollMs?: number;
}
