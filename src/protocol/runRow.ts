/**
 * A run as the panels receive it: JSON only (epoch ms, string paths). Built on the host from the
 * run index's RunSummary plus mlc's own annotations (star, note, tags); metric values that JSON
 * cannot carry (NaN, ±Infinity) arrive as null.
 */
export type RunRowStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
export type RunRowSource = 'mlc' | 'mlflow' | 'dvclive' | 'tensorboard' | 'csv';
export type RunRowParamValue = string | number | boolean | null;

export interface RunAnnotationJson {
  readonly starred: boolean;
  readonly note: string;
  readonly tags: readonly string[];
}

export interface RunRow {
  readonly id: string;
  readonly source: RunRowSource;
  readonly name: string;
  readonly status: RunRowStatus;
  readonly startedAt: number | null;
  readonly endedAt: number | null;
  readonly gitCommit: string | null;
  readonly gitDirty: boolean;
  readonly experiment: string | null;
  /** Absolute path of the run's folder or store file. */
  readonly location: string;
  /** Flattened with dots (`train.lr`). */
  readonly params: Readonly<Record<string, RunRowParamValue>>;
  /** Latest value of each metric. */
  readonly metrics: Readonly<Record<string, number | null>>;
  /** The other tool's tags (MLflow's), not mlc's annotation tags. */
  readonly tags: Readonly<Record<string, string>>;
  readonly annotation: RunAnnotationJson;
  /** Messages of the alerts that fired in the run (mlc runs); absent when none did. */
  readonly alerts?: readonly string[];
}
