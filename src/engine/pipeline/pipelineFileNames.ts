/**
 * The one list of pipeline file names mlc reads, in the order that owns the bare stage names when
 * one folder holds several. MLproject is matched case-insensitively, as MLflow does.
 */
export const PIPELINE_FILE_NAMES = ['mlc.yaml', 'dvc.yaml', 'MLproject'] as const;

/** The pipeline files written in dvc.yaml's stage schema (deps, outs, metrics, plots, a lock file). */
export const STAGE_SCHEMA_FILE_NAMES = ['mlc.yaml', 'dvc.yaml'] as const;

/** The lock files beside them (the engine derives each one with `lockFilePathFor`). */
export const LOCK_FILE_NAMES = ['mlc.lock', 'dvc.lock'] as const;

export function isPipelineFileName(name: string): boolean {
  return name === 'mlc.yaml' || name === 'dvc.yaml' || name.toLowerCase() === 'mlproject';
}

export function isLockFileName(name: string): boolean {
  return (LOCK_FILE_NAMES as readonly string[]).includes(name);
}
