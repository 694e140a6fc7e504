import { availableParallelism } from 'node:os';
import { basename, dirname, relative, resolve } from 'node:path';
import type { ContentHasher } from '../engine/hashing/ports';
import { loadParamsFile } from '../engine/params/readParams';
import { loadWorkspace } from '../engine/pipeline/loadWorkspace';
import { planParamsRestore } from '../engine/params/planParamsRestore';
import type { StageGraph } from '../engine/pipeline/stageGraph';
import type { Disposable, Logger } from '../engine/ports';
import { readRunAnnotations, updateRunAnnotation } from '../engine/runAnnotations/runAnnotations';
import { alertsByPipeline } from '../engine/alerts/watchRunAlerts';
import { scaffoldPipeline, writeScaffold } from '../engine/scaffold/scaffoldPipeline';
import { checkRunner } from '../node/runners/checkRunner';
import { writeCiWorkflow } from '../node/ci/writeCiWorkflow';
import { runPipeline, runnersByPipeline } from '../engine/scheduler/runPipeline';
import { computeStatus } from '../engine/status/computeStatus';
import { findWorkspaceRoot, isInNestedWorkspace } from '../engine/workspace/findWorkspaceRoot';
import { createContentHasher } from '../node/hashing/createContentHasher';
import { nodeFileSystem } from '../node/nodeFileSystem';
import { createLocalRunPorts, schedulerNodesOf } from '../node/runStore/createLocalRunPorts';
import { createRunIndexWorkerClient, type RunIndexClient } from '../node/runIndex/runIndexWorkerClient';
import { stopRun } from '../node/runStore/stopRun';
import type { EngineServices, RunOutcome, StageStatusEntry, WorkspaceView } from './engineServices';
import { readLastStageRuns } from './readLastStageRuns';
import { pipelineDiscoveryFileSystem } from './state/pipelineDiscoveryFileSystem';

interface EngineServicesOptions {
  readonly logger: Logger;
}

/**
 * Binds EngineServices to the engine and the Node adapters: the same loadWorkspace,
 * computeStatus, content hasher (worker threads for big files, persisted stat cache) and
 * runPipeline + createLocalRunPorts as `mlc run`, so the extension and the CLI agree on states
 * and write the same run records.
 */
