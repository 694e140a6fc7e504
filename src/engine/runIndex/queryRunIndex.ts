import type { Problem } from '../problems';
import { editDistance } from '../text/editDistance';
import type { RunSource, RunSummary } from '../runs/model';
import type { IndexedStore, RunIndexSnapshot } from './runIndexModel';

export interface RunQuery {
  readonly source?: RunSource;
  readonly limit?: number;
}

/** A run and the store (and reader) it came from. */
export interface IndexedRun {
  readonly run: RunSummary;
  readonly store: IndexedStore;
}

/** Newest first: by start time, else end time; runs with neither last; ties by id. */
export function compareRunsNewestFirst(left: RunSummary, right: RunSummary): number {
  const leftTime = left.startedAt ?? left.endedAt ?? Number.NEGATIVE_INFINITY;
  const rightTime = right.startedAt ?? right.endedAt ?? Number.NEGATIVE_INFINITY;
  if (leftTime !== rightTime) return rightTime > leftTime ? 1 : -1;
  return left.id < right.id ? -1 : left.id > right.id ? 1 : 0;
}

export function queryRuns(snapshot: RunIndexSnapshot, query: RunQuery = {}): RunSummary[] {
  const newest = collectNewestRuns(query);
  for (const store of snapshot.stores) newest.add(store.runs);
  return newest.runs();
}

/**
 * The runs a query answers, collected as stores are met: with a limit, only the newest `limit`
 * are ever held (a listing of 100,000 runs streamed through it keeps one run for `--limit 1`).
 */
export function collectNewestRuns(query: RunQuery) {
  const limit = query.limit === undefined ? undefined : Math.max(0, query.limit);
  const kept: RunSummary[] = [];
  return {
    add(runs: readonly RunSummary[]) {
      for (const run of runs) {
        if (query.source && run.source !== query.source) continue;
        if (limit === undefined) {
          kept.push(run);
          continue;
        }
        if (kept.length === limit && (limit === 0 || compareRunsNewestFirst(run, kept[limit - 1]!) >= 0)) continue;
        // Kept sorted: the place of the new run by binary search, the oldest dropped past the limit.
        let low = 0;
        let high = kept.length;
        while (low < high) {
          const middle = (low + high) >>> 1;
          if (compareRunsNewestFirst(kept[middle]!, run) <= 0) low = middle + 1;
          else high = middle;
        }
        kept.splice(low, 0, run);
        if (kept.length > limit) kept.pop();
      }
    },
    /** Newest first. */
    runs(): RunSummary[] {
      return limit === undefined ? kept.sort(compareRunsNewestFirst) : kept;
    },
  };
}

/** Problems of stores that yielded no run (a run's own problems travel with the run). */
export function storeProblems(snapshot: RunIndexSnapshot): Problem[] {
  return snapshot.stores.flatMap((store) => store.problems);
}

export type RunLookup =
  | { readonly kind: 'found'; readonly found: IndexedRun }
  | { readonly kind: 'ambiguous'; readonly candidates: readonly string[] }
  | { readonly kind: 'missing'; readonly nearMatches: readonly string[] };

/**
 * Finds a run by id. An exact id wins; else a unique prefix (mlc's own ids are long), also after
 * the `<source>:` part; else the closest ids by edit distance, for a "did you mean" message.
 */
export function findRun(snapshot: RunIndexSnapshot, id: string): RunLookup {
  const finder = createRunFinder(id);
  for (const store of snapshot.stores) finder.add(store);
  return finder.result();
}

/** How many "did you mean" ids a missing run's lookup gives. */
const NEAR_MATCHES = 5;

/**
 * findRun as the stores are met, in index order: it keeps the matches, never the stores it was
 * shown, so a lookup streamed beside the walk (streamRunIndex.ts) holds no index.
 */
export function createRunFinder(id: string) {
  const trimmed = id.replace(/\/+$/, '');
  const nearLimit = Math.max(3, Math.floor(trimmed.length / 2));
  let exact: IndexedRun | undefined;
  let byPath: IndexedRun | undefined;
  let firstPrefixed: IndexedRun | undefined;
  const prefixedIds: string[] = [];
  /** The closest ids yet, closest first (ties by id). */
  const near: { readonly id: string; readonly distance: number }[] = [];
  return {
    add(store: IndexedStore): void {
      for (const run of store.runs) {
        if (exact) return;
        if (run.id === id) {
          exact = { run, store };
          continue;
        }
        const withoutSource = run.id.replace(/^[a-z]+:/, '');
        if (!byPath && (withoutSource === trimmed || run.id === trimmed)) byPath = { run, store };
        if (run.id.startsWith(trimmed) || withoutSource.startsWith(trimmed)) {
          firstPrefixed ??= { run, store };
          prefixedIds.push(run.id);
        }
        // Only a lookup with no other match says "did you mean".
        if (byPath || firstPrefixed) continue;
        const distance = editDistance(trimmed, run.id);
        if (distance > nearLimit && !run.id.includes(trimmed)) continue;
        near.push({ id: run.id, distance });
        near.sort((left, right) => left.distance - right.distance || (left.id < right.id ? -1 : 1));
        if (near.length > NEAR_MATCHES) near.pop();
      }
    },
    result(): RunLookup {
      const found = exact ?? byPath ?? (prefixedIds.length === 1 ? firstPrefixed : undefined);
      if (found) return { kind: 'found', found };
      if (prefixedIds.length > 1) return { kind: 'ambiguous', candidates: [...prefixedIds].sort() };
      return { kind: 'missing', nearMatches: near.map((entry) => entry.id) };
    },
  };
}
