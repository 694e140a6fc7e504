import { availableParallelism } from 'node:os';
import { alertsByPipeline } from '../../engine/alerts/watchRunAlerts';
import type { CiProvider } from '../../engine/ci/ciWorkflow';
import type { ContentHasher } from '../../engine/hashing/ports';
import { planParamsRestore } from '../../engine/params/planParamsRestore';
import { loadParamsFile } from '../../engine/params/readParams';
import { loadWorkspace } from '../../engine/pipeline/loadWorkspace';
import type { Stage } from '../../engine/pipeline/model';
import type { StageGraph } from '../../engine/pipeline/stageGraph';
import type { Disposable, Logger } from '../../engine/ports';
import type { FiredAlert } from '../../engine/alerts/alertMonitor';
import type { ParamValue, RunSummary } from '../../engine/runs/model';
import { type ScaffoldFile, scaffoldPipeline, writeScaffold } from '../../engine/scaffold/scaffoldPipeline';
import { runPipeline, runnersByPipeline } from '../../engine/scheduler/runPipeline';
import { computeStatus } from '../../engine/status/computeStatus';
import { isInNestedWorkspace } from '../../engine/workspace/findWorkspaceRoot';
import { writeCiWorkflow } from '../../node/ci/writeCiWorkflow';
import { createLocalGitCalls } from '../../node/git/createLocalGitCalls';
import { createContentHasher } from '../../node/hashing/createContentHasher';
import { nodeFileSystem } from '../../node/nodeFileSystem';
import { createLocalRunPorts, schedulerNodesOf } from '../../node/runStore/createLocalRunPorts';
import { systemClock } from '../../node/systemTime';
import { stopRun } from '../../node/runStore/stopRun';
import { createLifecycleServices } from '../createLifecycleServices';
import type {
  LoadOptions,
  RunListener,
  RunOutcome,
  RunRequest,
  StageStatusEntry,
  WorkspaceView,
} from '../engineServices';
import type { LifecycleScope, ProgressReporter } from '../lifecycle/lifecycleServices';
import { readLastStageRuns } from '../readLastStageRuns';
import { pipelineDiscoveryFileSystem } from '../state/pipelineDiscoveryFileSystem';

/** A loaded workspace as the host sees it, and the id the worker keeps its stage graph under. */
export interface LoadedWorkspace {
  readonly loadId: number;
  readonly view: WorkspaceView;
}

/**
 * Everything of EngineServices and LifecycleServices that parses YAML (pipelines, params, locks,
 * summary metrics) or runs the scheduler: served by the pipeline worker (`pipelineWorker.ts`), so
 * neither the `yaml` library nor the parsers are in the extension host's bundle. Each method
 * takes one argument object and its AbortSignal (see workerRpc.ts); answers are plain data.
 */
