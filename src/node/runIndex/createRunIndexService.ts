import { dirname } from 'node:path';
import type { Clock, Disposable, FileSystem, Logger } from '../../engine/ports';
import { problemAt, type Problem } from '../../engine/problems';
import { buildRunIndex, readerForKey } from '../../engine/runIndex/buildRunIndex';
import {
  findRun,
  type IndexedRun,
  queryRuns,
  type RunLookup,
  type RunQuery,
} from '../../engine/runIndex/queryRunIndex';
import type { RunIndexBuildStats, RunIndexSnapshot } from '../../engine/runIndex/runIndexModel';
import { statCanVouch } from '../../engine/racyWindow';
import type { MetricSeries, RunReader, RunStoreLocation, RunSummary } from '../../engine/runs/model';
import { downsampleSeries } from '../../engine/series/downsampleSeries';
import { concatSeries } from '../../engine/series/seriesBuilder';
import { isTailableReader, type SeriesTail, type SeriesTailUpdate } from '../../engine/series/seriesTail';
import { nodeFileSystem } from '../nodeFileSystem';
import { createAllRunReaders } from '../readers/allRunReaders';
import { readIndexedMlflowRegistries } from '../readers/mlflowSqlite/readMlflowRegistry';
import type { MlflowSqliteReader } from '../readers/mlflowSqliteReader';
import type { MlflowRegistryListing } from '../../engine/readers/mlflow/registryModel';
import { systemClock } from '../systemTime';
import { loadRunIndexCache, runIndexCachePath, saveRunIndexCache } from './runIndexCache';
import {
  fingerprintPaths,
  loadSeriesCache,
  SERIES_CACHE_MIN_POINTS,
  saveSeriesCache,
  seriesCachePath,
} from './seriesCache';
import { findRunsStreaming, listRunsStreaming } from './streamRunIndex';
import { watchRunFiles } from './watchRunFiles';

/** How often a run followed by re-reading (mlc's own) is read again at most while it writes. */
export const REREAD_INTERVAL_MS = 250;

export interface RunIndexServiceOptions {
  readonly workspaceRoot: string;
  readonly fs?: FileSystem;
  readonly readers?: readonly RunReader[];
  /** Where the index is cached; `false` keeps it in memory only. */
  readonly cachePath?: string | false;
  readonly skip?: readonly string[];
  readonly logger?: Logger;
  readonly staleAfterMs?: number;
  /** See BuildRunIndexOptions.racyWindowMs (tests that rewrite files and reopen at once). */
  readonly racyWindowMs?: number;
  /** Stamps each build's start, which the racy rule judges fingerprints by (tests move it ahead). */
  readonly clock?: Clock;
}

export interface RunListResult {
  readonly runs: readonly RunSummary[];
  /** Problems of stores that could not be read at all (a run's own problems are on the run). */
  readonly problems: readonly Problem[];
  readonly stats: RunIndexBuildStats;
}

export interface RunSeriesResponse {
  readonly runId: string;
  readonly series: Readonly<Record<string, MetricSeries>>;
  readonly problems: readonly Problem[];
}

export interface FollowUpdate extends SeriesTailUpdate {
  readonly runId: string;
}

/** Downsampling of a series request: the x column its buckets use and the visible range (a zoom). */
export interface SeriesWindow {
  readonly x: 'step' | 'timestamp';
  readonly range?: { readonly min: number; readonly max: number };
}

/** Each series reduced to `maxPoints` over the window (see downsampleSeries); as is without maxPoints. */
function downsampleAll(
  series: Readonly<Record<string, MetricSeries>>,
  maxPoints: number | undefined,
  window?: SeriesWindow,
): Record<string, MetricSeries> {
  const shaped: Record<string, MetricSeries> = {};
  for (const [name, values] of Object.entries(series)) {
    shaped[name] =
      maxPoints === undefined && !window?.range
        ? values
        : downsampleSeries(values, { maxPoints, x: window?.x, range: window?.range });
  }
  return shaped;
}

/**
 * The run index for one workspace, in the current thread: revalidates the cached index on every
 * `listRuns` (cheap when nothing changed), reads series incrementally (a run asked for twice is
 * read from where the previous read stopped), and follows live runs through file watches. The
 * extension reaches it through a worker (createRunIndexClient); the CLI calls it directly.
 */
