import type { Clock, DirectoryEntry, FileStat, FileSystem } from '../ports';
import { problemAt } from '../problems';
import { RACY_WINDOW_MS, statCanVouch } from '../racyWindow';
import type { RunReader } from '../runs/model';
import { workspaceFolders } from '../workspace/walkWorkspace';
import { sortedByName } from './walkOrder';
import { createRecordingFileSystem } from './createRecordingFileSystem';
import {
  type DetectedStore,
  type FileFingerprint,
  type IndexedFolder,
  type IndexedStore,
  RUN_INDEX_VERSION,
  type RunIndexBuildStats,
  type RunIndexSnapshot,
  type StoreInputs,
} from './runIndexModel';
import { areInputsUnchanged, createInputPacker } from './storeInputs';
import { describeError } from '../engineError';

export interface BuildRunIndexOptions {
  readonly fs: FileSystem;
  readonly root: string;
  readonly readers: readonly RunReader[];
  /** The previous index (from memory or the on-disk cache): unchanged parts are reused. */
  readonly previous?: RunIndexSnapshot;
  /** Extra folder names or workspace-relative paths to skip (the `mlc.ignore` setting). */
  readonly skip?: readonly string[];
  readonly signal?: AbortSignal;
  /** Stamps the snapshot's `builtAt` (when the build began). */
  readonly clock: Clock;
  /**
   * The racy window (statCanVouch) of the previous build's fingerprints: a file or folder whose
   * mtime or ctime is within it of that build's start proves nothing, and is read again (default
   * RACY_WINDOW_MS). Only tests that rewrite files and rebuild at once lower it.
   */
  readonly racyWindowMs?: number;
}

/** `<source>#<position>` for every reader, and the key of the whole list. */
export function readerKeys(readers: readonly RunReader[]): { keys: string[]; readersKey: string } {
  const keys = readers.map(readerKey);
  return { keys, readersKey: keys.join(',') };
}

function readerKey(reader: RunReader, position: number): string {
  return `${reader.source}#${position}`;
}

/** A store's identity in an index: its reader and its path (one string, for sets and maps). */
export function storeKey(readerKey: string, path: string): string {
  return `${readerKey}\0${path}`;
}

/**
 * The reader a store's `readerKey` names: the one at its position, if it is still of its source
 * (an index built with another list of readers names none). The one way back from key to reader.
 */
export function readerForKey(readers: readonly RunReader[], key: string): RunReader | undefined {
  const position = Number(key.slice(key.lastIndexOf('#') + 1));
  const reader = Number.isInteger(position) ? readers[position] : undefined;
  return reader && readerKey(reader, position) === key ? reader : undefined;
}

/** A folder of the previous index, as a build finds it beside the walk. */
export interface PreviousFolder {
  readonly record: IndexedFolder;
  /** The store this folder's visit listed last time, by reader and path (if it was listed). */
  store(readerKey: string, path: string): IndexedStore | undefined;
}

/**
 * The previous index as a build consults it: one folder at a time, asked for in walk order
 * (compareWalkOrder), each at most once, so it can be a stream read beside the walk (the on-disk
 * cache, never held whole) or an index in memory (the extension's worker keeps its own).
 */
export interface PreviousIndex {
  readonly version: number;
  readonly root: string;
  readonly readersKey: string;
  readonly builtAt: number;
  folder(path: string): PreviousFolder | undefined;
  /** After the walk: whether the previous index held a folder or store the walk did not meet. */
  hadMore(): boolean;
}

/** Where a build puts what it finds, as it finds it: a folder, then the stores its visit listed. */
export interface RunIndexSink {
  folder(path: string, folder: IndexedFolder): void;
  store(store: IndexedStore): void;
  /**
   * The string to keep for a folder an input is in, when the sink keeps inputs in memory and
   * shares the walk's strings; a sink that writes each store out at once shares none.
   */
  readonly sharedFolder?: (path: string) => string | undefined;
}

