import * as fs from 'node:fs';
import { join } from 'node:path';
import type { Problem } from '../../engine/problems';
import type {
  DetectedStore,
  IndexedFolder,
  IndexedStore,
  RunIndexSnapshot,
  StoreInputs,
} from '../../engine/runIndex/runIndexModel';
import { RUN_INDEX_VERSION } from '../../engine/runIndex/runIndexModel';
import { STAT_FIELDS } from '../../engine/runIndex/storeInputs';
import type { RunSummary } from '../../engine/runs/model';
import { writeFileAtomicSync } from '../nodeFileSystem';

/** Where a workspace's run index is cached. */
export function runIndexCachePath(workspaceRoot: string): string {
  return join(workspaceRoot, '.mlc', 'cache', 'run-index.jsonl');
}

/** The cache of mlc before format 4 (one JSON document): removed when the new one is written. */
const LEGACY_CACHE_NAME = 'run-index.json';

/**
 * The cache file is JSON Lines, read one line at a time so that reopening a large workspace never
 * holds the whole text, a parsed copy of it and the snapshot together (the peak of format 3 was
 * three times the index):
 *
 *   1. header: `{format, version, root, readersKey, builtAt}`;
 *   2. the path table: every distinct folder path, store path and input file name the index
 *      names, once (`metrics.csv` of every run is one entry), folders absolute: JSON.parse makes
 *      each one a flat string, where joining the root to a relative path made a rope that every
 *      hash and property lookup of a reopen had to flatten first (and kept both alive); an
 *      input's folder is the same string as that folder's entry, in memory too;
 *   3. the folders: `[path, mtimeMs, ctimeMs, ino, descend, subfolders, [readerKey, source,
 *      path]...]`;
 *   4. one line per store: `[readerKey, source, path, isLive, files, absent, problems, runs,
 *      nonFinite]`, where `files` is flat `folder, name, kind, size, mtimeMs, ctimeMs, ino`
 *      septuples, `absent` flat `folder, name` pairs of the paths that were absent (StoreInputs,
 *      packed as in memory), and the runs are stored in their final shape, so JSON.parse builds
 *      them directly;
 *   5. trailer: `{"stores": <count>}`: a file without it is truncated and not used.
 *
 * JSON has no NaN or infinities, which metrics and params can hold: they are written as null and
 * listed in `nonFinite` as `[run, field (0 params, 1 metrics), key, "NaN" | "Infinity" | "-Infinity"]`.
 * Paths in the table are numbers in the other lines.
 */
// 7: inputs as folder and name, ctime in every stat (6 had ctime without the packed inputs, a
// short-lived development format; 5: absolute paths in the path table; 4: relative to the root; 3:
// one compact JSON document). A cache of another format is rebuilt.
const CACHE_FORMAT = 7;
/** A present input in a store line: its folder and name (path numbers), then its STAT_FIELDS. */
const FILE_FIELDS = 2 + STAT_FIELDS;

interface CacheHeader {
  readonly format: typeof CACHE_FORMAT;
  readonly version: typeof RUN_INDEX_VERSION;
  readonly root: string;
  readonly readersKey: string;
  readonly builtAt: number;
}

type FolderLine = [
  path: number,
  mtimeMs: number,
  ctimeMs: number,
  ino: number,
  descend: 0 | 1,
  subfolders: readonly string[],
  ...stores: [readerKey: string, source: string, path: number][],
];

type NonFinite = [run: number, field: 0 | 1, key: string, value: string];

type StoreLine = [
  readerKey: string,
  source: string,
  path: number,
  isLive: 0 | 1,
  files: readonly number[],
  absent: readonly number[],
  problems: readonly Problem[],
  runs: readonly RunSummary[],
  nonFinite: readonly NonFinite[],
];

interface CacheTrailer {
  readonly stores: number;
}

