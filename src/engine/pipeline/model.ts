/**
 * The one Pipeline model that mlc.yaml, dvc.yaml and MLproject files are parsed into. Everything
 * here is already expanded (foreach/matrix) and templated (`${}`), so later layers never see
 * templates. Paths in `deps`/`outs`/`params` are kept exactly as written (relative to the stage's
 * wdir), because dvc.lock matches them as strings; `wdir` is absolute.
 */
export type PipelineKind = 'mlc' | 'dvc' | 'mlproject';

export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

export interface PathEntry {
  /** As written in the file after templating, relative to the stage's wdir. */
  readonly path: string;
  readonly position: SourcePosition;
}

export interface PlotProps {
  readonly x?: string;
  readonly y?: string | readonly string[];
  readonly template?: string;
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** CSV/TSV header row; DVC's default is true. */
  readonly header?: boolean;
}

export interface Output extends PathEntry {
  readonly kind: 'out' | 'metric' | 'plot';
  readonly cache: boolean;
  readonly persist: boolean;
  readonly plot?: PlotProps;
  /** DVC flags kept for the run engine: the remote to push to, and `push: false`. */
  readonly remote?: string;
  readonly push?: boolean;
  readonly desc?: string;
}

export interface ParamDependency {
  /** Params file relative to the stage's wdir (default `params.yaml`). */
  readonly file: string;
  /** Dotted keys, or 'all' when the whole file is tracked. */
  readonly keys: readonly string[] | 'all';
  readonly position: SourcePosition;
  /** Where each key of `keys` is written (same order), for problems about one key. */
  readonly keyPositions?: readonly SourcePosition[];
}

export interface Stage {
  /** Expanded name as DVC names it: `train`, `train@cnn`, `build@0`, `train@cnn-feature1`. */
  readonly name: string;
  /** The foreach/matrix group name (`train` for `train@cnn`); undefined for plain stages. */
  readonly group?: string;
  /** Absolute path of the pipeline file that declares it. */
  readonly pipelineFile: string;
  /** Fully rendered command(s); a list runs in order and stops at the first failure. */
  readonly cmd: string | readonly string[];
  /** Absolute working directory. */
  readonly wdir: string;
  readonly deps: readonly PathEntry[];
  readonly params: readonly ParamDependency[];
  /** outs, metrics and plots, in file order, tagged with their kind. */
  readonly outs: readonly Output[];
  readonly frozen: boolean;
  readonly alwaysChanged: boolean;
  readonly desc?: string;
  /** mlc.yaml only: runner name (default: local), timeout, retries, extra environment. */
  readonly runner?: string;
  readonly timeoutMs?: number;
  readonly retries: number;
  readonly env: Readonly<Record<string, string>>;
  /** Where the stage's key is in the file (for CodeLens, diagnostics, go to definition). */
  readonly position: SourcePosition;
  /** Where `cmd` is written (for a foreach/matrix stage: in the shared template). */
  readonly cmdPosition?: SourcePosition;
}

export interface RunnerConfig {
  readonly name: string;
  readonly type: 'local' | 'ssh' | 'slurm';
  /** The remaining keys as written (host, user, port, workdir, via, partition, gres, time, ...). */
  readonly options: Readonly<Record<string, string | number | boolean>>;
  readonly position: SourcePosition;
}

export interface ModelConfig {
  readonly name: string;
  readonly path: string;
  readonly metrics?: string;
  readonly position: SourcePosition;
}

export interface GateConfig {
  readonly metric?: string;
  readonly min?: number;
  readonly max?: number;
  readonly vs?: string;
  readonly maxDrop?: number;
  readonly smoke?: boolean;
}

export interface DeployTargetConfig {
  readonly name: string;
  readonly model: string;
  readonly runner: string;
  readonly start: string;
  readonly stop?: string;
  readonly health?: string;
  readonly gates: readonly GateConfig[];
  readonly position: SourcePosition;
}

/**
 * One entry of mlc.yaml's `alerts:`. Which fields are set says its kind (see
 * `engine/alerts/alertKind.ts`): `deployment` (the target's health check fails), `stalled` (no
 * metric point or log line for that long), `metric` + `vs` (a regression against a baseline run),
 * `metric` + `when` (NaN or an infinity), `metric` + `below`/`above` (a threshold, from
 * `after_step` on).
 */
export interface AlertRule {
  readonly metric?: string;
  /** `nan`: the metric became NaN; `inf`: +/-Infinity; `nonfinite`: either. */
  readonly when?: 'nan' | 'inf' | 'nonfinite';
  readonly below?: number;
  readonly above?: number;
  readonly afterStep?: number;
  /** The baseline of a regression alert: `previous` (the last succeeded run that has the metric) or a run id. */
  readonly vs?: string;
  /** How far below (`max_drop`) or above (`max_rise`) the baseline's value the metric may go. */
  readonly maxDrop?: number;
  readonly maxRise?: number;
  readonly stalledMs?: number;
  /** A deploy target of the same file. */
  readonly deployment?: string;
  readonly position: SourcePosition;
}

export interface Pipeline {
  /** Absolute path of the file. */
  readonly file: string;
  readonly kind: PipelineKind;
  /** The file's folder: the base of every relative path in it. */
  readonly root: string;
  readonly stages: readonly Stage[];
  readonly runners: readonly RunnerConfig[];
  readonly models: readonly ModelConfig[];
  readonly deploy: readonly DeployTargetConfig[];
  readonly alerts: readonly AlertRule[];
  /** Top-level `params`/`metrics` files (dvc.yaml), relative to root. */
  readonly paramsFiles: readonly string[];
  readonly metricsFiles: readonly string[];
  /**
   * Values from params files that `${}` used, per file relative to root, as DVC records them
   * (shown by `dvc params show`; not stage dependencies).
   */
  readonly templateParams: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Top-level `plots` definitions (dvc.yaml), list and map forms alike. */
  readonly plots?: readonly PlotDefinition[];
  /** Top-level `artifacts` (dvc.yaml model-registry annotations). */
  readonly artifacts?: readonly ArtifactConfig[];
  /** Top-level `datasets` (DVC 3.x), as written. */
  readonly datasets?: readonly Readonly<Record<string, unknown>>[];
  /** MLproject: the project name and its environment, recorded but not acted upon. */
  readonly projectName?: string;
  readonly environment?: { readonly kind: 'python_env' | 'conda_env' | 'docker_env'; readonly value: unknown };
}

export interface PlotDefinition {
  /** The id: a file or folder path, or a name when `y` maps files to columns. */
  readonly id: string;
  readonly x?: string | Readonly<Record<string, string>>;
  readonly y?: string | readonly string[] | Readonly<Record<string, string | readonly string[]>>;
  readonly template?: string;
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  readonly position: SourcePosition;
}

export interface ArtifactConfig {
  readonly name: string;
  readonly path: string;
  readonly type?: string;
  readonly desc?: string;
  readonly labels?: readonly string[];
  readonly position: SourcePosition;
}
