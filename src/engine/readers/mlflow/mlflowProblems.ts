import type { Problem } from '../../problems';
import { problemAt } from '../../problems';

/**
 * Every problem code the MLflow readers (file store and SQLite) report, with its meaning; the
 * list ARCHITECTURE.md's "Problem codes" section is built from.
 */
export const MLFLOW_PROBLEM_CODES = {
  mlflowMetaInvalid:
    'a meta.yaml is not YAML or not a mapping; an experiment or model it describes is skipped, a run is listed as interrupted',
  mlflowMetaEmpty: 'a meta.yaml is empty (MLflow may be writing it); skipped until the next read',
  mlflowRunMetaMissing: 'a run folder has no readable meta.yaml (MLflow ignores it too)',
  mlflowRunIdMismatch: "a run's meta.yaml names another run than its folder (MLflow ignores it too)",
  mlflowExperimentIdMismatch: "an experiment's meta.yaml names another id than its folder (MLflow ignores it too)",
  mlflowStatusUnknown:
    'a run status that is none of RUNNING/SCHEDULED/FINISHED/FAILED/KILLED (1-5); shown as interrupted',
  mlflowRunStale: 'a RUNNING run with no write for over 24 h; shown as interrupted',
  mlflowRunNotFound: 'series asked for a run that is not (or no longer) in the store',
  mlflowMetricLineInvalid: 'a metric line that is not "<timestamp> <value> [<step>]"; skipped',
  mlflowMetricFileInvalid: 'a metric file with no line break in 64 KiB (binary junk); reading stops there',
  mlflowMetricFileTooLarge: 'a metric history longer than the series read cap (512 MiB); the rest is not read',
  mlflowMetricFileLarge: 'a metric history over 64 MiB; its latest value was taken from its last MiB',
  mlflowFileUnreadable: 'a file or folder of the store could not be read (permissions, vanished, symlink loop)',
  mlflowSymlinkSkipped: 'a symlink inside params/, tags/ or metrics/ that is broken, loops or points to a folder',
  mlflowRegistryAliasInvalid: 'a registry alias file that does not hold a version number',
  mlflowRegistryVersionInvalid: 'a registry version without a version number',
  mlflowDatabaseInvalid: 'mlflow.db is not SQLite, or SQLite cannot read it (truncated, corrupt)',
  mlflowDatabaseEmpty: 'mlflow.db is an empty file',
  mlflowDatabaseUnreadable: 'mlflow.db is missing or cannot be read',
  mlflowDatabaseTooLarge: 'mlflow.db is over 1 GiB, more than mlc reads in memory',
  mlflowDatabaseBusy: 'mlflow.db kept changing while it was read; what is shown may lag',
  mlflowDatabaseWalIgnored: 'mlflow.db-wal could not be used; changes not yet checkpointed are not shown',
  mlflowDatabaseNotMlflow: 'a SQLite mlflow.db without a runs table',
  mlflowSqlWasmMissing: "sql.js's wasm was not found, so no mlflow.db can be read",
} as const;

export type MlflowProblemCode = keyof typeof MLFLOW_PROBLEM_CODES;

export function mlflowProblem(
  file: string,
  code: MlflowProblemCode,
  severity: Problem['severity'],
  message: string,
  line?: number,
): Problem {
  return problemAt(file, line === undefined ? undefined : { line, column: 1 }, severity, code, message);
}

export function unreadableProblem(path: string, error: unknown): Problem {
  const code = (error as { code?: unknown } | undefined)?.code;
  const reason = typeof code === 'string' ? code : String(error);
  return mlflowProblem(
    path,
    'mlflowFileUnreadable',
    'warning',
    `This MLflow file could not be read (${reason}); check its permissions, or whether it is a broken symlink.`,
  );
}

export function staleProblem(file: string, staleAfterMs: number): Problem {
  return mlflowProblem(
    file,
    'mlflowRunStale',
    'info',
    `MLflow still says RUNNING, but nothing was written for over ${Math.round(staleAfterMs / 3600000)} h, so the process probably died; shown as interrupted.`,
  );
}

export function unknownStatusProblem(file: string, raw: unknown): Problem {
  return mlflowProblem(
    file,
    'mlflowStatusUnknown',
    'warning',
    `Unknown MLflow run status "${String(raw)}"; the run is shown as interrupted.`,
  );
}

export function runNotFoundProblem(location: string, runId: string): Problem {
  return mlflowProblem(
    location,
    'mlflowRunNotFound',
    'warning',
    `No active MLflow run "${runId}" in this store; it may have been deleted. Refresh the run list.`,
  );
}