/** The cache's lines, in order (each a JSON text without a newline). */
export function* serializeRunIndex(snapshot: RunIndexSnapshot): Generator<string> {
  const root = snapshot.root;
  const pathIndex = new Map<string, number>();
  const paths: string[] = [];
  const indexOf = (path: string) => {
    let index = pathIndex.get(path);
    if (index === undefined) {
      index = paths.push(path) - 1;
      pathIndex.set(path, index);
    }
    return index;
  };
  // Kept as its text until written: the arrays of every folder are not kept alive meanwhile.
  const foldersLine = JSON.stringify(
    Object.entries(snapshot.folders).map(([path, folder]): FolderLine => [
      indexOf(path),
      folder.mtimeMs,
      folder.ctimeMs,
      folder.ino,
      folder.descend ? 1 : 0,
      folder.subfolders,
      ...folder.stores.map((found): [string, string, number] => [
        found.readerKey,
        found.store.source,
        indexOf(found.store.path),
      ]),
    ]),
  );
  // Every path gets its number before the path table is written, but each store's line is made
  // only when it is written: the lines of 100,000 stores (and their file arrays) are never alive
  // together, on top of the index they are made from.
  for (const store of snapshot.stores) {
    for (const path of store.inputs.present) indexOf(path);
    for (const path of store.inputs.absent) indexOf(path);
    indexOf(store.store.path);
  }
  const header: CacheHeader = {
    format: CACHE_FORMAT,
    version: snapshot.version,
    root,
    readersKey: snapshot.readersKey,
    builtAt: snapshot.builtAt,
  };
  yield JSON.stringify(header);
  yield JSON.stringify(paths);
  yield foldersLine;
  for (const store of snapshot.stores) {
    const { present, stats } = store.inputs;
    const files: number[] = [];
    for (let index = 0; index * 2 < present.length; index++) {
      files.push(indexOf(present[index * 2]!), indexOf(present[index * 2 + 1]!));
      for (let field = 0; field < STAT_FIELDS; field++) files.push(stats[index * STAT_FIELDS + field]!);
    }
    const absent = store.inputs.absent.map(indexOf);
    const line: StoreLine = [
      store.readerKey,
      store.store.source,
      indexOf(store.store.path),
      store.isLive ? 1 : 0,
      files,
      absent,
      store.problems,
      store.runs,
      NO_NON_FINITE,
    ];
    const text = JSON.stringify(line);
    // JSON writes NaN and the infinities as null, so only a line with a null can hold one: the
    // other lines (nearly all) spare a look at every param and metric.
    yield text.includes('null') ? JSON.stringify(withNonFinite(line, nonFiniteValues(store.runs))) : text;
  }
  const trailer: CacheTrailer = { stores: snapshot.stores.length };
  yield JSON.stringify(trailer);
}

const NO_NON_FINITE: readonly NonFinite[] = [];

function withNonFinite(line: StoreLine, nonFinite: readonly NonFinite[]): StoreLine {
  const [readerKey, source, path, isLive, files, absent, problems, runs] = line;
  return [readerKey, source, path, isLive, files, absent, problems, runs, nonFinite];
}

function nonFiniteValues(runs: readonly RunSummary[]): NonFinite[] {
  const found: NonFinite[] = [];
  const look = (position: number, field: 0 | 1, record: Readonly<Record<string, unknown>>) => {
    for (const key in record) {
      const value = record[key];
      if (typeof value === 'number' && !Number.isFinite(value)) found.push([position, field, key, String(value)]);
    }
  };
  for (let position = 0; position < runs.length; position++) {
    look(position, 0, runs[position]!.params);
    look(position, 1, runs[position]!.metrics);
  }
  return found;
}

const NON_FINITE: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
};

/**
 * Rebuilds the snapshot from the cache's lines (any iterable: the file is read a chunk at a time),
 * or undefined when the lines are not a whole cache of this format and index version.
 */
export function deserializeRunIndex(lines: Iterable<string>): RunIndexSnapshot | undefined {
  try {
    return readLines(lines[Symbol.iterator]());
  } catch {
    // A line that is not JSON, or not of the shape written: the cache is rebuilt.
    return undefined;
  }
}

function readLines(lines: Iterator<string>): RunIndexSnapshot | undefined {
  const next = () => {
    const line = lines.next();
    if (line.done) throw new Error('truncated');
    return JSON.parse(line.value) as unknown;
  };
  const header = next() as CacheHeader;
  if (header?.format !== CACHE_FORMAT || header.version !== RUN_INDEX_VERSION) return undefined;
  const root = header.root;
  const paths = next() as string[];
  if (!Array.isArray(paths)) return undefined;
  const pathAt = (index: number) => {
    const path = paths[index];
    if (path === undefined) throw new Error(`no path ${index}`);
    return path;
  };
  // The lines are read by index, not destructured: a destructuring with a rest element runs the
  // array iterator for every folder, and the reopen reads 10,000s of them.
  const folders: Record<string, IndexedFolder> = {};
  for (const line of next() as FolderLine[]) {
    const stores: DetectedStore[] = [];
    for (let index = 6; index < line.length; index++) {
      const found = line[index] as FolderLine[6];
      stores.push({
        readerKey: found[0],
        store: { source: found[1] as DetectedStore['store']['source'], path: pathAt(found[2]) },
      });
    }
    folders[pathAt(line[0])] = {
      mtimeMs: line[1],
      ctimeMs: line[2],
      ino: line[3],
      subfolders: line[5],
      stores,
      descend: line[4] === 1,
    };
  }
  const stores: IndexedStore[] = [];
  for (;;) {
    const line = next();
    if (!Array.isArray(line)) {
      // The trailer: the count proves no store line went missing.
      return (line as CacheTrailer | null)?.stores === stores.length
        ? { version: RUN_INDEX_VERSION, root, readersKey: header.readersKey, builtAt: header.builtAt, folders, stores }
        : undefined;
    }
    const storeLine = line as StoreLine;
    const runs = storeLine[7];
    const files = storeLine[4];
    const absent = storeLine[5];
    const nonFinite = storeLine[8];
    if (!Array.isArray(runs) || !Array.isArray(files) || !Array.isArray(absent)) return undefined;
    for (const [run, field, key, value] of nonFinite) {
      const record = (field === 0 ? runs[run]?.params : runs[run]?.metrics) as Record<string, unknown> | undefined;
      if (record) record[key] = NON_FINITE[value] ?? Number.NaN;
    }
    if (files.length % FILE_FIELDS !== 0 || absent.length % 2 !== 0) return undefined;
    const inputs = readInputs(files, absent, pathAt);
    stores.push({
      readerKey: storeLine[0],
      store: { source: storeLine[1] as DetectedStore['store']['source'], path: pathAt(storeLine[2]) },
      runs,
      problems: storeLine[6],
      inputs,
      isLive: storeLine[3] === 1,
    });
  }
}