/** The previous index held in memory, consulted as a PreviousIndex. */
export function previousInMemory(snapshot: RunIndexSnapshot): PreviousIndex {
  // Keyed by reader, then by path: the path strings are shared with the folders' entries (one
  // string per path in a reopened cache), so no key is built per store.
  const byReader = new Map<string, Map<string, IndexedStore>>();
  for (const entry of snapshot.stores) {
    let byPath = byReader.get(entry.readerKey);
    if (!byPath) byReader.set(entry.readerKey, (byPath = new Map()));
    byPath.set(entry.store.path, entry);
  }
  const store = (readerKey: string, path: string) => byReader.get(readerKey)?.get(path);
  let foldersMet = 0;
  const storesMet = new Set<IndexedStore>();
  return {
    version: snapshot.version,
    root: snapshot.root,
    readersKey: snapshot.readersKey,
    builtAt: snapshot.builtAt,
    folder(path) {
      const record = snapshot.folders[path];
      if (!record) return undefined;
      foldersMet++;
      return {
        record,
        store(readerKey, storePath) {
          const found = store(readerKey, storePath);
          if (found) storesMet.add(found);
          return found;
        },
      };
    },
    hadMore: () => foldersMet < Object.keys(snapshot.folders).length || storesMet.size < snapshot.stores.length,
  };
}

/** A sink that keeps the whole index in memory: the snapshot buildRunIndex returns. */
function collectInMemory(): RunIndexSink & {
  readonly folders: Record<string, IndexedFolder>;
  readonly stores: IndexedStore[];
} {
  const folders: Record<string, IndexedFolder> = {};
  const stores: IndexedStore[] = [];
  // The keys of `folders` are the strings the index keeps for them anyway (an input in a folder
  // the walk has not met yet gets the packer's own copy).
  const folderStrings = new Map<string, string>();
  return {
    folders,
    stores,
    folder(path, folder) {
      folders[path] = folder;
      folderStrings.set(path, path);
    },
    store: (store) => void stores.push(store),
    sharedFolder: (path) => folderStrings.get(path),
  };
}

/**
 * Discovers every run store in the workspace with one walk (every reader's `detect` sees every
 * folder) and lists each store, keeping the whole index in memory (see indexRuns).
 */
export async function buildRunIndex(options: BuildRunIndexOptions): Promise<{
  readonly snapshot: RunIndexSnapshot;
  readonly stats: RunIndexBuildStats;
  /** There was a previous index, and the build found everything in it as it was. */
  readonly isUnchanged: boolean;
}> {
  const sink = collectInMemory();
  const previous = options.previous ? previousInMemory(options.previous) : undefined;
  const result = await indexRuns({ ...options, previous, sink });
  const snapshot: RunIndexSnapshot = {
    version: RUN_INDEX_VERSION,
    root: options.root,
    readersKey: result.readersKey,
    builtAt: result.builtAt,
    folders: sink.folders,
    stores: sink.stores,
  };
  return { snapshot, stats: result.stats, isUnchanged: result.isUnchanged };
}

/** How many entries a build's stat memos hold before they are emptied (they only spare stats). */
const MEMO_LIMIT = 4096;

/**
 * The build itself: walks the workspace in walk order (sub-folders by name, walkOrder.ts), and for
 * each folder hands the sink its record, then lists the stores it found there and hands each to
 * the sink, before the walk goes on. With a previous index, a folder whose stat (mtime, ctime,
 * inode) is unchanged is not read or detected again, and a store whose input files all have the
 * same size, mtime, ctime and inode (and changed before the racy window of the previous build's
 * start) keeps its runs; so reopening a large workspace costs about one stat per folder and per
 * input file. Nothing grows with the workspace but what the sink keeps: the previous index is
 * asked for one folder at a time, the memos of stats are bounded, and a folder's "unchanged"
 * is remembered for the folders on the path to the one at hand. A reader that throws or rejects
 * only loses its own store: the failure becomes a problem on that store and every other store is
 * still listed.
 */
