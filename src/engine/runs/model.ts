/**
 * The one Run model shared by mlc's own runs and every reader of other tools' output (MLflow,
 * DVCLive, TensorBoard, CSV loggers). `mlc runs --json` prints RunSummary objects as they are
 * (see PRODUCT.md, "The mlc CLI").
 */
import type { DirectoryEntry, FileSystem } from '../ports';
import type { Problem } from '../problems';

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
export type RunSource = 'mlc' | 'mlflow' | 'dvclive' | 'tensorboard' | 'csv';
export type ParamValue = string | number | boolean | null;

export interface RunSummary {
  /** mlc's own: the run id; other tools': `<source>:<their id or workspace-relative path>`. */
  readonly id: string;
  readonly source: RunSource;
  readonly name: string;
  readonly status: RunStatus;
  readonly startedAt?: number;
  readonly endedAt?: number;
  /** Flattened with dots: `train.lr`. */
  readonly params: Readonly<Record<string, ParamValue>>;
  /** The latest value of each series (and summary metrics). */
  readonly metrics: Readonly<Record<string, number>>;
  readonly git?: { readonly commit: string | undefined; readonly dirty: boolean };
  /** Absolute path of the run's folder or store file. */
  readonly location: string;
  readonly experiment?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** Problems met while reading this run; the rest of the run is still shown. */
  readonly problems?: readonly Problem[];
  /** mlc runs: the alerts (mlc.yaml `alerts:`) that fired in it, in order. */
  readonly alerts?: readonly RunAlertNote[];
}

/** An alert that fired in a run, as lists and charts show it. */
export interface RunAlertNote {
  /** One sentence: what happened and what the numbers were. */
  readonly message: string;
  /** The metric and step it fired at (absent for stalled, deployment and end-of-run alerts). */
  readonly metric?: string;
  readonly step?: number;
}

/**
 * One metric's history. Held as typed arrays (24 bytes a point) so that a million points stay
 * cheap; `timestamps` are epoch ms (NaN where the format has none).
 */
export interface MetricSeries {
  readonly steps: Float64Array;
  readonly values: Float64Array;
  readonly timestamps: Float64Array;
}

/** The JSON form printed by `mlc metrics --json` and sent to webviews. */
export interface MetricSeriesJson {
  readonly steps: number[];
  readonly values: number[];
  readonly timestamps: number[];
}

export function seriesToJson(series: MetricSeries): MetricSeriesJson {
  return {
    steps: Array.from(series.steps),
    values: Array.from(series.values),
    timestamps: Array.from(series.timestamps),
  };
}

/**
 * What every reader of other tools' output implements. `discover` looks at one folder that the
 * workspace walk visited and says whether this reader owns a run store there; `read` reads it.
 */
export interface RunStoreLocation {
  readonly source: RunSource;
  /** Absolute path of the folder or file that holds the runs. */
  readonly path: string;
}

export interface RunListing {
  readonly runs: readonly RunSummary[];
  readonly problems: readonly Problem[];
}

/** What a reader needs besides the path: file access, and a signal to stop early. */
export interface ReaderContext {
  readonly fs: FileSystem;
  readonly signal?: AbortSignal;
}

export interface RunSeriesResult {
  readonly series: Readonly<Record<string, MetricSeries>>;
  readonly problems: readonly Problem[];
}

/**
 * One reader per source. The workspace walk (walkWorkspace) shows every folder's entries to every
 * reader's `detect`; a reader claims run stores there and may stop the walk from descending into
 * a folder it reads itself (`descend: false`, e.g. `mlruns/`).
 */
export interface RunReader {
  readonly source: RunSource;
  detect(
    folder: string,
    entries: readonly DirectoryEntry[],
  ): { readonly stores: readonly RunStoreLocation[]; readonly descend: boolean };
  /** Every run of one store, with params and the latest value of each metric. Never throws. */
  list(store: RunStoreLocation, context: ReaderContext): Promise<RunListing>;
  /** Full series of one run of that store (`names` limits which). Never throws. */
  series(
    store: RunStoreLocation,
    runId: string,
    context: ReaderContext,
    names?: readonly string[],
  ): Promise<RunSeriesResult>;
  /**
   * Whether a change at this workspace-relative path ('/'-separated) may alter this reader's runs:
   * its detection rule, as a path test. Every workspace watcher asks the readers through this (see
   * isRunOutputPath in src/node/readers/allRunReaders.ts), so a file a reader reads is watched.
   */
  watches(relativePath: string): boolean;
}