export function createEngineServices({ logger }: EngineServicesOptions): EngineServices {
  const hashers = new Map<string, ContentHasher & Disposable>();
  const graphs = new WeakMap<WorkspaceView, StageGraph>();
  // One run index per root and ignore list, each in its own worker thread (created on first use).
  const runIndexes = new Map<string, RunIndexClient>();
  const runIndexFor = (root: string, ignore: readonly string[]) => {
    const key = JSON.stringify([root, ignore]);
    let client = runIndexes.get(key);
    if (!client) {
      for (const [otherKey, other] of runIndexes) {
        if (JSON.parse(otherKey)[0] === root) {
          other.dispose();
          runIndexes.delete(otherKey);
        }
      }
      client = createRunIndexWorkerClient({ workspaceRoot: root, skip: ignore });
      logger.info('Run index started', { root, mode: client.mode });
      runIndexes.set(key, client);
    }
    return client;
  };
  // Git runs in a root's run index worker (simple-git is in that bundle, not in this one): the one
  // already started for the root, whatever its ignore list, or a new one.
  const gitFor = (root: string) => {
    for (const [key, client] of runIndexes) if (JSON.parse(key)[0] === root) return client.git;
    return runIndexFor(root, []).git;
  };
  const hasherFor = (root: string) => {
    let hasher = hashers.get(root);
    if (!hasher) {
      hasher = createContentHasher({ workspaceRoot: root, logger });
      hashers.set(root, hasher);
    }
    return hasher;
  };
  const load = (root: string, options: Parameters<EngineServices['loadWorkspace']>[1]) => {
    // VS Code's file search does not know that a folder with its own .mlc/.dvc/.git is another
    // workspace; the CLI's walk does not enter it, so neither does this.
    const pipelineFiles = options.pipelineFiles.filter((file) => !isInNestedWorkspace(nodeFileSystem, root, file));
    const fs = pipelineDiscoveryFileSystem(nodeFileSystem, root, pipelineFiles);
    const workspace = loadWorkspace(fs, root, { overrides: options.overrides, skip: options.ignore });
    const view: WorkspaceView = {
      root: workspace.root,
      pipelines: workspace.pipelines,
      stages: workspace.graph.stages.map((stage) => ({ address: workspace.graph.address(stage), stage })),
      problems: workspace.problems,
    };
    graphs.set(view, workspace.graph);
    return { view, graph: workspace.graph };
  };

  return {
    workspaceRootOf: (folder) => findWorkspaceRoot(nodeFileSystem, folder),
    loadWorkspace: (root, options) => load(root, options).view,

    async computeStatus(view, runningStages, signal) {
      const graph = graphs.get(view);
      if (!graph) return new Map();
      const hasher = hasherFor(view.root);
      const statuses = await computeStatus(graph, { fs: nodeFileSystem, hasher, signal, runningStages });
      await hasher.flush();
      const entries = new Map<string, StageStatusEntry>();
      for (const [address, status] of statuses) entries.set(address, { state: status.state, reasons: status.reasons });
      return entries;
    },

    async listRuns(root, limit, ignore) {
      const listing = await runIndexFor(root, ignore).listRuns({ limit });
      for (const problem of listing.problems) logger.warn('A run store could not be read', { ...problem });
      return listing.runs;
    },

    runDetails: (root, runId, ignore) => runIndexFor(root, ignore).runDetails(runId),

    mlflowRegistries: (root, ignore) => runIndexFor(root, ignore).mlflowRegistries(),

    metricSeries: (root, ignore, runId, options) =>
      runIndexFor(root, ignore).series(runId, options.names, options.maxPoints, options.window),

    followMetrics: (root, ignore, runId, maxPoints, listener) =>
      runIndexFor(root, ignore).follow(runId, undefined, listener, maxPoints),

    readRunAnnotations: (root) => readRunAnnotations(nodeFileSystem, root),

    updateRunAnnotation: (root, runId, change) => updateRunAnnotation(nodeFileSystem, root, runId, change),

    deleteRun(root, run) {
      if (run.source !== 'mlc') return { deleted: false, reason: `${run.id} was recorded by ${run.source}, not mlc.` };
      if (run.status === 'running' || run.status === 'queued') {
        return { deleted: false, reason: `${run.id} is still ${run.status}: stop it first.` };
      }
      const folder = resolve(run.location);
      const inside = relative(resolve(root), folder);
      const isRunFolder =
        basename(dirname(folder)) === 'runs' &&
        basename(dirname(dirname(folder))) === '.mlc' &&
        inside !== '' &&
        !inside.startsWith('..');
      if (!isRunFolder) return { deleted: false, reason: `${folder} is not an mlc run folder of this workspace.` };
      nodeFileSystem.remove(folder);
      logger.info('Deleted an mlc run', { runId: run.id, folder });
      return { deleted: true };
    },

    planParamsRestore: (stages, recorded) => planParamsRestore(nodeFileSystem, stages, recorded),

    writeTextFile: (path, text) => nodeFileSystem.writeFileAtomic(path, text),

    changedFiles: (root, from, to) => gitFor(root).changedFiles(root, from, to),

    git: (root) => gitFor(root),

    lastStageRuns: async (view) => readLastStageRuns(nodeFileSystem, view),

    checkRunner: (placement) => checkRunner(placement),

    readParams: (file) => loadParamsFile(nodeFileSystem, file).value,

    writeCiWorkflow: (root, provider, force) =>
      writeCiWorkflow(nodeFileSystem, root, provider, { branch: 'main', force }),

    scaffoldPipeline: (root) => scaffoldPipeline(nodeFileSystem, root),

    writeScaffold: (root, files) => writeScaffold(nodeFileSystem, root, files),

    startRun(request, listener) {
      const abort = new AbortController();
      const done = (async (): Promise<RunOutcome> => {
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
          git: runIndexFor(request.root, request.ignore).git,
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
          abort.signal,
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
      })();
      return { done, cancel: () => abort.abort() };
    },

    async stopRun(root, runId) {
      // A stop request the owner honours (this window's run too); stopRun never signals a process
      // that is not a dedicated `mlc run`, so no extension host is ever killed.
      const outcome = await stopRun(root, runId, { requestedBy: 'VS Code (ML: Stop Run)' });
      logger.info('Asked another process to stop its run', { runId, outcome: outcome.kind });
      return outcome.kind === 'stopped';
    },

    dispose() {
      for (const hasher of hashers.values()) hasher.dispose();
      hashers.clear();
      for (const client of runIndexes.values()) client.dispose();
      runIndexes.clear();
    },
  };
}
