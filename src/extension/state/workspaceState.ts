import * as vscode from 'vscode';
import type { Logger } from '../../engine/ports';
import { ALWAYS_SKIPPED_FOLDERS } from '../../engine/workspace/walkWorkspace';
import type { RunSummary } from '../../engine/runs/model';
import type { MlflowRegistry } from '../../engine/readers/mlflow/registryModel';
import type { EngineServices, RunRequest, StageEntry, StageRunRecord, WorkspaceView } from '../engineServices';
import { isPipelineFileName } from '../../engine/pipeline/pipelineFileNames';
import { shownStageState, type LiveStage, type StageState } from '../presentation';
import { readSettings } from '../settings';
import { describeError } from '../../engine/engineError';
import { StaleAnswerError } from '../../node/workerRpc';
import { debounce } from './debounce';
import { reloadedRootState, type RootState } from './rootState';

/** What the views and editor features show about one stage. */
export interface StageInfo {
  readonly root: string;
  readonly entry: StageEntry;
  readonly state: StageState;
  readonly reasons: readonly string[];
  /** Slurm's reason while the stage's job waits in the queue (`state` is then `queued`). */
  readonly queuedReason?: string;
  readonly lastRun?: StageRunRecord;
}

/**
 * The extension's picture of the workspace: pipelines (with unsaved editor text), stage states,
 * last stage runs and the run list, per workspace folder. Reloads are debounced and never run on
 * the activation path; status and run listing are asynchronous (hashing and indexing happen in
 * worker threads), and a newer status computation aborts the older one.
 */
export class WorkspaceState implements vscode.Disposable {
  private readonly roots = new Map<string, RootState>();
  private readonly runsByRoot = new Map<string, readonly RunSummary[]>();
  private readonly mlflowRegistriesByRoot = new Map<string, readonly MlflowRegistry[]>();
  /** Pipeline files per root, from VS Code's file search; undefined until the next discovery. */
  private pipelineFiles: Map<string, string[]> | undefined;
  private readonly pipelinesChanged = new vscode.EventEmitter<void>();
  private readonly runsChanged = new vscode.EventEmitter<void>();
  private readonly lifecycleRecordsChanged = new vscode.EventEmitter<void>();
  /** A deploy writes history.jsonl then current.json: one event for both. */
  private readonly announceLifecycleRecords = debounce(() => this.lifecycleRecordsChanged.fire(), 100);
  private readonly idleWaiters: Array<() => void> = [];
  private pendingWork = 0;
  /** Stages of the runs in flight from this window: queued (a Slurm job waiting) or running. */
  private liveStages: ReadonlyMap<string, LiveStage> = new Map();
  private readonly reloadPipelines = debounce(() => this.track(this.loadPipelines()), 300);
  private readonly reloadStatus = debounce(() => this.track(this.loadStatus()), 300, 2000);
  private readonly reloadRuns = debounce(() => this.track(this.loadRuns()), 500, 2000);

  /** Pipelines, problems or stage states changed. */
  readonly onDidChangePipelines = this.pipelinesChanged.event;
  readonly onDidChangeRuns = this.runsChanged.event;
  /** The model registry or a deployment record (`.mlc/registry`, `.mlc/deployments/<target>/current.json`, `history.jsonl`) changed on disk. */
  readonly onDidChangeLifecycleRecords = this.lifecycleRecordsChanged.event;

  constructor(
    private readonly engine: EngineServices,
    private readonly logger: Logger,
  ) {}

  /**
   * The workspace roots of the folders on disk, as absolute paths: a folder inside a project (a
   * sub-folder of a git repository or of a folder with `.mlc`) works on that project's root, as
   * `mlc` started there does, so both share one lock and one run store.
   */
  private folderRoots(): string[] {
    const roots = (vscode.workspace.workspaceFolders ?? [])
      .filter((folder) => folder.uri.scheme === 'file')
      .map((folder) => this.engine.workspaceRootOf(folder.uri.fsPath));
    return [...new Set(roots)];
  }

  /** Everything, soon (debounced), pipeline files found again. */
  refreshAll(): void {
    this.pipelineFiles = undefined;
    this.reloadPipelines.schedule();
    this.reloadRuns.schedule();
  }
  /** A pipeline file was created or deleted. */
  pipelineFilesDidChange(): void {
    this.pipelineFiles = undefined;
    this.reloadPipelines.schedule();
  }
  /** A pipeline or params file changed on disk or in an editor. */
  pipelinesDidChange(): void {
    this.reloadPipelines.schedule();
  }
  /** A dependency, output or lock file changed. */
  statusDidChange(): void {
    this.reloadStatus.schedule();
  }
  runsDidChange(): void {
    this.reloadRuns.schedule();
  }
  lifecycleRecordsDidChange(): void {
    this.announceLifecycleRecords.schedule();
  }