export function createPipelineWorkerServices(logger: Logger) {
  const hashers = new Map<string, ContentHasher & Disposable>();
  const git = createLocalGitCalls();
  const lifecycle = createLifecycleServices(() => git);
  // The graph behind each root's newest view: computeStatus and lastStageRuns name the view by its
  // loadId; an older view's is dropped (its status would be thrown away by the host anyway).
  const loaded = new Map<number, { readonly view: WorkspaceView; readonly graph: StageGraph }>();
  const newestLoadByRoot = new Map<string, number>();
  let nextLoadId = 1;

  const hasherFor = (root: string) => {
    let hasher = hashers.get(root);
    if (!hasher) {
      hasher = createContentHasher({ workspaceRoot: root, logger });
      hashers.set(root, hasher);
    }
    return hasher;
  };
  const load = (root: string, options: LoadOptions) => {
    // VS Code's file search does not know that a folder with its own .mlc/.dvc/.git is another
    // workspace; the CLI's walk does not enter it, so neither does this.
    const pipelineFiles = options.pipelineFiles.filter((file) => !isInNestedWorkspace(nodeFileSystem, root, file));
    const fs = pipelineDiscoveryFileSystem(nodeFileSystem, root, pipelineFiles);
    const workspace = loadWorkspace(fs, root, {
      overrides: options.overrides,
      skip: options.ignore,
      clock: systemClock,
    });
    const view: WorkspaceView = {
      root: workspace.root,
      pipelines: workspace.pipelines,
      stages: workspace.graph.stages.map((stage) => ({ address: workspace.graph.address(stage), stage })),
      problems: workspace.problems,
    };
    return { view, graph: workspace.graph };
  };

  return {
    loadWorkspace({ root, options }: { root: string; options: LoadOptions }): LoadedWorkspace {
      const { view, graph } = load(root, options);
      const loadId = nextLoadId++;
      const previous = newestLoadByRoot.get(root);
      if (previous !== undefined) loaded.delete(previous);
      newestLoadByRoot.set(root, loadId);
      loaded.set(loadId, { view, graph });
      return { loadId, view };
    },

    async computeStatus(
      { loadId, runningStages }: { loadId: number; runningStages: ReadonlySet<string> },
      signal: AbortSignal,
    ): Promise<ReadonlyMap<string, StageStatusEntry>> {
      const workspace = loaded.get(loadId);
      if (!workspace) return new Map();
      const hasher = hasherFor(workspace.view.root);
      const statuses = await computeStatus(workspace.graph, {
        fs: nodeFileSystem,
        hasher,
        signal,
        runningStages,
        clock: systemClock,
      });
      await hasher.flush();
      const entries = new Map<string, StageStatusEntry>();
      for (const [address, status] of statuses) entries.set(address, { state: status.state, reasons: status.reasons });
      return entries;
    },

    lastStageRuns({ loadId }: { loadId: number }) {
      const workspace = loaded.get(loadId);
      return workspace ? readLastStageRuns(nodeFileSystem, workspace.view) : new Map();
    },

    planParamsRestore: ({
      stages,
      recorded,
    }: {
      stages: readonly Stage[];
      recorded: Readonly<Record<string, ParamValue>>;
    }) => planParamsRestore(nodeFileSystem, stages, recorded),

    readParams: ({ file }: { file: string }) => loadParamsFile(nodeFileSystem, file).value,

    writeCiWorkflow: ({ root, provider, force }: { root: string; provider: CiProvider; force: boolean }) =>
      writeCiWorkflow(nodeFileSystem, root, provider, { branch: 'main', force }),

    scaffoldPipeline: ({ root }: { root: string }) => scaffoldPipeline(nodeFileSystem, root),

    writeScaffold: ({ root, files }: { root: string; files: readonly ScaffoldFile[] }) =>
      writeScaffold(nodeFileSystem, root, files),

    async startRun(
      { request, listener }: { request: RunRequest; listener: RunListener },
      signal: AbortSignal,
    ): Promise<RunOutcome> {
      const { graph, view } = load(request.root, {
        overrides: new Map(),
        ignore: request.ignore,
        pipelineFiles: request.pipelineFiles,
      });
      const ports = createLocalRunPorts({
        root: request.root,
        graph,
        fs: nodeFileSystem,
        hasher: hasherFor(request.root),
        git,
        observer: {
          stageStarted: (address) => listener.stageStarted(address),
          stageOutput: (address, _stream, line) => listener.stageOutput(address, `${line}\n`),
          stagePlacement: (address, placement) => listener.stagePlacement?.(address, placement),
          stageFinished: (address, result) =>
            listener.stageFinished(
              address,
              result.status === 'succeeded' || result.status === 'failed' || result.status === 'cancelled'
                ? result.status
                : 'skipped',
              result.durationMs ?? 0,
            ),
          runWarning: (message) => listener.message(`warning: ${message}`),
          alertFired: (alert) => listener.alertFired?.(alert),
        },
        onRunStarted: (runId, _directory, planned) => listener.runStarted(runId, planned),
      });
      const outcome = await runPipeline(
        {
          root: request.root,
          nodes: schedulerNodesOf(graph),
          targets: request.targets,
          force: request.force,
          keepGoing: false,
          dryRun: false,
          jobs: request.jobs > 0 ? request.jobs : availableParallelism(),
          defaultRunner: request.defaultRunner,
          runners: runnersByPipeline(view.pipelines),
          alerts: alertsByPipeline(view.pipelines),
        },
        ports,
        signal,
      );
      switch (outcome.kind) {
        case 'finished':
          if (outcome.record.message) listener.message(outcome.record.message);
          return { runId: outcome.record.id, status: outcome.record.status };
        case 'upToDate':
          listener.message('Everything is up to date: nothing to run.');
          return { runId: undefined, status: 'succeeded' };
        case 'locked':
          listener.message(
            `Run ${outcome.holder.runId} (process ${outcome.holder.pid} on ${outcome.holder.hostname}) is using this workspace; wait for it to end or stop it (ML: Stop Run).`,
          );
          return { runId: undefined, status: 'failed' };
        case 'dryRun':
          return { runId: undefined, status: 'succeeded' };
      }
    },

    async stopRun({ root, runId }: { root: string; runId: string }) {
      // A stop request the owner honours (this window's run too); stopRun never signals a process
      // that is not a dedicated `mlc run`, so no extension host is ever killed.
      const outcome = await stopRun(root, runId, { requestedBy: 'VS Code (ML: Stop Run)' });
      logger.info('Asked another process to stop its run', { runId, outcome: outcome.kind });
      return outcome.kind === 'stopped';
    },

    // The lifecycle services whose work builds deploy ports (lock and params reads) or asks a
    // deploy host: the hosts are kept here, so an ssh host remembers the servers it started.
    deployments: ({ scope }: { scope: LifecycleScope }) => lifecycle.deployments(scope),
    register: ({ scope, modelName, run, progress }: LifecycleCall & { modelName: string; run: RunSummary }) =>
      lifecycle.register(scope, modelName, run, progress),
    promote: ({
      scope,
      model,
      version,
      alias,
    }: {
      scope: LifecycleScope;
      model: string;
      version: number;
      alias: string;
    }) => lifecycle.promote(scope, model, version, alias),
    deploy: ({ scope, targetName, version, progress }: LifecycleCall & { targetName: string; version?: number }) =>
      lifecycle.deploy(scope, targetName, version, progress),
    rollback: ({ scope, targetName, progress }: LifecycleCall & { targetName: string }) =>
      lifecycle.rollback(scope, targetName, progress),
    undeploy: ({ scope, targetName, progress }: LifecycleCall & { targetName: string }) =>
      lifecycle.undeploy(scope, targetName, progress),
    recordAlert: ({ scope, alert }: { scope: LifecycleScope; alert: FiredAlert }) =>
      lifecycle.recordAlert(scope, alert),
    probe: ({ scope, targetName, url }: { scope: LifecycleScope; targetName: string; url: string }) =>
      lifecycle.probe(scope, targetName, url),
    serverLogTail: ({
      scope,
      targetName,
      logFile,
      lines,
    }: {
      scope: LifecycleScope;
      targetName: string;
      logFile: string;
      lines: number;
    }) => lifecycle.serverLogTail(scope, targetName, logFile, lines),
  };
}

interface LifecycleCall {
  readonly scope: LifecycleScope;
  readonly progress: ProgressReporter;
}

export type PipelineWorkerApi = ReturnType<typeof createPipelineWorkerServices>;
