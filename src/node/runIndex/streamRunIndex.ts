import * as fs from 'node:fs';
import type { Clock, FileSystem } from '../../engine/ports';
import type { Problem } from '../../engine/problems';
import {
  indexRuns,
  readerKeys,
  type PreviousFolder,
  type PreviousIndex,
  type RunIndexSink,
} from '../../engine/runIndex/buildRunIndex';
import { collectNewestRuns, createRunFinder, type RunLookup, type RunQuery } from '../../engine/runIndex/queryRunIndex';
import type { IndexedFolder, IndexedStore, RunIndexBuildStats } from '../../engine/runIndex/runIndexModel';
import { RUN_INDEX_VERSION } from '../../engine/runIndex/runIndexModel';
import { compareWalkOrder } from '../../engine/runIndex/walkOrder';
import type { RunReader } from '../../engine/runs/model';
import { nodeFileSystem, openAtomicFile, type AtomicFile } from '../nodeFileSystem';
import { systemClock } from '../systemTime';
import type { RunListResult } from './createRunIndexService';
import {
  cacheHeader,
  cacheTrailer,
  createCacheLineReader,
  fileLines,
  folderLines,
  type LineTexts,
  removeLegacyCache,
} from './runIndexCache';

/**
 * The previous index read from the cache's lines beside the walk: each folder the walk asks for
 * is found by reading forward (the cache is in walk order), passing over folders the walk no
 * longer has. Only the folder at hand and its stores are held. A damaged line ends the stream;
 * `isWhole` says afterwards whether the cache was whole (every line of the shape written, the
 * trailer's counts those read): the caller does not keep an answer built from a damaged cache.
 */
export function previousFromCache(
  lines: Iterator<string>,
  texts?: LineTexts,
): (PreviousIndex & { isWhole(): boolean }) | undefined {
  const reader = createCacheLineReader(lines, texts);
  let header;
  try {
    header = reader.header();
  } catch {
    return undefined;
  }
  if (!header) return undefined;
  type Pending = { path: string; folder: IndexedFolder; storeLines: number };
  let pending: Pending | undefined;
  let trailer: { folders: number; stores: number } | undefined;
  let isDamaged = false;
  let foldersRead = 0;
  let storesRead = 0;
  /** The cache held a folder or store the walk did not meet. */
  let missedSome = false;
  /** The stores of the folder last handed out, and those the build asked for. */
  let handedOut: { stores: readonly IndexedStore[]; met: Set<IndexedStore> } | undefined;
  const settleHandedOut = () => {
    if (handedOut && handedOut.met.size < handedOut.stores.length) missedSome = true;
    handedOut = undefined;
  };
  const isEnded = () => isDamaged || trailer !== undefined;
  const advance = (): Pending | undefined => {
    if (pending || isEnded()) return pending;
    try {
      const next = reader.folder();
      if ('path' in next) {
        pending = next;
        foldersRead++;
        storesRead += next.storeLines;
      } else {
        trailer = next;
      }
    } catch {
      isDamaged = true;
    }
    return pending;
  };
  /** Passes over the pending folder and its store lines. */
  const skipPending = () => {
    const skipped = pending!;
    pending = undefined;
    try {
      reader.skip(skipped.storeLines);
    } catch {
      isDamaged = true;
    }
  };
  return {
    version: RUN_INDEX_VERSION,
    root: header.root,
    readersKey: header.readersKey,
    builtAt: header.builtAt,
    folder(path): PreviousFolder | undefined {
      settleHandedOut();
      for (let next = advance(); next; next = advance()) {
        const order = compareWalkOrder(next.path, path);
        if (order > 0) return undefined;
        if (order < 0) {
          // A folder the walk went past without meeting: gone, skipped, or no longer reached.
          missedSome = true;
          skipPending();
          continue;
        }
        pending = undefined;
        let stores: IndexedStore[];
        try {
          stores = reader.stores(next.path, next.storeLines);
        } catch {
          isDamaged = true;
          return undefined;
        }
        const met = new Set<IndexedStore>();
        handedOut = { stores, met };
        return {
          record: next.folder,
          store(readerKey, storePath) {
            const found = stores.find((store) => store.readerKey === readerKey && store.store.path === storePath);
            if (found) met.add(found);
            return found;
          },
        };
      }
      return undefined;
    },
    hadMore() {
      settleHandedOut();
      return advance() !== undefined || missedSome || isDamaged;
    },
    isWhole() {
      while (advance()) skipPending();
      return !isDamaged && trailer?.folders === foldersRead && trailer.stores === storesRead;
    },
  };
}

