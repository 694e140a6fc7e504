/**
 * Why a stage could not run, or ended badly, on another machine (StageFailure codes too; the list
 * is in ARCHITECTURE.md). Each message says what to do.
 */
export type RunnerFailureCode =
  | 'runnerUnknown'
  | 'hostUnreachable'
  | 'authRefused'
  | 'hostKeyChanged'
  | 'toolMissing'
  | 'workdirNotWritable'
  | 'partitionUnknown'
  | 'submitFailed'
  | 'transferFailed'
  | 'connectionLost'
  | 'jobFailed'
  // A Slurm job killed at its time limit (TIMEOUT).
  | 'timedOut';

export interface RunnerFailure {
  readonly code: RunnerFailureCode;
  readonly message: string;
}