/** A store line's inputs in their packed form, the strings taken from the path table (shared). */
function readInputs(
  files: readonly number[],
  absentPaths: readonly number[],
  pathAt: (index: number) => string,
): StoreInputs {
  const count = files.length / FILE_FIELDS;
  // Arrays of their final length, filled by index: the numbers are held unboxed, with no slack.
  const present = new Array<string>(count * 2);
  const stats = new Array<number>(count * STAT_FIELDS);
  for (let index = 0; index < count; index++) {
    const at = index * FILE_FIELDS;
    present[index * 2] = pathAt(files[at]!);
    present[index * 2 + 1] = pathAt(files[at + 1]!);
    for (let field = 0; field < STAT_FIELDS; field++) {
      const value = files[at + 2 + field];
      if (typeof value !== 'number') throw new Error('not a number');
      stats[index * STAT_FIELDS + field] = value;
    }
  }
  const absent = new Array<string>(absentPaths.length);
  for (let at = 0; at < absentPaths.length; at++) absent[at] = pathAt(absentPaths[at]!);
  return { present, stats, absent };
}

const READ_CHUNK_BYTES = 1 << 20;

/**
 * The lines of a file, read a chunk at a time: only the line being parsed and one chunk are held,
 * never the whole text.
 */
function* fileLines(descriptor: number): Generator<string> {
  let buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
  let filled = 0;
  for (;;) {
    if (filled === buffer.length) {
      // A line longer than the buffer (the path table of a large index): grow it.
      const larger = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(larger, 0, 0, filled);
      buffer = larger;
    }
    const read = fs.readSync(descriptor, buffer, filled, buffer.length - filled, null);
    if (read === 0) {
      if (filled > 0) yield buffer.toString('utf8', 0, filled);
      return;
    }
    const end = filled + read;
    let start = 0;
    for (
      let newline = buffer.indexOf(10, filled);
      newline !== -1 && newline < end;
      newline = buffer.indexOf(10, start)
    ) {
      yield buffer.toString('utf8', start, newline);
      start = newline + 1;
    }
    buffer.copy(buffer, 0, start, end);
    filled = end - start;
  }
}

/** The cached index, or undefined when there is none or it is unreadable (then it is rebuilt). */
export function loadRunIndexCache(path: string): RunIndexSnapshot | undefined {
  let descriptor: number;
  try {
    descriptor = fs.openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    return deserializeRunIndex(fileLines(descriptor));
  } catch {
    // A read error mid-file (EIO, EISDIR): the index is rebuilt.
    return undefined;
  } finally {
    fs.closeSync(descriptor);
  }
}

const WRITE_CHUNK_CHARS = 1 << 20;

/** Written atomically (temp file, fsync, rename): a crash never leaves a half-written cache. */
export function saveRunIndexCache(path: string, snapshot: RunIndexSnapshot): boolean {
  try {
    writeFileAtomicSync(path, joinedChunks(serializeRunIndex(snapshot)));
    fs.rmSync(join(path, '..', LEGACY_CACHE_NAME), { force: true });
    return true;
  } catch {
    // A read-only workspace still works; it only loses the speed-up of the cache.
    return false;
  }
}

/** Lines joined into chunks of about a MiB, each line ended by a newline. */
function* joinedChunks(lines: Iterable<string>): Generator<string> {
  let pending: string[] = [];
  let length = 0;
  for (const line of lines) {
    pending.push(line);
    length += line.length + 1;
    if (length >= WRITE_CHUNK_CHARS) {
      yield `${pending.join('\n')}\n`;
      pending = [];
      length = 0;
    }
  }
  if (pending.length > 0) yield `${pending.join('\n')}\n`;
}
