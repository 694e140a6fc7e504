import * as fs from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Problem } from '../../engine/problems';
import type {
  DetectedStore,
  IndexedFolder,
  IndexedStore,
  RunIndexSnapshot,
  StoreInputs,
} from '../../engine/runIndex/runIndexModel';
import { RUN_INDEX_VERSION } from '../../engine/runIndex/runIndexModel';
import { storeKey } from '../../engine/runIndex/buildRunIndex';
import { joinInputPath, STAT_FIELDS } from '../../engine/runIndex/storeInputs';
import type { RunSummary } from '../../engine/runs/model';
import { writeFileAtomicSync } from '../nodeFileSystem';

/** Where a workspace's run index is cached. */
export function runIndexCachePath(workspaceRoot: string): string {
  return join(workspaceRoot, '.mlc', 'cache', 'run-index.jsonl');
}

/** The cache of mlc before format 4 (one JSON document): removed when the new one is written. */
const LEGACY_CACHE_NAME = 'run-index.json';

/**
 * The cache file is JSON Lines, written and read one line at a time: a build reads the previous
 * cache as a stream beside its walk and writes the new one as it goes (streamRunIndex.ts), so
 * neither is ever held whole; an index kept in memory (the extension's worker) reads it whole.
 *
 *   1. header: `{format, version, root, readersKey, builtAt}`;
 *   2. each folder the walk visited, in walk order (walkOrder.ts), as its line
 *      `[path, mtimeMs, ctimeMs, ino, descend, subfolders, storeLines, [readerKey, source, path]...]`
 *      followed by the `storeLines` lines of the stores its visit listed:
 *      `[readerKey, source, path, isLive, files, absent, problems, runs, nonFinite]`, where `files`
 *      is flat `folder, name, kind, size, mtimeMs, ctimeMs, ino` septuples and `absent` flat
 *      `folder, name` pairs (StoreInputs, packed as in memory), and the runs are in their final
 *      shape, so JSON.parse builds them directly;
 *   3. trailer: `{folders, stores}` (the counts): a file without it was cut short.
 *
 * A folder's path is absolute; the other paths of its lines are written from it: `.` is the folder
 * itself, `./x/y` below it, `..`, `../..`... the folders it is in (the pipeline files every store
 * looks for up the tree), anything else absolute.
 *
 * JSON has no NaN or infinities, which metrics and params can hold: they are written as null and
 * listed in `nonFinite` as `[run, field (0 params, 1 metrics), key, "NaN" | "Infinity" | "-Infinity"]`.
 */
// 8: folders in walk order, each followed by its stores, paths from the folder (7: a path table
// and every folder on one line, read whole; 6: ctime without the packed inputs, a short-lived
// development format; 5: absolute paths in the path table; 4: relative to the root; 3: one
// compact JSON document). A cache of another format is rebuilt.
const CACHE_FORMAT = 8;
/** A present input in a store line: its folder and name, then its STAT_FIELDS. */
const FILE_FIELDS = 2 + STAT_FIELDS;

export interface RunIndexCacheHeader {
  readonly format: typeof CACHE_FORMAT;
  readonly version: typeof RUN_INDEX_VERSION;
  readonly root: string;
  readonly readersKey: string;
  readonly builtAt: number;
}

type FolderLine = [
  path: string,
  mtimeMs: number,
  ctimeMs: number,
  ino: number,
  descend: 0 | 1,
  subfolders: readonly string[],
  storeLines: number,
  ...stores: [readerKey: string, source: string, path: string][],
];

type NonFinite = [run: number, field: 0 | 1, key: string, value: string];

type StoreLine = [
  readerKey: string,
  source: string,
  path: string,
  isLive: 0 | 1,
  files: readonly (string | number)[],
  absent: readonly string[],
  problems: readonly Problem[],
  runs: readonly RunSummary[],
  nonFinite: readonly NonFinite[],
];

interface CacheTrailer {
  readonly folders: number;
  readonly stores: number;
}

export function cacheHeader(snapshot: Omit<RunIndexCacheHeader, 'format'>): string {
  const header: RunIndexCacheHeader = {
    format: CACHE_FORMAT,
    version: snapshot.version,
    root: snapshot.root,
    readersKey: snapshot.readersKey,
    builtAt: snapshot.builtAt,
  };
  return JSON.stringify(header);
}

export function cacheTrailer(counts: CacheTrailer): string {
  return JSON.stringify({ folders: counts.folders, stores: counts.stores });
}