  setLiveStages(stages: ReadonlyMap<string, LiveStage>): void {
    this.liveStages = stages;
    this.pipelinesChanged.fire();
  }

  /** Resolves when no reload is scheduled or in progress (tests and the bench wait on it). */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      setTimeout(() => {
        this.reloadPipelines.flush();
        this.reloadStatus.flush();
        this.reloadRuns.flush();
        if (this.pendingWork === 0) resolve();
        else this.idleWaiters.push(resolve);
      }, 0);
    });
  }

  views(): WorkspaceView[] {
    return [...this.roots.values()].map((state) => state.view);
  }

  runs(): RunSummary[] {
    const all = [...this.runsByRoot.values()].flat();
    return all.sort((left, right) => (right.startedAt ?? 0) - (left.startedAt ?? 0));
  }

  /** The model registries of every root's MLflow stores, read with the runs (read-only in mlc). */
  mlflowRegistries(): { readonly root: string; readonly registry: MlflowRegistry }[] {
    return [...this.mlflowRegistriesByRoot].flatMap(([root, registries]) =>
      registries.map((registry) => ({ root, registry })),
    );
  }

  stages(): StageInfo[] {
    return [...this.roots.values()].flatMap((state) => state.view.stages.map((entry) => this.stageInfo(state, entry)));
  }

  stagesOfFile(file: string): StageInfo[] {
    return this.stages().filter((info) => info.entry.stage.pipelineFile === file);
  }

  /** What a run of `targets` (addresses; empty = everything) in `root` needs, with the settings. */
  runRequest(root: string, targets: readonly string[], force = false): RunRequest {
    const settings = readSettings(vscode.Uri.file(root));
    return {
      root,
      targets,
      force,
      jobs: settings.parallelJobs,
      defaultRunner: settings.defaultRunner,
      ignore: settings.ignore,
      pipelineFiles:
        this.pipelineFiles?.get(root) ?? this.roots.get(root)?.view.pipelines.map((pipeline) => pipeline.file) ?? [],
    };
  }

  /** Whether discovery knows `file` as a pipeline file (an editor may open one the watcher missed). */
  isKnownPipelineFile(file: string): boolean {
    return this.pipelineFiles === undefined || [...this.pipelineFiles.values()].some((files) => files.includes(file));
  }

  /** Whether discovery found a pipeline file inside `folder` (a folder that was deleted or renamed). */
  hasPipelineFileIn(folder: string): boolean {
    const inside = (file: string) => file.startsWith(`${folder}/`);
    return [...(this.pipelineFiles?.values() ?? [])].some((files) => files.some(inside));
  }

  rootOf(file: string): string | undefined {
    return this.folderRoots()
      .filter((root) => file === root || file.startsWith(`${root}/`))
      .sort((left, right) => right.length - left.length)[0];
  }

  private stageInfo(state: RootState, entry: StageEntry): StageInfo {
    const status = state.statuses.get(entry.address);
    const lastRun = state.lastRuns.get(entry.address);
    const lastRunFailed = lastRun?.status === 'failed' && status?.state !== 'up-to-date';
    const shown = shownStageState(
      status?.state ?? 'unknown',
      this.liveStages.get(entry.address),
      lastRunFailed,
      status?.reasons ?? [],
    );
    const live = this.liveStages.get(entry.address);
    return {
      root: state.view.root,
      entry,
      state: shown.state,
      reasons: [...shown.reasons],
      ...(live?.state === 'queued' ? { queuedReason: live.reason } : {}),
      ...(lastRun ? { lastRun } : {}),
    };
  }

  private async track(work: Promise<void>): Promise<void> {
    this.pendingWork++;
    try {
      await work;
    } catch (error) {
      this.logger.error('Reloading the workspace failed', { error: describeError(error) });
    } finally {
      this.pendingWork--;
      if (this.pendingWork === 0) this.idleWaiters.splice(0).forEach((resolve) => resolve());
    }
  }

  /** Unsaved text of open pipeline files, so problems and CodeLenses follow typing. */
  private overrides(): Map<string, string> {
    const overrides = new Map<string, string>();
    for (const document of vscode.workspace.textDocuments) {
      const name = document.uri.path.split('/').at(-1) ?? '';
      if (document.uri.scheme === 'file' && document.isDirty && isPipelineFileName(name)) {
        overrides.set(document.uri.fsPath, document.getText());
      }
    }
    return overrides;
  }

  /** Pipeline files of each root through VS Code's file search (ripgrep, outside the extension host). */
  private async discover(roots: readonly string[]): Promise<Map<string, string[]>> {
    const found = new Map<string, string[]>();
    for (const root of roots) {
      const ignore = readSettings(vscode.Uri.file(root)).ignore;
      const skipped = [...ALWAYS_SKIPPED_FOLDERS].map((name) => `**/${name}/**`);
      const ignored = ignore.map((entry) =>
        entry.includes('/') ? `${entry.replace(/\/+$/, '')}/**` : `**/${entry}/**`,
      );
      const exclude = `{${[...skipped, ...ignored].join(',')}}`;
      const uris = await vscode.workspace.findFiles(
        new vscode.RelativePattern(root, '**/{mlc.yaml,dvc.yaml,MLproject,mlproject}'),
        exclude,
      );
      found.set(root, uris.map((uri) => uri.fsPath).sort());
      this.logger.info('Found pipeline files', { root, files: found.get(root)?.length });
    }
    return found;
  }

  private async loadPipelines(): Promise<void> {
    const roots = this.folderRoots();
    if (!this.pipelineFiles) this.pipelineFiles = await this.discover(roots);
    const overrides = this.overrides();
    for (const [root, state] of [...this.roots]) {
      if (roots.includes(root)) continue;
      state.statusAbort?.abort();
      this.roots.delete(root);
    }
    for (const root of roots) {
      const started = performance.now();
      const settings = readSettings(vscode.Uri.file(root));
      const pipelineFiles = this.pipelineFiles.get(root) ?? [];
      let view: WorkspaceView;
      try {
        view = await this.engine.loadWorkspace(root, { overrides, ignore: settings.ignore, pipelineFiles });
      } catch (error) {
        // A newer reload asked for this root meanwhile: it finishes the job (and fires the change).
        if (error instanceof StaleAnswerError) return;
        throw error;
      }
      this.roots.set(root, reloadedRootState(this.roots.get(root), view));
      this.logger.debug('Loaded pipelines', {
        root,
        pipelines: view.pipelines.length,
        stages: view.stages.length,
        problems: view.problems.length,
        ms: Math.round(performance.now() - started),
      });
    }
    this.pipelinesChanged.fire();
    await this.loadStatus();
  }

  private async loadStatus(): Promise<void> {
    await Promise.all(
      [...this.roots.values()].map(async (state) => {
        state.statusAbort?.abort();
        const abort = new AbortController();
        state.statusAbort = abort;
        const started = performance.now();
        const [statuses, lastRuns] = await Promise.all([
          this.engine.computeStatus(state.view, new Set(this.liveStages.keys()), abort.signal),
          this.engine.lastStageRuns(state.view),
        ]);
        if (abort.signal.aborted) return;
        state.statuses = statuses;
        state.lastRuns = lastRuns;
        this.logger.debug('Computed stage states', {
          root: state.view.root,
          ms: Math.round(performance.now() - started),
        });
      }),
    );
    this.pipelinesChanged.fire();
  }

  private async loadRuns(): Promise<void> {
    const roots = this.folderRoots();
    for (const root of [...this.runsByRoot.keys()]) if (!roots.includes(root)) this.runsByRoot.delete(root);
    for (const root of [...this.mlflowRegistriesByRoot.keys()]) {
      if (!roots.includes(root)) this.mlflowRegistriesByRoot.delete(root);
    }
    await Promise.all(
      roots.map(async (root) => {
        const settings = readSettings(vscode.Uri.file(root));
        this.runsByRoot.set(root, await this.engine.listRuns(root, settings.maxRuns, settings.ignore));
        this.mlflowRegistriesByRoot.set(root, await this.loadMlflowRegistries(root, settings.ignore));
      }),
    );
    this.runsChanged.fire();
  }

  /** A registry that cannot be read leaves the runs listed: its problems are logged, nothing shown. */
  private async loadMlflowRegistries(root: string, ignore: readonly string[]): Promise<readonly MlflowRegistry[]> {
    try {
      const listing = await this.engine.mlflowRegistries(root, ignore);
      for (const problem of listing.problems)
        this.logger.warn('An MLflow model registry could not be read', { ...problem });
      return listing.registries;
    } catch (error) {
      this.logger.warn('The MLflow model registries could not be read', { root, error: describeError(error) });
      return [];
    }
  }

  dispose(): void {
    this.reloadPipelines.dispose();
    this.reloadStatus.dispose();
    this.reloadRuns.dispose();
    this.announceLifecycleRecords.dispose();
    this.lifecycleRecordsChanged.dispose();
    for (const state of this.roots.values()) state.statusAbort?.abort();
    this.pipelinesChanged.dispose();
    this.runsChanged.dispose();
  }
}
