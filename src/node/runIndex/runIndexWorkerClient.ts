import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Disposable } from '../../engine/ports';
import type { MlflowRegistryListing } from '../../engine/readers/mlflow/registryModel';
import type { RunLookup, RunQuery } from '../../engine/runIndex/queryRunIndex';
import type { GitCalls } from '../git/gitCalls';
import type { FollowUpdate, RunListResult, RunSeriesResponse, SeriesWindow } from './createRunIndexService';
import type { RunDetailsResult } from './readRunDetails';
import type { RunIndexMessage, RunIndexRequest, RunIndexWorkerData } from './runIndexProtocol';

// The extension imports only this file, so its bundle carries none of the readers (sql.js among
// them): those live in the worker bundle. createRunIndexClient adds the in-thread mode for the CLI
// and for tests on TypeScript sources.

export interface RunIndexClientOptions extends RunIndexWorkerData {
  /**
   * `worker` runs the index in a worker thread (the extension: the host never parses);
   * `inThread` runs it here (tests on TS sources, the CLI); `auto` (default) picks `worker` when a
   * built worker bundle sits at `workers/runIndexWorker.js` beside this bundle.
   */
  readonly mode?: 'auto' | 'worker' | 'inThread';
  /** The worker script (default: the built bundle); a .ts path needs `execArgv: ['--import', 'tsx']`. */
  readonly workerPath?: string;
  readonly execArgv?: readonly string[];
}

/** The API the extension calls: run list, series for charts, and live updates of a run. */
export interface RunIndexClient {
  readonly mode: 'worker' | 'inThread';
  /** See RunIndexService.listRuns: `revalidate: false` answers from the cache at once. */
  listRuns(query?: RunQuery, options?: { readonly revalidate?: boolean }): Promise<RunListResult>;
  lookup(runId: string): Promise<RunLookup>;
  /** One run with its mlc record and log tails (undefined `run` when the id is unknown). */
  runDetails(runId: string): Promise<RunDetailsResult>;
  /** The model registries of the MLflow stores found (mlruns/models/, mlflow.db), read where the runs are. */
  mlflowRegistries(): Promise<MlflowRegistryListing>;
  /**
   * Series of one run; with `maxPoints`, each is downsampled (min/max/first/last per bucket), over
   * `window`'s x column and visible range when given (a chart's zoom).
   */
  series(
    runId: string,
    names?: readonly string[],
    maxPoints?: number,
    window?: SeriesWindow,
  ): Promise<RunSeriesResponse>;
  /**
   * Calls `listener` with the whole series first (reset), then with appended points as they land
   * (a reader that cannot read incrementally, mlc's own, sends the whole series again as a reset);
   * a batch longer than `maxPoints` is downsampled in the worker.
   */
  follow(
    runId: string,
    names: readonly string[] | undefined,
    listener: (update: FollowUpdate) => void,
    maxPoints?: number,
  ): Promise<Disposable>;
  /** Git for runs, deploys and Compare, answered where the index runs (the worker bundle holds simple-git). */
  readonly git: GitCalls;
  dispose(): void;
}

/** Omit distributed over a union, so each request keeps its own fields. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export function defaultRunIndexWorkerPath(): string {
  return join(__dirname, 'workers', 'runIndexWorker.js');
}

export function createRunIndexWorkerClient(
  options: RunIndexClientOptions,
  workerPath: string = options.workerPath ?? defaultRunIndexWorkerPath(),
): RunIndexClient {
  const workerData: RunIndexWorkerData = {
    workspaceRoot: options.workspaceRoot,
    cachePath: options.cachePath,
    skip: options.skip,
    staleAfterMs: options.staleAfterMs,
  };
  const worker = new Worker(workerPath, { workerData, execArgv: options.execArgv ? [...options.execArgv] : undefined });
  worker.unref();
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const listeners = new Map<number, (update: FollowUpdate) => void>();
  worker.on('message', (message: RunIndexMessage) => {
    if (message.type === 'followUpdate') {
      listeners.get(message.subscription)?.(message.update);
      return;
    }
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (!waiting) return;
    if (message.ok) waiting.resolve(message.result);
    else waiting.reject(new Error(message.error));
  });
  worker.on('error', (error) => {
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
  });
  const request = <T>(message: WithoutId<RunIndexRequest> & { id?: number }): Promise<T> => {
    const id = message.id ?? nextId++;
    // An outstanding request keeps the process alive; an idle worker does not.
    worker.ref();
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...message, id });
    }).finally(() => {
      if (pending.size === 0 && listeners.size === 0) worker.unref();
    });
  };
  return {
    mode: 'worker',
    listRuns: (query = {}, options = {}) =>
      request<RunListResult>({ method: 'listRuns', query, revalidate: options.revalidate }),
    lookup: (runId) => request<RunLookup>({ method: 'lookup', runId }),
    runDetails: (runId) => request<RunDetailsResult>({ method: 'runDetails', runId }),
    mlflowRegistries: () => request<MlflowRegistryListing>({ method: 'mlflowRegistries' }),
    series: (runId, names, maxPoints, window) =>
      request<RunSeriesResponse>({ method: 'series', runId, names, maxPoints, window }),
    git: {
      state: (cwd) => request({ method: 'git', call: 'state', cwd }),
      repoState: (cwd) => request({ method: 'git', call: 'repoState', cwd }),
      changedFiles: (cwd, from, to) => request({ method: 'git', call: 'changedFiles', cwd, from, to }),
    },
    async follow(runId, names, listener, maxPoints) {
      const id = nextId++;
      listeners.set(id, listener);
      await request<number>({ method: 'follow', runId, names, id, maxPoints });
      return {
        dispose() {
          listeners.delete(id);
          void request({ method: 'unfollow', subscription: id });
        },
      };
    },
    dispose() {
      listeners.clear();
      // A request still waiting (a run's git state, say) must fail, not wait forever.
      for (const waiting of pending.values()) waiting.reject(new Error('the run index worker was closed'));
      pending.clear();
      void worker.terminate();
    },
  };
}