/** A path of a folder's lines, written from that folder (see above). */
function pathFrom(folder: string, path: string): string {
  if (path === folder) return '.';
  const prefix = folder.endsWith('/') ? folder : `${folder}/`;
  if (path.startsWith(prefix)) return `./${path.slice(prefix.length)}`;
  // An ancestor (a store looks for dvc.yaml and mlc.yaml up the tree): `..`, `../..`...; written
  // so only when reading it back gives the same path.
  if (folder.startsWith(path)) {
    let up = folder;
    for (let levels = 1; levels <= MAX_LEVELS_UP; levels++) {
      up = parentOf(up);
      if (up === path) return UP.slice(0, levels * 3 - 1);
      if (up.length <= path.length) break;
    }
  }
  return path;
}

/** `../../..`: the longest climb written; an ancestor further up is written absolute. */
const MAX_LEVELS_UP = 8;
const UP = '../'.repeat(MAX_LEVELS_UP);

/** The folder a folder is in (`/a/b` → `/a`, `/a` → `/`); the root is its own. */
function parentOf(folder: string): string {
  const slash = folder.lastIndexOf('/');
  return slash <= 0 ? folder.slice(0, slash + 1) || folder : folder.slice(0, slash);
}

/** A folder's line and the lines of the stores its visit listed, in the order they are written. */
export function* folderLines(
  path: string,
  folder: IndexedFolder,
  stores: readonly IndexedStore[],
  texts?: LineTexts,
): Generator<string> {
  const asRead = texts?.get(folder);
  if (asRead && asRead.storeLines === stores.length) yield asRead.text;
  else yield folderLine(path, folder, stores.length);
  for (const store of stores) yield texts?.get(store)?.text ?? storeLine(path, store);
}

function folderLine(path: string, folder: IndexedFolder, storeLines: number): string {
  const line: FolderLine = [
    path,
    folder.mtimeMs,
    folder.ctimeMs,
    folder.ino,
    folder.descend ? 1 : 0,
    folder.subfolders,
    storeLines,
    ...folder.stores.map((found): [string, string, string] => [
      found.readerKey,
      found.store.source,
      pathFrom(path, found.store.path),
    ]),
  ];
  return JSON.stringify(line);
}