export async function indexRuns(
  options: Omit<BuildRunIndexOptions, 'previous'> & {
    readonly previous: PreviousIndex | undefined;
    readonly sink: RunIndexSink;
  },
): Promise<{
  readonly builtAt: number;
  readonly readersKey: string;
  readonly stats: RunIndexBuildStats;
  /** There was a previous index, and the build found everything in it as it was. */
  readonly isUnchanged: boolean;
}> {
  const { fs, root, readers, signal, sink } = options;
  // Every fingerprint this build takes is taken after this moment.
  const startedAt = options.clock.now();
  const { keys, readersKey } = readerKeys(readers);
  const previous =
    options.previous?.version === RUN_INDEX_VERSION &&
    options.previous.root === root &&
    options.previous.readersKey === readersKey
      ? options.previous
      : undefined;
  // Fingerprints older than the racy window at the previous build's start prove their file
  // unchanged (every one it kept was taken after that start).
  const racyWindowMs = options.racyWindowMs ?? RACY_WINDOW_MS;
  const vouches = (taken: { readonly mtimeMs: number; readonly ctimeMs: number } | number) =>
    previous !== undefined && statCanVouch(taken, previous.builtAt, racyWindowMs);
  const statMemo = new Map<string, FileStat | undefined>();
  const statOf = (path: string): FileStat | undefined => {
    if (statMemo.has(path)) return statMemo.get(path);
    let stat: FileStat | undefined;
    try {
      stat = fs.stat(path);
    } catch {
      stat = undefined;
    }
    statMemo.set(path, stat);
    return stat;
  };

  // The folder the walk read last: its previous record, and whether its stat proved it unchanged.
  let reading: { path: string; cached: PreviousFolder | undefined; isReused: boolean } | undefined;
  const walkFs: FileSystem = {
    ...fs,
    readDirectory(path) {
      const cached = previous?.folder(path);
      const stat = statOf(path);
      const record = cached?.record;
      const isReused =
        record !== undefined &&
        vouches(record) &&
        stat !== undefined &&
        stat.mtimeMs === record.mtimeMs &&
        stat.ctimeMs === record.ctimeMs &&
        stat.ino === record.ino;
      reading = { path, cached, isReused };
      if (isReused) return record.subfolders.map((name): DirectoryEntry => ({ name, kind: 'directory' }));
      return sortedByName(fs.readDirectory(path));
    },
  };

  // Paths found absent while listing, shared by the stores listed after: every CSV log looks for
  // the same pipeline files up the tree (isDeclaredStageOutput). Each store still records them as
  // its inputs; a file created after its absence was seen changes its folder's mtime, which the
  // next build checks (and that mtime, younger than this build's start, is not trusted).
  const absentPaths = new Set<string>();
  const packInputs = createInputPacker(sink.sharedFolder);
  // The folders from the root to the one at hand, and whether each was found unchanged.
  const trail: { path: string; isReused: boolean }[] = [];
  // A file that was absent is still absent when its folder was just found unchanged (same mtime
  // and inode: no entry added or removed), as the walk itself trusts for subfolders. Readers look
  // for many optional files (mlc.yaml, dvc.yaml up the tree...), so this spares most stats of a
  // reopen. Elsewhere, a stat says.
  const isFolderUnchanged = (folder: string) => trail.some((step) => step.isReused && step.path === folder);
  let folderCount = 0;
  let foldersReused = 0;
  let storeCount = 0;
  let storesReused = 0;
  let runCount = 0;
  const walk = workspaceFolders(walkFs, root, { skip: options.skip, signal });
  for (let step = walk.next(); !step.done;) {
    const { folder, entries, depth } = step.value;
    const { cached, isReused } = reading?.path === folder ? reading : { cached: undefined, isReused: false };
    trail.length = depth;
    trail.push({ path: folder, isReused });
    folderCount++;
    let record: IndexedFolder;
    if (isReused) {
      record = cached!.record;
      foldersReused++;
    } else {
      const stores: DetectedStore[] = [];
      let descend = true;
      readers.forEach((reader, position) => {
        try {
          const result = reader.detect(folder, entries);
          for (const store of result.stores) stores.push({ readerKey: keys[position]!, store });
          if (!result.descend) descend = false;
        } catch {
          // detect is a pure look at names; a reader bug must not stop discovery for the others.
        }
      });
      const stat = statOf(folder);
      record = {
        mtimeMs: stat?.mtimeMs ?? 0,
        ctimeMs: stat?.ctimeMs ?? 0,
        ino: stat?.ino ?? 0,
        subfolders: entries.filter((entry) => entry.kind === 'directory').map((entry) => entry.name),
        stores,
        descend,
      };
    }
    sink.folder(folder, record);
    // What the walk just read of this folder: a name not in it is absent, as a stat would say (see
    // listStore). A reused folder's entries are its sub-folders only, so they say nothing of files.
    const listing = isReused ? undefined : folderListing(folder, entries);
    // A store is the folder itself or an entry of it, so only one visit can find it: a store
    // found twice is found twice by this folder's readers.
    const listed = new Set<string>();
    for (const found of record.stores) {
      if (signal?.aborted) break;
      const key = storeKey(found.readerKey, found.store.path);
      if (listed.has(key)) continue;
      listed.add(key);
      storeCount++;
      const before = cached?.store(found.readerKey, found.store.path);
      const isReusable =
        before && !before.isLive && areInputsUnchanged(before.inputs, vouches, statOf, isFolderUnchanged);
      let store: IndexedStore;
      if (before && isReusable) {
        store = before;
        storesReused++;
      } else {
        const reader = readerForKey(readers, found.readerKey)!;
        store = await listStore(reader, found, fs, { absentPaths, statMemo, listing, packInputs }, signal);
      }
      runCount += store.runs.length;
      sink.store(store);
    }
    // Memos only spare stats: emptied when large, so a build holds no stat per file it passed.
    if (statMemo.size > MEMO_LIMIT) statMemo.clear();
    if (absentPaths.size > MEMO_LIMIT) absentPaths.clear();
    step = walk.next(record.descend);
  }
  const stats: RunIndexBuildStats = {
    folders: folderCount,
    foldersReused,
    stores: storeCount,
    storesReused,
    runs: runCount,
  };
  const isUnchanged =
    previous !== undefined &&
    !signal?.aborted &&
    foldersReused === folderCount &&
    storesReused === storeCount &&
    !previous.hadMore();
  return { builtAt: startedAt, readersKey, stats, isUnchanged };
}

