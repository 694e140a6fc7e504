import * as fs from 'node:fs';
import { join } from 'node:path';
import type { Problem } from '../../engine/problems';
import type {
  DetectedStore,
  FileFingerprint,
  IndexedFolder,
  IndexedStore,
  RunIndexSnapshot,
} from '../../engine/runIndex/runIndexModel';
import { RUN_INDEX_VERSION } from '../../engine/runIndex/runIndexModel';
import type { ParamValue, RunSummary } from '../../engine/runs/model';
import { writeFileAtomicSync } from '../nodeFileSystem';

/** Where a workspace's run index is cached. */
export function runIndexCachePath(workspaceRoot: string): string {
  return join(workspaceRoot, '.mlc', 'cache', 'run-index.json');
}

/**
 * The cache file is a compact JSON form of the snapshot, because reopening a 10,000-run workspace
 * is dominated by parsing it: paths are stored relative to the workspace root, file fingerprints
 * as tuples, and the key lists of params and metrics once in a table (runs of one project share
 * them) with each run holding only its values. JSON has no NaN or infinities, which metrics can
 * hold, so non-finite numbers are written as `["NaN"]`, `["Infinity"]`, `["-Infinity"]`.
 */
// 3: builtAt is when the build began (earlier caches stamped its end, too late to judge racy mtimes).
const CACHE_FORMAT = 3;
const KINDS: readonly FileFingerprint['kind'][] = ['file', 'directory', 'other', 'absent'];

type InputTuple = [path: string, kind: number, size: number, mtimeMs: number, ino: number];
type KeyedValues = [keySet: number, values: unknown[]];

interface CompactRun extends Omit<RunSummary, 'params' | 'metrics' | 'location' | 'problems'> {
  readonly params: KeyedValues;
  readonly metrics: KeyedValues;
  readonly location: string;
  readonly problems?: readonly Problem[];
}

interface CompactStore {
  readonly readerKey: string;
  readonly source: DetectedStore['store']['source'];
  readonly path: string;
  readonly runs: readonly CompactRun[];
  readonly problems: readonly Problem[];
  readonly inputs: readonly InputTuple[];
  readonly isLive: boolean;
}

interface CompactIndex {
  readonly format: typeof CACHE_FORMAT;
  readonly version: typeof RUN_INDEX_VERSION;
  readonly root: string;
  readonly readersKey: string;
  readonly builtAt: number;
  readonly keySets: readonly (readonly string[])[];
  /** [relative path, mtimeMs, ino, subfolders, stores (readerKey, source, relative path), descend]. */
  readonly folders: readonly [
    string,
    number,
    number,
    readonly string[],
    readonly [string, string, string][],
    boolean,
  ][];
  readonly stores: readonly CompactStore[];
}

export function serializeRunIndex(snapshot: RunIndexSnapshot): string {
  const root = snapshot.root;
  const toRelative = (path: string) =>
    path === root ? '' : path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
  const keySets: string[][] = [];
  const keySetIndex = new Map<string, number>();
  const keyed = (record: Readonly<Record<string, unknown>>): KeyedValues => {
    const keys = Object.keys(record);
    const signature = keys.join('\u0000');
    let index = keySetIndex.get(signature);
    if (index === undefined) {
      index = keySets.push(keys) - 1;
      keySetIndex.set(signature, index);
    }
    return [index, keys.map((key) => encodeNumber(record[key]))];
  };
  const compact: CompactIndex = {
    format: CACHE_FORMAT,
    version: snapshot.version,
    root,
    readersKey: snapshot.readersKey,
    builtAt: snapshot.builtAt,
    keySets,
    folders: Object.entries(snapshot.folders).map(([path, folder]) => [
      toRelative(path),
      folder.mtimeMs,
      folder.ino,
      folder.subfolders,
      folder.stores.map((found): [string, string, string] => [
        found.readerKey,
        found.store.source,
        toRelative(found.store.path),
      ]),
      folder.descend,
    ]),
    stores: snapshot.stores.map((store) => ({
      readerKey: store.readerKey,
      source: store.store.source,
      path: toRelative(store.store.path),
      runs: store.runs.map((run) => ({
        ...run,
        location: toRelative(run.location),
        params: keyed(run.params),
        metrics: keyed(run.metrics),
      })),
      problems: store.problems,
      inputs: store.inputs.map((input): InputTuple => [
        toRelative(input.path),
        KINDS.indexOf(input.kind),
        input.size,
        input.mtimeMs,
        input.ino,
      ]),
      isLive: store.isLive,
    })),
  };
  return JSON.stringify(compact);
}

