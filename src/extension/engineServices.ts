import type { RunnerPlacement } from '../engine/runners/chooseRunner';
import type { StagePlacement } from '../engine/scheduler/ports';
import type { RunnerReachability } from '../node/runners/checkRunner';
import type { CiProvider } from '../engine/ci/ciWorkflow';
import type { ScaffoldFile, ScaffoldPlan } from '../engine/scaffold/scaffoldPipeline';
import type { CiWorkflowWrite } from '../node/ci/writeCiWorkflow';
import type { FiredAlert } from '../engine/alerts/alertMonitor';
/**
 * What the extension needs from the engine, in the extension's own terms. createEngineServices
 * binds it to the real engine and Node adapters; everything else in src/extension depends on
 * this interface only, so a change in an engine signature is fixed in one file.
 */
import type { Pipeline, Stage } from '../engine/pipeline/model';
import type { ParamsRestorePlan } from '../engine/params/planParamsRestore';
import type { Parsed, Problem } from '../engine/problems';
import type { RunAnnotation } from '../engine/runAnnotations/runAnnotations';
import type { Disposable, GitClient } from '../engine/ports';
import type { FollowUpdate, RunSeriesResponse, SeriesWindow } from '../node/runIndex/createRunIndexService';
import type { RunDetailsResult } from '../node/runIndex/readRunDetails';
import type { MlflowRegistryListing } from '../engine/readers/mlflow/registryModel';
import type { ParamValue, RunStatus, RunSummary } from '../engine/runs/model';
import type { StageState } from './presentation';
import type { LifecycleServices } from './lifecycle/lifecycleServices';

export interface StageEntry {
  /** Unique across the workspace (`train`, or `sub/dvc.yaml:train` for nested pipelines); what `mlc run` accepts. */
  readonly address: string;
  readonly stage: Stage;
}

export interface WorkspaceView {
  readonly root: string;
  readonly pipelines: readonly Pipeline[];
  readonly stages: readonly StageEntry[];
  readonly problems: readonly Problem[];
}

export interface StageStatusEntry {
  readonly state: Exclude<StageState, 'failed' | 'unknown'>;
  readonly reasons: readonly string[];
}

/** The last finished execution of a stage, from mlc's run store. */
export interface StageRunRecord {
  readonly runId: string;
  readonly status: RunStatus;
  readonly startedAt?: number;
  readonly endedAt?: number;
  readonly durationMs?: number;
  /** Where it ran when not on this machine (runner, host, Slurm job id). */
  readonly where?: string;
  readonly metrics: Readonly<Record<string, number>>;
}

export interface LoadOptions {
  /** Pipeline files already found (absolute): discovery walks only the folders that lead to them. */
  readonly pipelineFiles: readonly string[];
  /** Unsaved editor text by absolute path: parsed instead of the file on disk. */
  readonly overrides: ReadonlyMap<string, string>;
  /** Folder names or workspace-relative paths skipped by discovery (`mlc.ignore`). */
  readonly ignore: readonly string[];
}

export interface RunRequest {
  readonly root: string;
  /** Stage addresses; empty runs every stage of the workspace. */
  readonly targets: readonly string[];
  readonly force: boolean;
  /** 0 = one per core. */
  readonly jobs: number;
  readonly defaultRunner: string;
  /** As for loadWorkspace: the known pipeline files and the `mlc.ignore` setting. */
  readonly pipelineFiles: readonly string[];
  readonly ignore: readonly string[];
}

/** Progress of one run, as the scheduler reports it. Addresses as in StageEntry. */
export interface RunListener {
  runStarted(runId: string, planned: readonly string[]): void;
  stageStarted(address: string): void;
  stageOutput(address: string, text: string): void;
  /** A remote stage's Slurm job waits in the queue (with Slurm's reason) or started running. */
  stagePlacement?(address: string, placement: StagePlacement): void;
  stageFinished(address: string, status: RunStatus | 'skipped', durationMs: number): void;
  /** A line about the run as a whole (a scheduler message or a problem). */
  message(text: string): void;
  /** An alert of mlc.yaml's `alerts:` fired (already recorded in run.json and the audit log). */
  alertFired?(alert: FiredAlert): void;
}

export interface RunOutcome {
  readonly runId: string | undefined;
  readonly status: RunStatus;
}

export interface RunHandle {
  readonly done: Promise<RunOutcome>;
  cancel(): void;
}