interface FolderListing {
  /** Whether `path` is an entry of the listed folder that the listing does not have. */
  lacks(path: string): boolean;
}

/**
 * A folder's entries as the walk read them, asked for absent names. Readers look for optional
 * files beside their logs (every CSV log for the pipeline files of its own folder first, see
 * isDeclaredStageOutput): a first index of 10,000 Lightning folders spared 20,000 stats this way.
 * Sound as the absentPaths memo is: the walk stats the folder before listing it, so a file created
 * after the listing changes an mtime the next build compares (and does not trust when racy).
 */
function folderListing(folder: string, entries: readonly DirectoryEntry[]): FolderListing {
  let names: Set<string> | undefined;
  const prefix = folder === '/' ? '/' : `${folder}/`;
  return {
    lacks(path) {
      if (!path.startsWith(prefix) || path.indexOf('/', prefix.length) !== -1) return false;
      const name = path.slice(prefix.length);
      if (name === '' || name === '.' || name === '..') return false;
      // Compared without case: on a case-insensitive file system (macOS, Windows) a stat of
      // `dvc.yaml` finds `DVC.yaml`; such a name is left to the stat.
      names ??= new Set(entries.map((entry) => entry.name.toLowerCase()));
      return !names.has(name.toLowerCase());
    },
  };
}

async function listStore(
  reader: RunReader,
  found: DetectedStore,
  fs: FileSystem,
  known: {
    readonly absentPaths: Set<string>;
    /** The store's folder as the walk listed it just now, when it did. */
    readonly listing: FolderListing | undefined;
    /** Stats this build took before the listing began (the walk's folders, the reopen's checks). */
    readonly statMemo: ReadonlyMap<string, FileStat | undefined>;
    readonly packInputs: (fingerprints: readonly FileFingerprint[]) => StoreInputs;
  },
  signal: AbortSignal | undefined,
): Promise<IndexedStore> {
  const { absentPaths, statMemo, listing, packInputs } = known;
  // A fingerprint taken before the listing read its file can only be older than what was read:
  // if the file changed in between, the next build sees a newer stat and lists the store again.
  // So the walk's stat of the store's own folder (a Lightning version folder) is reused, not
  // taken twice. Stats the listing takes itself are fresh.
  const recording = createRecordingFileSystem(fs, (path) => {
    if (absentPaths.has(path) || listing?.lacks(path)) return undefined;
    if (statMemo.has(path)) return statMemo.get(path);
    let stat: FileStat | undefined;
    try {
      stat = fs.stat(path);
    } catch {
      stat = undefined;
    }
    if (!stat) absentPaths.add(path);
    return stat;
  });
  try {
    const listing = await reader.list(found.store, { fs: recording.fs, signal });
    // Each property named, no `...found`: a literal that begins with a spread gets a hidden class
    // (map) of its own per object in V8, ~300 bytes per store kept and more garbage in old space.
    return {
      readerKey: found.readerKey,
      store: found.store,
      runs: listing.runs,
      problems: listing.problems,
      inputs: packInputs(recording.inputs()),
      isLive: listing.runs.some((run) => run.status === 'running' || run.status === 'queued'),
    };
  } catch (error) {
    return {
      readerKey: found.readerKey,
      store: found.store,
      runs: [],
      problems: [
        problemAt(
          found.store.path,
          undefined,
          'error',
          'runStoreUnreadable',
          `The ${reader.source} reader failed on this store (${describeError(error)}); other runs are still listed.`,
        ),
      ],
      inputs: packInputs(recording.inputs()),
      isLive: false,
    };
  }
}