/**
 * A sink that writes the new cache as the build goes: a folder's lines once its stores are all
 * listed (a folder line says how many store lines follow), nothing kept after they are written.
 */
function cacheWriter(file: AtomicFile, header: string, texts: LineTexts): RunIndexSink & { finish(): void } {
  let folder: { path: string; record: IndexedFolder; stores: IndexedStore[] } | undefined;
  let folders = 0;
  let stores = 0;
  // Lines gathered and joined once (a string grown line by line is a rope that the write would
  // have to flatten): about a MiB a write, not a syscall per line, and no more than that held.
  let pending: string[] = [header];
  let pendingLength = header.length;
  const flushPending = () => {
    pending.push('');
    file.write(pending.join('\n'));
    pending = [];
    pendingLength = 0;
  };
  const write = (line: string) => {
    pending.push(line);
    pendingLength += line.length + 1;
    if (pendingLength >= 1 << 20) flushPending();
  };
  const flushFolder = () => {
    if (!folder) return;
    // What was reused is copied as it was read.
    for (const line of folderLines(folder.path, folder.record, folder.stores, texts)) write(line);
    folders++;
    stores += folder.stores.length;
    folder = undefined;
  };
  return {
    folder(path, record) {
      flushFolder();
      folder = { path, record, stores: [] };
    },
    store(store) {
      folder!.stores.push(store);
    },
    finish() {
      flushFolder();
      write(cacheTrailer({ folders, stores }));
      flushPending();
    },
  };
}