export function createRunIndexService(options: RunIndexServiceOptions) {
  const fs = options.fs ?? nodeFileSystem;
  const clock = options.clock ?? systemClock;
  const owned = options.readers
    ? undefined
    : createAllRunReaders({ workspaceRoot: options.workspaceRoot, staleAfterMs: options.staleAfterMs });
  const readers = options.readers ?? owned!.readers;
  const cachePath = options.cachePath === undefined ? runIndexCachePath(options.workspaceRoot) : options.cachePath;
  let snapshot: RunIndexSnapshot | undefined;
  let lastStats: RunIndexBuildStats | undefined;
  /** The build under way, and the one that follows it for the callers that came meanwhile. */
  let building: Promise<RunIndexSnapshot> | undefined;
  let nextBuild: Promise<RunIndexSnapshot> | undefined;
  const seriesCache = new Map<string, { tail: SeriesTail; series: Record<string, MetricSeries> }>();
  const follows = new Set<Disposable>();
  /** A follow's subscription: disposing it stops its file watch; dispose() of the service stops them all. */
  const trackFollow = (watch: Disposable): Disposable => {
    const subscription = {
      dispose() {
        watch.dispose();
        follows.delete(subscription);
      },
    };
    follows.add(subscription);
    return subscription;
  };

  /**
   * The index as of no earlier than this call. A build already under way began before the call,
   * so it may have missed the change the caller was told of (a run's last write, a new run): the
   * caller waits for it and then for one more build, which every caller that arrives meanwhile
   * shares, so a burst of changes costs two builds, never one per caller.
   */
  function refresh(signal?: AbortSignal): Promise<RunIndexSnapshot> {
    if (nextBuild) return nextBuild;
    if (!building) return startBuild(signal);
    // The current build's failure is its own callers' to see; this one builds again regardless.
    nextBuild = building
      .catch(() => undefined)
      .then(() => {
        nextBuild = undefined;
        return startBuild(signal);
      });
    return nextBuild;
  }

  function startBuild(signal: AbortSignal | undefined): Promise<RunIndexSnapshot> {
    const build = (async () => {
      const previous = snapshot ?? (cachePath ? loadRunIndexCache(cachePath) : undefined);
      const result = await buildRunIndex({
        fs,
        root: options.workspaceRoot,
        readers,
        previous,
        skip: options.skip,
        signal,
        clock,
        racyWindowMs: options.racyWindowMs,
      });
      lastStats = result.stats;
      if (cachePath && !result.isUnchanged && !signal?.aborted) saveRunIndexCache(cachePath, result.snapshot);
      snapshot = result.snapshot;
      options.logger?.debug('run index refreshed', result.stats);
      return result.snapshot;
    })();
    building = build;
    const settled = () => {
      if (building === build) building = undefined;
    };
    build.then(settled, settled);
    return build;
  }

  /**
   * Runs a streamed lookup found (lookupRuns with `holdIndex: false`), by their id: the series and
   * details of those runs are asked for next, and need no index.
   */
  const streamedFinds = new Map<string, IndexedRun>();

  /** Uses the current index when it knows the run; refreshes only for an id it does not know. */
  async function lookup(runId: string): Promise<RunLookup> {
    const known = snapshot ? findRun(snapshot, runId) : undefined;
    if (known?.kind === 'found') return known;
    const streamed = snapshot ? undefined : streamedFinds.get(runId);
    if (streamed) return { kind: 'found', found: streamed };
    return findRun(await refresh(), runId);
  }

  /**
   * Each id looked up as `lookup` does. `holdIndex: false`, for a caller that looks up once (`mlc
   * show`, `metrics`, `compare`): unless the index is already in memory, all the ids are found in
   * one pass streamed beside the walk (streamRunIndex.ts), and only the runs found are kept.
   */
  async function lookupRuns(
    runIds: readonly string[],
    asked: { readonly holdIndex?: boolean } = {},
  ): Promise<RunLookup[]> {
    if (asked.holdIndex !== false || snapshot || building) {
      const lookups: RunLookup[] = [];
      for (const runId of runIds) lookups.push(await lookup(runId));
      return lookups;
    }
    const { lookups, stats } = await findRunsStreaming(streamOptions(), runIds);
    lastStats = stats;
    for (const found of lookups) if (found.kind === 'found') streamedFinds.set(found.found.run.id, found.found);
    return lookups;
  }

  /** The options of a pass streamed beside the walk (listRuns and lookupRuns without an index held). */
  const streamOptions = () => ({
    workspaceRoot: options.workspaceRoot,
    readers,
    cachePath,
    fs,
    skip: options.skip,
    clock,
    racyWindowMs: options.racyWindowMs,
  });

  /** The run and its reader, or the problem that says why there is none (never an empty answer). */
  async function runAndReader(runId: string) {
    const found = await lookup(runId);
    if (found.kind !== 'found') return { problem: runLookupProblem(options.workspaceRoot, runId, found) };
    const { run, store } = found.found;
    const reader = readerForKey(readers, store.readerKey);
    if (!reader) {
      const message = `Run ${run.id} was indexed by a reader (${store.readerKey}) this mlc no longer has; refresh the run index.`;
      return { problem: problemAt(store.store.path, undefined, 'error', 'runReaderMissing', message) };
    }
    return { run, store, reader };
  }

  async function readSeries(
    runId: string,
    names?: readonly string[],
    maxPoints?: number,
    window?: SeriesWindow,
  ): Promise<RunSeriesResponse> {
    const found = await runAndReader(runId);
    if (found.problem) return { runId, series: {}, problems: [found.problem] };
    const { run, store, reader } = found;
    let series: Record<string, MetricSeries>;
    let problems: readonly Problem[];
    const onDisk = cachePath ? seriesCachePath(dirname(cachePath), run.id, names) : undefined;
    const key = `${run.id}\n${(names ?? []).join('\n')}`;
    const fromDisk = onDisk && !seriesCache.has(key) ? loadSeriesCache(onDisk, run.id) : undefined;
    if (fromDisk) {
      series = fromDisk;
      problems = [];
    } else if (isTailableReader(reader)) {
      let cached = seriesCache.get(key);
      const isFirstRead = !cached;
      if (!cached) {
        cached = { tail: reader.createTail(store.store, run.id, names), series: {} };
        seriesCache.set(key, cached);
        if (seriesCache.size > 32) seriesCache.delete(seriesCache.keys().next().value!);
      }
      // Before the read: the racy rule's moment for the fingerprints the series is kept with.
      const readStartedMs = clock.now();
      const update = cached.tail.poll({ fs });
      cached.series = mergeUpdate(cached.series, update);
      series = cached.series;
      problems = update.problems;
      const points = Object.values(series).reduce((total, values) => total + values.steps.length, 0);
      if (onDisk && isFirstRead && points >= SERIES_CACHE_MIN_POINTS && run.status !== 'running') {
        // Taken after the read, so kept only when every file changed before the racy window of the
        // read's start (statCanVouch): then none changed during the read, nor can change later
        // without changing its fingerprint. Otherwise the next process reads the series again.
        const inputs = fingerprintPaths(cached.tail.watchedPaths());
        if (inputs.every((input) => statCanVouch(input, readStartedMs))) {
          saveSeriesCache(onDisk, run.id, names, inputs, series);
        }
      }
    } else {
      const result = await reader.series(store.store, run.id, { fs }, names);
      series = { ...result.series };
      problems = result.problems;
    }
    return { runId: run.id, series: downsampleAll(series, maxPoints, window), problems };
  }

  /**
   * Calls `listener` with the whole series first (a reset), then with each batch of appended
   * points. With `maxPoints`, a batch longer than that (the first one, usually) is downsampled
   * here, so a long run reaches a chart at its pixel width.
   */
  async function follow(
    runId: string,
    names: readonly string[] | undefined,
    listener: (update: FollowUpdate) => void,
    maxPoints?: number,
  ): Promise<Disposable> {
    const found = await runAndReader(runId);
    if (found.problem) {
      listener({ runId, reset: true, series: {}, problems: [found.problem] });
      return { dispose: () => undefined };
    }
    const { run, store, reader } = found;
    if (!isTailableReader(reader)) return followByRereading(run, store.store, reader, names, listener, maxPoints);
    const tail = reader.createTail(store.store, run.id, names);
    const shaped = (update: SeriesTailUpdate) => ({
      ...update,
      series: downsampleAll(
        update.series,
        maxPoints !== undefined && Object.values(update.series).some((values) => values.steps.length > maxPoints)
          ? maxPoints
          : undefined,
      ),
    });
    const first = tail.poll({ fs });
    listener({ runId: run.id, ...shaped(first), reset: true });
    const watch = watchRunFiles(
      () => tail.watchedPaths(),
      () => {
        const update = tail.poll({ fs });
        if (update.reset || Object.keys(update.series).length > 0 || update.problems.length > 0) {
          listener({ runId: run.id, ...shaped(update) });
        }
      },
    );
    return trackFollow(watch);
  }

  /**
   * Follows a run whose reader cannot read incrementally (mlc's own runs: metrics.jsonl, re-read
   * whole; it holds a stage's plot rows, so it stays small): the series again, downsampled, after
   * changes in the run's folder (at most every REREAD_INTERVAL_MS), as a reset, and only when a
   * series grew or shrank.
   */
  async function followByRereading(
    run: RunSummary,
    store: RunStoreLocation,
    reader: RunReader,
    names: readonly string[] | undefined,
    listener: (update: FollowUpdate) => void,
    maxPoints?: number,
  ): Promise<Disposable> {
    let lastShape: string | undefined;
    let reading: Promise<void> | undefined;
    let again = false;
    let disposed = false;
    const deliver = async (): Promise<void> => {
      const result = await reader.series(store, run.id, { fs }, names);
      const shape = Object.entries(result.series)
        .map(([name, values]) => `${name}:${values.steps.length}`)
        .join('\n');
      if (disposed || (shape === lastShape && result.problems.length === 0)) return;
      lastShape = shape;
      listener({
        runId: run.id,
        reset: true,
        series: downsampleAll(result.series, maxPoints),
        problems: result.problems,
      });
    };
    // A run that writes fast (a plot row every few ms) changes its folder hundreds of times a
    // second, and each reading sends the whole series (thousands of points) to the extension host
    // and on to the chart: reads start at most every REREAD_INTERVAL_MS. The first change after a
    // quiet spell is read at once; changes that land meanwhile (or while a read is in flight) are
    // read together once the interval is over, so the last state always arrives.
    let lastReadAt = Number.NEGATIVE_INFINITY;
    let waiting: ReturnType<typeof setTimeout> | undefined;
    const read = () => {
      waiting = undefined;
      if (disposed) return;
      lastReadAt = Date.now();
      reading = deliver().finally(() => {
        reading = undefined;
        if (again) {
          again = false;
          onChange();
        }
      });
    };
    const onChange = () => {
      if (reading) {
        again = true;
        return;
      }
      if (waiting) return;
      const wait = lastReadAt + REREAD_INTERVAL_MS - Date.now();
      if (wait > 0) waiting = setTimeout(read, wait);
      else read();
    };
    await deliver();
    lastReadAt = Date.now();
    const watch = watchRunFiles(() => [run.location], onChange);
    return trackFollow({
      dispose() {
        disposed = true;
        if (waiting) clearTimeout(waiting);
        watch.dispose();
      },
    });
  }

  const sqliteReader = readers.find((reader): reader is MlflowSqliteReader => 'registry' in reader);

  return {
    refresh,
    /** The model registries of the MLflow stores found (mlruns/models/, mlflow.db), in store order. */
    async mlflowRegistries(signal?: AbortSignal): Promise<MlflowRegistryListing> {
      return readIndexedMlflowRegistries(await refresh(signal), { fs, signal }, sqliteReader);
    },
    /**
     * Runs newest first. `revalidate: false` answers from the index as last built (in memory, else
     * the on-disk cache) without checking any file, so a reopened window paints at once; the caller
     * then asks again with validation (the default) and repaints if anything changed.
     * `holdIndex: false`, for a caller that lists once (`mlc runs`): unless the index is already
     * in memory, it is not kept there, and the listing's memory is the answer's.
     */
    async listRuns(
      query: RunQuery = {},
      listing: { readonly revalidate?: boolean; readonly holdIndex?: boolean } = {},
    ): Promise<RunListResult> {
      if (listing.holdIndex === false && !snapshot && !building) {
        // One listing and no more (`mlc runs`): the index streams from the cache to the new cache
        // beside the walk, and only the answer is kept (streamRunIndex.ts).
        const result = await listRunsStreaming(streamOptions(), query);
        lastStats = result.stats;
        return result;
      }
      if (listing.revalidate === false) {
        snapshot ??= cachePath ? loadRunIndexCache(cachePath) : undefined;
      }
      const current = listing.revalidate === false && snapshot ? snapshot : await refresh();
      const problems = current.stores.filter((store) => store.runs.length === 0).flatMap((store) => store.problems);
      const stats = lastStats ?? {
        folders: Object.keys(current.folders).length,
        foldersReused: 0,
        stores: current.stores.length,
        storesReused: current.stores.length,
        runs: current.stores.reduce((total, store) => total + store.runs.length, 0),
      };
      return { runs: queryRuns(current, query), problems, stats };
    },
    lookup,
    lookupRuns,
    series: readSeries,
    follow,
    dispose() {
      for (const subscription of [...follows]) subscription.dispose();
      seriesCache.clear();
      owned?.dispose();
    },
  };
}

export type RunIndexService = ReturnType<typeof createRunIndexService>;

function mergeUpdate(previous: Record<string, MetricSeries>, update: SeriesTailUpdate): Record<string, MetricSeries> {
  if (update.reset) return { ...update.series };
  const merged = { ...previous };
  for (const [name, added] of Object.entries(update.series)) {
    const base = merged[name];
    merged[name] = base ? concatSeries(base, added) : added;
  }
  return merged;
}

/** Why a run id names no run: unknown (with near matches) or ambiguous (with the candidates). */
function runLookupProblem(
  workspaceRoot: string,
  runId: string,
  lookup: Exclude<RunLookup, { kind: 'found' }>,
): Problem {
  const message =
    lookup.kind === 'ambiguous'
      ? `Run id ${runId} matches several runs (${lookup.candidates.join(', ')}); give more of it.`
      : `No run ${runId} in this workspace${lookup.nearMatches.length > 0 ? ` (did you mean ${lookup.nearMatches.join(', ')}?)` : ''}.`;
  return problemAt(workspaceRoot, undefined, 'error', 'runNotFound', message);
}