export interface EngineServices {
  /**
   * The workspace root a VS Code folder belongs to (findWorkspaceRoot: the nearest folder at or
   * above it holding `.mlc`, `.dvc` or `.git`), so the window and `mlc` share one lock and one
   * run store whatever folder was opened.
   */
  workspaceRootOf(folder: string): string;
  /**
   * Parses the pipelines of `root` into one stage graph, with problems, in the pipeline worker.
   * Problems are values; rejects only with StaleAnswerError (a newer load of the root was asked)
   * or WorkerCrashedError.
   */
  loadWorkspace(root: string, options: LoadOptions): Promise<WorkspaceView>;
  /** Stage states; hashing happens in worker threads. */
  computeStatus(
    view: WorkspaceView,
    runningStages: ReadonlySet<string>,
    signal: AbortSignal,
  ): Promise<ReadonlyMap<string, StageStatusEntry>>;
  /** Runs of every source, newest first (indexed in a worker thread); `ignore` = `mlc.ignore`. */
  listRuns(root: string, limit: number, ignore: readonly string[]): Promise<readonly RunSummary[]>;
  /** One run in full for the Run Details panel (read in the run index worker). */
  runDetails(root: string, runId: string, ignore: readonly string[]): Promise<RunDetailsResult>;
  /** The model registries of the MLflow stores the run index found (read, sql.js too, in its worker). */
  mlflowRegistries(root: string, ignore: readonly string[]): Promise<MlflowRegistryListing>;
  /** One run's metric series, downsampled in the run index worker to `maxPoints` over `window`. */
  metricSeries(
    root: string,
    ignore: readonly string[],
    runId: string,
    options: { readonly names?: readonly string[]; readonly maxPoints?: number; readonly window?: SeriesWindow },
  ): Promise<RunSeriesResponse>;
  /** Follows a live run's series in the worker: everything first (a reset), then appended batches. */
  followMetrics(
    root: string,
    ignore: readonly string[],
    runId: string,
    maxPoints: number,
    listener: (update: FollowUpdate) => void,
  ): Promise<Disposable>;
  /** Stars, notes and tags by run id (`.mlc/annotations.json`, a small file of mlc's own). */
  readRunAnnotations(root: string): Parsed<ReadonlyMap<string, RunAnnotation>>;
  updateRunAnnotation(root: string, runId: string, change: Partial<RunAnnotation>): Parsed<RunAnnotation | undefined>;
  /**
   * Deletes an mlc run's folder (`.mlc/runs/<id>/` below `root`); refuses (with the reason) any
   * other source's run, a run that is still live, and anything outside an mlc run store.
   */
  deleteRun(
    root: string,
    run: RunSummary,
  ): { readonly deleted: true } | { readonly deleted: false; readonly reason: string };
  /** The params-file edits that put a run's recorded params back (planParamsRestore); writes nothing. */
  planParamsRestore(
    stages: readonly Stage[],
    recorded: Readonly<Record<string, ParamValue>>,
  ): Promise<ParamsRestorePlan>;
  /** Writes a file the user chose (an export), atomically. */
  writeTextFile(path: string, text: string): void;
  /** Files changed between two git commits, or undefined when git cannot tell. */
  changedFiles(root: string, from: string, to: string): Promise<readonly string[] | undefined>;
  /** Git state and user for a deploy's audit entries, answered off the extension host. */
  git(root: string): GitClient;
  /** The last finished run of each stage by address (mlc's run store), with the metrics its metrics files hold now. */
  lastStageRuns(view: WorkspaceView): Promise<ReadonlyMap<string, StageRunRecord>>;
  /** Params keys of one params file (nested values as read), or undefined when unreadable. */
  readParams(file: string): Promise<Readonly<Record<string, unknown>> | undefined>;
  /**
   * `mlc ci init PROVIDER` through the same code: the workflow for the workspace's deploy targets,
   * written only where nothing is unless `force`.
   */
  writeCiWorkflow(root: string, provider: CiProvider, force: boolean): Promise<CiWorkflowWrite>;
  /** `mlc init`: the mlc.yaml (or starter project) to write into `root`, and writing it (never over a file). */
  scaffoldPipeline(root: string): Promise<ScaffoldPlan>;
  writeScaffold(root: string, files: readonly ScaffoldFile[]): Promise<string[]>;
  /** Whether an ssh or slurm runner answers (the user's ssh; sbatch and sinfo here or on its login node). */
  checkRunner(placement: RunnerPlacement): Promise<RunnerReachability>;
  startRun(request: RunRequest, listener: RunListener): RunHandle;
  /** Registry, deploys and health probes: the Models and Deployments views and the lifecycle commands. */
  readonly lifecycle: LifecycleServices;
  /** Stops a run that this or another process started (by its id). */
  stopRun(root: string, runId: string): Promise<boolean>;
  dispose(): void;
}