function storeLine(folder: string, store: IndexedStore): string {
  const { present, stats } = store.inputs;
  const files: (string | number)[] = [];
  for (let index = 0; index * 2 < present.length; index++) {
    files.push(pathFrom(folder, present[index * 2]!), present[index * 2 + 1]!);
    for (let field = 0; field < STAT_FIELDS; field++) files.push(stats[index * STAT_FIELDS + field]!);
  }
  const absent: string[] = [];
  for (let at = 0; at < store.inputs.absent.length; at += 2) {
    absent.push(pathFrom(folder, store.inputs.absent[at]!), store.inputs.absent[at + 1]!);
  }
  const line: StoreLine = [
    store.readerKey,
    store.store.source,
    pathFrom(folder, store.store.path),
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
  return text.includes('null') ? JSON.stringify(withNonFinite(line, nonFiniteValues(store.runs))) : text;
}

/**
 * The cache's lines, in order (each a JSON text without a newline), for an index held in memory:
 * each folder's lines are made when they are written, so the lines of 100,000 stores (and their
 * file arrays) are never alive together, on top of the index they are made from.
 */
export function* serializeRunIndex(snapshot: RunIndexSnapshot): Generator<string> {
  const byKey = new Map<string, IndexedStore>();
  for (const store of snapshot.stores) byKey.set(storeKey(store.readerKey, store.store.path), store);
  yield cacheHeader(snapshot);
  let folders = 0;
  let stores = 0;
  for (const [path, folder] of Object.entries(snapshot.folders)) {
    const listed = storesOf(folder, byKey);
    folders++;
    stores += listed.length;
    yield* folderLines(path, folder, listed);
  }
  yield cacheTrailer({ folders, stores });
}

/** The stores a folder's visit listed, each once, of those the index holds (an aborted build lacks some). */
function storesOf(folder: IndexedFolder, byKey: ReadonlyMap<string, IndexedStore>): IndexedStore[] {
  const listed: IndexedStore[] = [];
  for (const found of folder.stores) {
    const store = byKey.get(storeKey(found.readerKey, found.store.path));
    if (store && !listed.includes(store)) listed.push(store);
  }
  return listed;
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
 * Strings a reader of the cache keeps: with a table (an index read whole), each distinct path and
 * name is one string however many lines name it; without (a stream), none is kept.
 */
type Keep = (text: string) => string;

const keepAsRead: Keep = (text) => text;

function sharedStrings(): Keep {
  const table = new Map<string, string>();
  return (text) => {
    let kept = table.get(text);
    if (kept === undefined) {
      kept = text;
      table.set(kept, kept);
    }
    return kept;
  };
}

/** A path of a folder's lines, read back; anything but a string of the written forms is damage. */
function pathIn(folder: string, code: unknown, keep: Keep): string {
  if (typeof code !== 'string' || code === '') throw new Error('not a path');
  if (code === '.') return folder;
  if (code.startsWith('./')) return keep(joinInputPath(folder, code.slice(2)));
  if (code.startsWith('..')) {
    const levels = (code.length + 1) / 3;
    if (!Number.isInteger(levels) || levels > MAX_LEVELS_UP || code !== UP.slice(0, code.length)) {
      throw new Error('not a climb');
    }
    let up = folder;
    for (let level = 0; level < levels; level++) up = parentOf(up);
    return keep(up);
  }
  if (!isAbsolute(code)) throw new Error('not an absolute path');
  return keep(code);
}

const isName = (name: unknown): name is string =>
  typeof name === 'string' && name !== '' && name !== '.' && name !== '..' && !name.includes('/');

/**
 * The text each folder record and store was read from, kept by a reader that copies what did not
 * change into the next cache as it was (no JSON.stringify of a line already written).
 */
export type LineTexts = WeakMap<IndexedFolder | IndexedStore, { readonly text: string; readonly storeLines: number }>;

/**
 * Reads a cache's lines one at a time: the header, then a folder and its stores at a time. Every
 * method throws on a line that is not of the shape written (the caller decides what damage means).
 */
export function createCacheLineReader(lines: Iterator<string>, texts?: LineTexts) {
  let lastText = '';
  const nextLine = (): unknown => {
    const line = lines.next();
    if (line.done) throw new Error('truncated');
    lastText = line.value;
    return JSON.parse(line.value) as unknown;
  };
  return {
    /** The header, if the cache is of this format and index version; else undefined. */
    header(): RunIndexCacheHeader | undefined {
      const header = nextLine() as RunIndexCacheHeader | null;
      return header?.format === CACHE_FORMAT && header.version === RUN_INDEX_VERSION && typeof header.root === 'string'
        ? header
        : undefined;
    },
    /** The next folder (its path, record and how many store lines follow), or the trailer's counts. */
    folder(keep: Keep = keepAsRead): { path: string; folder: IndexedFolder; storeLines: number } | CacheTrailer {
      const line = nextLine();
      if (!Array.isArray(line)) {
        const trailer = line as CacheTrailer | null;
        if (typeof trailer?.folders !== 'number' || typeof trailer.stores !== 'number') throw new Error('no trailer');
        return trailer;
      }
      const read = readFolderLine(line, keep);
      texts?.set(read.folder, { text: lastText, storeLines: read.storeLines });
      return read;
    },
    /** The `count` store lines of `folder`. */
    stores(folder: string, count: number, keep: Keep = keepAsRead): IndexedStore[] {
      const stores: IndexedStore[] = [];
      for (let index = 0; index < count; index++) {
        const store = readStoreLine(folder, nextLine(), keep);
        texts?.set(store, { text: lastText, storeLines: 0 });
        stores.push(store);
      }
      return stores;
    },
    /** Passes over `count` lines without parsing them (the stores of a folder the walk did not meet). */
    skip(count: number): void {
      for (let index = 0; index < count; index++) if (lines.next().done) throw new Error('truncated');
    },
  };
}

// The lines are read by index, not destructured: a destructuring with a rest element runs the
// array iterator for every folder, and the reopen reads 10,000s of them.
function readFolderLine(line: unknown[], keep: Keep): { path: string; folder: IndexedFolder; storeLines: number } {
  const path = line[0];
  if (typeof path !== 'string' || !isAbsolute(path)) throw new Error('folder path');
  const subfolders = line[5];
  if (!Array.isArray(subfolders) || !subfolders.every(isName)) throw new Error('subfolders');
  const storeLines = line[6];
  if (!Number.isInteger(storeLines) || (storeLines as number) < 0) throw new Error('store count');
  const stores: DetectedStore[] = [];
  for (let index = 7; index < line.length; index++) {
    const found = line[index] as FolderLine[7];
    if (!Array.isArray(found) || typeof found[0] !== 'string') throw new Error('detected store');
    stores.push({
      readerKey: found[0],
      store: { source: found[1] as DetectedStore['store']['source'], path: pathIn(path, found[2], keep) },
    });
  }
  return {
    path,
    folder: {
      mtimeMs: numberAt(line, 1),
      ctimeMs: numberAt(line, 2),
      ino: numberAt(line, 3),
      subfolders: subfolders as string[],
      stores,
      descend: line[4] === 1,
    },
    storeLines: storeLines as number,
  };
}

function numberAt(line: readonly unknown[], index: number): number {
  const value = line[index];
  if (typeof value !== 'number') throw new Error('not a number');
  return value;
}

function readStoreLine(folder: string, line: unknown, keep: Keep): IndexedStore {
  if (!Array.isArray(line)) throw new Error('store line');
  const storeLine = line as StoreLine;
  const runs = storeLine[7];
  const files = storeLine[4];
  const absent = storeLine[5];
  const nonFinite = storeLine[8];
  if (typeof storeLine[0] !== 'string' || !Array.isArray(runs) || !Array.isArray(storeLine[6])) {
    throw new Error('store line');
  }
  if (!Array.isArray(files) || !Array.isArray(absent) || !Array.isArray(nonFinite)) throw new Error('store inputs');
  for (const [run, field, key, value] of nonFinite) {
    const record = (field === 0 ? runs[run]?.params : runs[run]?.metrics) as Record<string, unknown> | undefined;
    if (record) record[key] = NON_FINITE[value] ?? Number.NaN;
  }
  if (files.length % FILE_FIELDS !== 0 || absent.length % 2 !== 0) throw new Error('store inputs');
  return {
    readerKey: storeLine[0],
    store: { source: storeLine[1] as DetectedStore['store']['source'], path: pathIn(folder, storeLine[2], keep) },
    runs,
    problems: storeLine[6],
    inputs: readInputs(folder, files, absent, keep),
    isLive: storeLine[3] === 1,
  };
}

/** A store line's inputs in their packed form. */
function readInputs(
  folder: string,
  files: readonly (string | number)[],
  absentPaths: readonly string[],
  keep: Keep,
): StoreInputs {
  const count = files.length / FILE_FIELDS;
  // Arrays of their final length, filled by index: the numbers are held unboxed, with no slack.
  const present = new Array<string>(count * 2);
  const stats = new Array<number>(count * STAT_FIELDS);
  for (let index = 0; index < count; index++) {
    const at = index * FILE_FIELDS;
    present[index * 2] = pathIn(folder, files[at], keep);
    const name = files[at + 1];
    if (!isName(name)) throw new Error('input name');
    present[index * 2 + 1] = keep(name);
    for (let field = 0; field < STAT_FIELDS; field++) {
      const value = files[at + 2 + field];
      if (typeof value !== 'number') throw new Error('not a number');
      stats[index * STAT_FIELDS + field] = value;
    }
  }
  const absent = new Array<string>(absentPaths.length);
  for (let at = 0; at < absentPaths.length; at += 2) {
    absent[at] = pathIn(folder, absentPaths[at], keep);
    const name = absentPaths[at + 1];
    if (!isName(name)) throw new Error('input name');
    absent[at + 1] = keep(name);
  }
  return { present, stats, absent };
}

/**
 * Rebuilds the snapshot from the cache's lines (any iterable: the file is read a chunk at a time),
 * or undefined when the lines are not a whole cache of this format and index version.
 */
export function deserializeRunIndex(lines: Iterable<string>): RunIndexSnapshot | undefined {
  try {
    return readWhole(createCacheLineReader(lines[Symbol.iterator]()));
  } catch {
    // A line that is not JSON, or not of the shape written: the cache is rebuilt.
    return undefined;
  }
}

function readWhole(reader: ReturnType<typeof createCacheLineReader>): RunIndexSnapshot | undefined {
  const header = reader.header();
  if (!header) return undefined;
  const keep = sharedStrings();
  const folders: Record<string, IndexedFolder> = {};
  const stores: IndexedStore[] = [];
  let folderCount = 0;
  for (;;) {
    const next = reader.folder(keep);
    if (!('path' in next)) {
      // The trailer: its counts prove no line went missing.
      return next.folders === folderCount && next.stores === stores.length
        ? {
            version: RUN_INDEX_VERSION,
            root: header.root,
            readersKey: header.readersKey,
            builtAt: header.builtAt,
            folders,
            stores,
          }
        : undefined;
    }
    folders[next.path] = next.folder;
    folderCount++;
    for (const store of reader.stores(next.path, next.storeLines, keep)) stores.push(store);
  }
}

const READ_CHUNK_BYTES = 1 << 20;

/**
 * The lines of a file, read a chunk at a time: only the line being parsed and one chunk are held,
 * never the whole text.
 */
export function* fileLines(descriptor: number): Generator<string> {
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
    removeLegacyCache(path);
    return true;
  } catch {
    // A read-only workspace still works; it only loses the speed-up of the cache.
    return false;
  }
}

/** Once a cache is written at `path`, the one-document cache of earlier versions beside it goes. */
export function removeLegacyCache(path: string): void {
  fs.rmSync(join(path, '..', LEGACY_CACHE_NAME), { force: true });
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