export interface StreamRunIndexOptions {
  readonly workspaceRoot: string;
  readonly readers: readonly RunReader[];
  /** The cache read as the previous index and written anew; `false`: none. */
  readonly cachePath: string | false;
  readonly fs?: FileSystem;
  readonly skip?: readonly string[];
  readonly clock?: Clock;
  readonly racyWindowMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * One listing of the runs without an index in memory: the previous index is read from the cache
 * beside the walk and the new one written as it is found, and only the runs the query answers are
 * kept (the newest `limit`), with the problems of stores that listed no run. What `mlc runs` does
 * once: its memory does not grow with the runs a workspace holds, only with the answer.
 */
export async function listRunsStreaming(options: StreamRunIndexOptions, query: RunQuery): Promise<RunListResult> {
  const { answer, stats } = await streamRunIndex(options, () => {
    const newest = collectNewestRuns(query);
    const problems: Problem[] = [];
    return {
      add(store: IndexedStore) {
        newest.add(store.runs);
        if (store.runs.length === 0) problems.push(...store.problems);
      },
      answer: () => ({ runs: newest.runs(), problems }),
    };
  });
  return { ...answer, stats };
}

/**
 * Runs found by id (findRun, each id in turn) in one pass without an index in memory, as
 * listRunsStreaming lists them: what `mlc show`, `metrics`, `compare` need of a workspace of
 * 100,000 runs is the runs they name.
 */
export async function findRunsStreaming(
  options: StreamRunIndexOptions,
  ids: readonly string[],
): Promise<{ lookups: RunLookup[]; stats: RunIndexBuildStats }> {
  const { answer, stats } = await streamRunIndex(options, () => {
    const finders = ids.map((id) => createRunFinder(id));
    return {
      add(store: IndexedStore) {
        for (const finder of finders) finder.add(store);
      },
      answer: () => finders.map((finder) => finder.result()),
    };
  });
  return { lookups: answer, stats };
}

/** What a streamed pass keeps of the stores it meets, and answers with at the end. */
interface StoreCollector<Answer> {
  add(store: IndexedStore): void;
  answer(): Answer;
}

/**
 * One pass over the workspace with the index streamed: each store the build meets goes to the
 * collector and to the new cache, nothing else is kept.
 */
async function streamRunIndex<Answer>(
  options: StreamRunIndexOptions,
  collector: () => StoreCollector<Answer>,
): Promise<{ answer: Answer; stats: RunIndexBuildStats }> {
  const { cachePath } = options;
  let descriptor: number | undefined;
  try {
    descriptor = cachePath ? fs.openSync(cachePath, 'r') : undefined;
  } catch {
    descriptor = undefined;
  }
  try {
    const texts: LineTexts = new WeakMap();
    const previous = descriptor === undefined ? undefined : previousFromCache(fileLines(descriptor), texts);
    const streamed = await streamOnce(options, collector(), previous, texts);
    // A cache found damaged on the way (cut short, a line not of its shape) is not trusted for any
    // of it, as when read whole: the pass is made again from the files alone.
    if (!previous || previous.isWhole()) return streamed.commit();
    streamed.discard();
    return (await streamOnce(options, collector(), undefined, texts)).commit();
  } finally {
    if (descriptor !== undefined) fs.closeSync(descriptor);
  }
}

/** One build streamed to the new cache (uncommitted) and to the collector. */
async function streamOnce<Answer>(
  options: StreamRunIndexOptions,
  collector: StoreCollector<Answer>,
  previous: PreviousIndex | undefined,
  texts: LineTexts,
): Promise<{ commit(): { answer: Answer; stats: RunIndexBuildStats }; discard(): void }> {
  const { cachePath } = options;
  // Taken once, before anything is read: the header of the new cache names the build's start.
  const builtAt = (options.clock ?? systemClock).now();
  let file: AtomicFile | undefined;
  let writer: ReturnType<typeof cacheWriter> | undefined;
  const discard = () => {
    writer = undefined;
    file?.discard();
    file = undefined;
  };
  /** A cache that cannot be written (read-only workspace, full disk) is only a lost speed-up. */
  const writing = (write: (to: ReturnType<typeof cacheWriter>) => void) => {
    if (!writer) return;
    try {
      write(writer);
    } catch {
      discard();
    }
  };
  if (cachePath) {
    try {
      file = openAtomicFile(cachePath);
      const { readersKey } = readerKeys(options.readers);
      writer = cacheWriter(
        file,
        cacheHeader({ version: RUN_INDEX_VERSION, root: options.workspaceRoot, readersKey, builtAt }),
        texts,
      );
    } catch {
      discard();
    }
  }
  try {
    const result = await indexRuns({
      fs: options.fs ?? nodeFileSystem,
      root: options.workspaceRoot,
      readers: options.readers,
      previous,
      sink: {
        folder: (path, record) => writing((to) => to.folder(path, record)),
        store(store) {
          writing((to) => to.store(store));
          collector.add(store);
        },
      },
      skip: options.skip,
      signal: options.signal,
      clock: { now: () => builtAt },
      racyWindowMs: options.racyWindowMs,
    });
    return {
      commit() {
        if (result.isUnchanged || options.signal?.aborted) {
          // The cache already says all this (or this build saw only part of the workspace).
          discard();
        } else {
          writing((to) => {
            to.finish();
            file!.commit();
            file = undefined;
            removeLegacyCache(cachePath as string);
          });
        }
        return { answer: collector.answer(), stats: result.stats };
      },
      discard,
    };
  } catch (error) {
    discard();
    throw error;
  }
}
