import type { Clock, DirectoryEntry, FileStat, FileSystem } from '../ports';
import { problemAt } from '../problems';
import { RACY_WINDOW_MS, statCanVouch } from '../racyWindow';
import type { RunReader } from '../runs/model';
import { walkWorkspace } from '../workspace/walkWorkspace';
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

/**
 * The reader a store's `readerKey` names: the one at its position, if it is still of its source
 * (an index built with another list of readers names none). The one way back from key to reader.
 */
export function readerForKey(readers: readonly RunReader[], key: string): RunReader | undefined {
  const position = Number(key.slice(key.lastIndexOf('#') + 1));
  const reader = Number.isInteger(position) ? readers[position] : undefined;
  return reader && readerKey(reader, position) === key ? reader : undefined;
}

/**
 * Discovers every run store in the workspace with one walk (every reader's `detect` sees every
 * folder) and lists each store. With a previous index, a folder whose stat (mtime, ctime, inode) is
 * unchanged is not read or detected again, and a store whose input files all have the same
 * size, mtime, ctime and inode (and changed before the racy window of the previous build's
 * start) keeps its runs; so reopening a large workspace costs about one stat per folder and per
 * input file. A reader that throws or rejects only loses its own store: the
 * failure becomes a problem on that store and every other store is still listed.
 */
export async function buildRunIndex(
  options: BuildRunIndexOptions,
): Promise<{ readonly snapshot: RunIndexSnapshot; readonly stats: RunIndexBuildStats }> {
  const { fs, root, readers, signal } = options;
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

  const folders: Record<string, IndexedFolder> = {};
  const reusedFolders = new Set<string>();
  const detected: DetectedStore[] = [];
  const walkFs: FileSystem = {
    ...fs,
    readDirectory(path) {
      const cached = previous?.folders[path];
      const stat = statOf(path);
      const isProven = cached !== undefined && vouches(cached);
      if (
        isProven &&
        stat &&
        stat.mtimeMs === cached.mtimeMs &&
        stat.ctimeMs === cached.ctimeMs &&
        stat.ino === cached.ino
      ) {
        reusedFolders.add(path);
        return cached.subfolders.map((name): DirectoryEntry => ({ name, kind: 'directory' }));
      }
      return fs.readDirectory(path);
    },
  };
  walkWorkspace(
    walkFs,
    root,
    (folder, entries) => {
      const cached = previous?.folders[folder];
      if (cached && reusedFolders.has(folder)) {
        folders[folder] = cached;
        detected.push(...cached.stores);
        return cached.descend;
      }
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
      folders[folder] = {
        mtimeMs: stat?.mtimeMs ?? 0,
        ctimeMs: stat?.ctimeMs ?? 0,
        ino: stat?.ino ?? 0,
        subfolders: entries.filter((entry) => entry.kind === 'directory').map((entry) => entry.name),
        stores,
        descend,
      };
      detected.push(...stores);
      return descend;
    },
    { skip: options.skip, signal },
  );

  // Paths found absent while listing, shared by the stores listed after: every CSV log looks for
  // the same pipeline files up the tree (isDeclaredStageOutput). Each store still records them as
  // its inputs; a file created after its absence was seen changes its folder's mtime, which the
  // next build checks (and that mtime, younger than this build's start, is not trusted).
  const absentPaths = new Set<string>();
  // The inputs are packed with the walk's own folder strings: the index stays in memory whole
  // (the extension's worker keeps it between refreshes).
  let folderStrings: Map<string, string> | undefined;
  const packInputs = createInputPacker((folder) => {
    // The keys of `folders` are the strings the index keeps for them anyway.
    folderStrings ??= new Map(Object.keys(folders).map((path) => [path, path]));
    return folderStrings.get(folder);
  });
  // Keyed by reader, then by path: the path strings are shared with the folders' entries (one
  // string per path in a reopened cache), so no key is built per store.
  const previousStores = new Map<string, Map<string, IndexedStore>>();
  for (const entry of previous?.stores ?? []) {
    let byPath = previousStores.get(entry.readerKey);
    if (!byPath) previousStores.set(entry.readerKey, (byPath = new Map()));
    byPath.set(entry.store.path, entry);
  }
  const stores: IndexedStore[] = [];
  let storesReused = 0;
  const seen = new Map<string, Set<string>>();
  // A file that was absent is still absent when its folder was just found unchanged (same mtime
  // and inode: no entry added or removed), as the walk itself trusts for subfolders. Readers look
  // for many optional files (mlc.yaml, dvc.yaml up the tree...), so this spares most stats of a
  // reopen.
  const isFolderUnchanged = (folder: string) => reusedFolders.has(folder);
  for (const found of detected) {
    if (signal?.aborted) break;
    let seenPaths = seen.get(found.readerKey);
    if (!seenPaths) seen.set(found.readerKey, (seenPaths = new Set()));
    if (seenPaths.has(found.store.path)) continue;
    seenPaths.add(found.store.path);
    const cached = previousStores.get(found.readerKey)?.get(found.store.path);
    const isReusable =
      cached && !cached.isLive && areInputsUnchanged(cached.inputs, vouches, statOf, isFolderUnchanged);
    if (cached && isReusable) {
      stores.push(cached);
      storesReused++;
      continue;
    }
    const reader = readerForKey(readers, found.readerKey)!;
    stores.push(await listStore(reader, found, fs, { absentPaths, statMemo, packInputs }, signal));
  }
  const snapshot: RunIndexSnapshot = {
    version: RUN_INDEX_VERSION,
    root,
    readersKey,
    builtAt: startedAt,
    folders,
    stores,
  };
  const runs = stores.reduce((total, store) => total + store.runs.length, 0);
  return {
    snapshot,
    stats: {
      folders: Object.keys(folders).length,
      foldersReused: reusedFolders.size,
      stores: stores.length,
      storesReused,
      runs,
    },
  };
}

async function listStore(
  reader: RunReader,
  found: DetectedStore,
  fs: FileSystem,
  known: {
    readonly absentPaths: Set<string>;
    /** Stats this build took before the listing began (the walk's folders, the reopen's checks). */
    readonly statMemo: ReadonlyMap<string, FileStat | undefined>;
    readonly packInputs: (fingerprints: readonly FileFingerprint[]) => StoreInputs;
  },
  signal: AbortSignal | undefined,
): Promise<IndexedStore> {
  const { absentPaths, statMemo, packInputs } = known;
  // A fingerprint taken before the listing read its file can only be older than what was read:
  // if the file changed in between, the next build sees a newer stat and lists the store again.
  // So the walk's stat of the store's own folder (a Lightning version folder) is reused, not
  // taken twice. Stats the listing takes itself are fresh.
  const recording = createRecordingFileSystem(fs, (path) => {
    if (absentPaths.has(path)) return undefined;
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
