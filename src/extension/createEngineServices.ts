import { basename, dirname, relative, resolve } from 'node:path';
import type { Logger } from '../engine/ports';
import { readRunAnnotations, updateRunAnnotation } from '../engine/runAnnotations/runAnnotations';
import { checkRunner } from '../node/runners/checkRunner';
import { findWorkspaceRoot } from '../engine/workspace/findWorkspaceRoot';
import { nodeFileSystem } from '../node/nodeFileSystem';
import { createRunIndexWorkerClient, type RunIndexClient } from '../node/runIndex/runIndexWorkerClient';
import type { EngineServices, RunListener, WorkspaceView } from './engineServices';
import { createLifecycleClient } from './lifecycle/lifecycleClient';
import { createPipelineWorkerClient } from './worker/pipelineWorkerClient';

interface EngineServicesOptions {
  readonly logger: Logger;
}

/**
 * Binds EngineServices to the engine and the Node adapters: the same loadWorkspace,
 * computeStatus, content hasher (worker threads for big files, persisted stat cache) and
 * runPipeline + createLocalRunPorts as `mlc run`, so the extension and the CLI agree on states
 * and write the same run records. Whatever parses YAML or runs the scheduler is asked of the
 * pipeline worker (worker/pipelineWorkerServices.ts); run lists, series and git of the run index
 * worker; the host itself reads only small JSON files of mlc's own.
 */
export function createEngineServices({ logger }: EngineServicesOptions): EngineServices {
  // dist/pipelineWorker.js beside this bundle, or its source under tsx; started on the first call.
  const pipelineWorker = createPipelineWorkerClient(logger);
  // The worker keeps each root's newest stage graph under the id its load answered.
  const loadIds = new WeakMap<WorkspaceView, number>();
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
  return {
    workspaceRootOf: (folder) => findWorkspaceRoot(nodeFileSystem, folder),
    async loadWorkspace(root, options) {
      // A newer load of the same root makes this one stale: it rejects with StaleAnswerError.
      const { loadId, view } = await pipelineWorker.call(
        'loadWorkspace',
        { root, options },
        { supersedes: `loadWorkspace:${root}` },
      );
      loadIds.set(view, loadId);
      return view;
    },

    async computeStatus(view, runningStages, signal) {
      const loadId = loadIds.get(view);
      if (loadId === undefined) return new Map();
      return pipelineWorker.call('computeStatus', { loadId, runningStages }, { signal });
    },

    lifecycle: createLifecycleClient(pipelineWorker),

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

    planParamsRestore: (stages, recorded) => pipelineWorker.call('planParamsRestore', { stages, recorded }),

    writeTextFile: (path, text) => nodeFileSystem.writeFileAtomic(path, text),

    changedFiles: (root, from, to) => gitFor(root).changedFiles(root, from, to),

    git: (root) => gitFor(root),

    async lastStageRuns(view) {
      const loadId = loadIds.get(view);
      return loadId === undefined ? new Map() : pipelineWorker.call('lastStageRuns', { loadId });
    },

    checkRunner: (placement) => checkRunner(placement),

    readParams: (file) => pipelineWorker.call('readParams', { file }),

    writeCiWorkflow: (root, provider, force) => pipelineWorker.call('writeCiWorkflow', { root, provider, force }),

    scaffoldPipeline: (root) => pipelineWorker.call('scaffoldPipeline', { root }),

    writeScaffold: (root, files) => pipelineWorker.call('writeScaffold', { root, files }),

    startRun(request, listener) {
      const abort = new AbortController();
      // The listener crosses to the worker as callbacks: a plain object of functions (it may be a class instance here).
      const callbacks: RunListener = {
        runStarted: (runId, planned) => listener.runStarted(runId, planned),
        stageStarted: (address) => listener.stageStarted(address),
        stageOutput: (address, text) => listener.stageOutput(address, text),
        stagePlacement: (address, placement) => listener.stagePlacement?.(address, placement),
        stageFinished: (address, status, durationMs) => listener.stageFinished(address, status, durationMs),
        message: (text) => listener.message(text),
        alertFired: (alert) => listener.alertFired?.(alert),
      };
      const done = pipelineWorker.call('startRun', { request, listener: callbacks }, { signal: abort.signal });
      return { done, cancel: () => abort.abort() };
    },

    stopRun: (root, runId) => pipelineWorker.call('stopRun', { root, runId }),

    dispose() {
      pipelineWorker.dispose();
      for (const client of runIndexes.values()) client.dispose();
      runIndexes.clear();
    },
  };
}