export function deserializeRunIndex(text: string): RunIndexSnapshot | undefined {
  let compact: CompactIndex;
  try {
    compact = JSON.parse(text) as CompactIndex;
  } catch {
    return undefined;
  }
  const isCurrent = compact?.format === CACHE_FORMAT && compact.version === RUN_INDEX_VERSION;
  if (!isCurrent || typeof compact.stores?.length !== 'number') return undefined;
  const root = compact.root;
  // One string per distinct path: a store's folder, its run's location and its input files up the
  // tree (shared by every run of a project) repeat across the index, which is kept in memory whole.
  const absolutePaths = new Map<string, string>();
  const toAbsolute = (path: string) => {
    let absolute = absolutePaths.get(path);
    if (absolute === undefined) {
      absolute = path === '' ? root : path.startsWith('/') ? path : `${root}/${path}`;
      absolutePaths.set(path, absolute);
    }
    return absolute;
  };
  const unkeyed = (pair: KeyedValues): Record<string, unknown> => {
    const keys = compact.keySets[pair[0]] ?? [];
    const record: Record<string, unknown> = {};
    for (let index = 0; index < keys.length; index++) record[keys[index]!] = decodeNumber(pair[1][index]);
    return record;
  };
  const folders: Record<string, IndexedFolder> = {};
  for (const [path, mtimeMs, ino, subfolders, stores, descend] of compact.folders) {
    folders[toAbsolute(path)] = {
      mtimeMs,
      ino,
      subfolders,
      stores: stores.map(([readerKey, source, storePath]) => ({
        readerKey,
        store: { source: source as DetectedStore['store']['source'], path: toAbsolute(storePath) },
      })),
      descend,
    };
  }
  const stores: IndexedStore[] = compact.stores.map((store) => ({
    readerKey: store.readerKey,
    store: { source: store.source, path: toAbsolute(store.path) },
    runs: store.runs.map((run) => ({
      ...run,
      location: toAbsolute(run.location),
      params: unkeyed(run.params) as Record<string, ParamValue>,
      metrics: unkeyed(run.metrics) as Record<string, number>,
    })),
    problems: store.problems,
    inputs: store.inputs.map(([path, kind, size, mtimeMs, ino]) => ({
      path: toAbsolute(path),
      kind: KINDS[kind] ?? 'absent',
      size,
      mtimeMs,
      ino,
    })),
    isLive: store.isLive,
  }));
  return {
    version: RUN_INDEX_VERSION,
    root,
    readersKey: compact.readersKey,
    builtAt: compact.builtAt,
    folders,
    stores,
  };
}

/** Non-finite numbers become a one-element array (never a param or metric value): `["NaN"]`. */
function encodeNumber(value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? [String(value)] : value;
}

const NON_FINITE: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
};

function decodeNumber(value: unknown): unknown {
  return Array.isArray(value) ? (NON_FINITE[String(value[0])] ?? Number.NaN) : value;
}

/** The cached index, or undefined when there is none or it is unreadable (then it is rebuilt). */
export function loadRunIndexCache(path: string): RunIndexSnapshot | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  return deserializeRunIndex(text);
}

/** Written atomically (temp file, fsync, rename): a crash never leaves a half-written cache. */
export function saveRunIndexCache(path: string, snapshot: RunIndexSnapshot): boolean {
  try {
    writeFileAtomicSync(path, serializeRunIndex(snapshot));
    return true;
  } catch {
    // A read-only workspace still works; it only loses the speed-up of the cache.
    return false;
  }
}
