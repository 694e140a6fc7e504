import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join } from 'pathe';
import { DirectoryHashCache } from '../../engine/hashing/directoryHashCache';
import { HashCache } from '../../engine/hashing/hashCache';
import type { ContentHasher, FileHash, HashAlgorithm } from '../../engine/hashing/ports';
import { serializeDirManifest, type DirManifestEntry } from '../../engine/hashing/serializeDirManifest';
import type { Clock, Disposable, FileStat, FileSystem, Logger } from '../../engine/ports';
import { isSameFileVersion, statCanVouch } from '../../engine/racyWindow';
import { nodeFileSystem } from '../nodeFileSystem';
import { systemClock } from '../systemTime';
import { HashWorkerError, HashWorkerPool, findHashWorker, type WorkerLaunch } from './hashWorkerPool';
import { DirectoryStats } from './directoryStats';
import { isExecutableMode, md5Bytes, md5File } from './md5File';

export interface ContentHasherOptions {
  readonly workspaceRoot: string;
  readonly fs?: FileSystem;
  /** Worker threads for big files; default: the number of cores, at most 4. 0 hashes in-thread. */
  readonly workers?: number;
  /** Files at least this big go to a worker (default 4 MiB: ~5 ms of md5 in-thread). */
  readonly workerThresholdBytes?: number;
  /** Overrides where the worker script is found (tests); null disables workers. */
  readonly workerLaunch?: WorkerLaunch | null;
  readonly logger?: Logger;
  /** When each stat is taken, for the racy rule (tests hash files they have just written). */
  readonly clock?: Clock;
}

/** Where the stat caches live, relative to the workspace root. */
export const HASH_CACHE_FILE = '.mlc/cache/hashes.tsv';
export const DIRECTORY_CACHE_FILE = '.mlc/cache/dirs.tsv';
/**
 * The files of each hashed folder have their own cache here (one file per folder, named by an md5
 * of its path), read only when the folder's fingerprint in dirs.tsv no longer matches: a status
 * of an unchanged 1,000,000-file folder beside one changed file must not load a million entries.
 */
export const FOLDER_FILES_CACHE_FOLDER = '.mlc/cache/dir-files';

/** Folders DVC never includes in a directory hash (dvc/ignore.py defaults). */
const DIRECTORY_HASH_SKIPPED = new Set(['.git', '.hg', '.dvc']);

const DEFAULT_WORKER_THRESHOLD = 4 * 1024 * 1024;

/**
 * Stats between two yields to the event loop while walking a folder: the walk is synchronous
 * (fast), but in the extension host a 100,000-file folder must not freeze the UI for its whole
 * duration, so it gives way every few milliseconds.
 */
const STATS_PER_SLICE = 2048;
/** Small files read and hashed in this thread between two yields (~5 ms). */
const READS_PER_SLICE = 256;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/*
 * The racy rule (statCanVouch): a file changed within the racy window of its stat may still be
 * rewritten within the same timestamp tick (ext4's clock ticks every few milliseconds, FAT's every
 * 2 s) keeping its inode, size, mtime and ctime, so a later stat could not tell the two contents
 * apart (git's "racily clean" entries). Its hash is used but not kept, neither in memory nor on
 * disk: the next status or run after the window reads it once more, then keeps it. Deciding when
 * storing (rather than storing the hash's time and checking at each lookup) keeps lookups a plain
 * comparison of five numbers and the files free of entries that could never be used.
 */

/**
 * The Node ContentHasher: DVC-compatible md5 of files and directories (FORMATS.md §1.10-1.11),
 * with a persisted stat cache keyed by (path, inode, size, mtime, ctime) so that checking unchanged
 * data reads no file content and spawns nothing; a file changed within the racy window of its stat
 * is hashed but not cached (statCanVouch). Small files are read through `fs` in this thread;
 * big ones go to worker threads that read 8 MiB at a time.
 */
export function createContentHasher(
  options: ContentHasherOptions,
): ContentHasher & Required<Pick<ContentHasher, 'hashIfKnown'>> & Disposable {
  const fs = options.fs ?? nodeFileSystem;
  const clock = options.clock ?? systemClock;
  /** Read before a stat: when it was taken, for the racy rule of the hashes that stat leads to. */
  const takenNow = () => clock.now();
  const root = options.workspaceRoot;
  const cachePath = join(root, HASH_CACHE_FILE);
  const directoryCachePath = join(root, DIRECTORY_CACHE_FILE);
  const threshold = options.workerThresholdBytes ?? DEFAULT_WORKER_THRESHOLD;
  const workerCount = options.workers ?? Math.min(4, availableParallelism());
  const launch = options.workerLaunch === undefined ? findHashWorker() : (options.workerLaunch ?? undefined);
  let pool = launch && workerCount > 0 ? new HashWorkerPool(launch, workerCount) : undefined;
  /** Hashes being computed, by algorithm and path, with the stat each one was started for. */
  const inFlight = new Map<string, { readonly stat: FileStat; readonly hash: Promise<FileHash> }>();
  let cache: HashCache | undefined;
  let directoryCache: DirectoryHashCache | undefined;
  const folderFilesCaches = new Map<string, { readonly path: string; readonly cache: HashCache }>();

  /** The caches are only an optimisation: an unreadable one starts empty. */
  const readCacheText = (path: string): string => {
    try {
      return fs.stat(path)?.kind === 'file' ? fs.readText(path) : '';
    } catch {
      return '';
    }
  };
  const loadDirectoryCache = (): DirectoryHashCache =>
    (directoryCache ??= DirectoryHashCache.parse(root, readCacheText(directoryCachePath)));
  const loadCache = (): HashCache => (cache ??= HashCache.parse(root, readCacheText(cachePath)));
  const loadFolderFilesCache = (folder: string): HashCache => {
    let known = folderFilesCaches.get(folder);
    if (!known) {
      const relative = folder.startsWith(`${root}/`) ? folder.slice(root.length + 1) : folder;
      const name = createHash('md5').update(relative, 'utf8').digest('hex');
      const path = join(root, FOLDER_FILES_CACHE_FOLDER, `${name}.tsv`);
      known = { path, cache: HashCache.parse(root, readCacheText(path)) };
      folderFilesCaches.set(folder, known);
    }
    return known.cache;
  };

  const knownInsideHashedFolder = (path: string, stat: FileStat, algorithm: HashAlgorithm): FileHash | undefined => {
    for (const [folder, { cache: folderFiles }] of folderFilesCaches) {
      if (!path.startsWith(`${folder}/`)) continue;
      const known = folderFiles.lookup(path, algorithm, stat);
      if (known) return known;
    }
    return undefined;
  };

  const computeFile = async (
    path: string,
    stat: FileStat,
    algorithm: HashAlgorithm,
    storeIn: HashCache,
    takenAtMs: number,
  ): Promise<FileHash> => {
    let md5: string;
    let size = stat.size;
    if (pool && stat.size >= threshold) {
      try {
        const result = await pool.hash(path, algorithm);
        ({ md5, size } = result);
      } catch (error) {
        if (error instanceof HashWorkerError) throw error;
        // The worker could not start or crashed: hash here rather than fail the status check.
        options.logger?.warn('Hash worker failed; hashing in-thread from now on.', { error: String(error) });
        pool.dispose();
        pool = undefined;
        ({ md5, size } = md5File(path, algorithm));
      }
    } else if (stat.size >= threshold) {
      ({ md5, size } = md5File(path, algorithm));
    } else {
      const data = fs.readFile(path);
      md5 = md5Bytes(data, algorithm);
      size = data.length;
    }
    const hash: FileHash = isExecutableMode(stat.mode)
      ? { md5, size, isexec: true, algorithm }
      : { md5, size, algorithm };
    if (statCanVouch(stat, takenAtMs)) storeIn.store(path, stat, hash);
    return hash;
  };

  const hashFile = (
    path: string,
    stat: FileStat,
    algorithm: HashAlgorithm,
    hashCache: HashCache,
    takenAtMs: number,
  ): FileHash | Promise<FileHash> => {
    const cached = hashCache.lookup(path, algorithm, stat);
    if (cached) return cached;
    const key = `${algorithm}\0${path}`;
    // Shared only by callers that saw the same version of the file: one that stat-ed it after a
    // rewrite must not get the hash of the content read before.
    const running = inFlight.get(key);
    if (running && isSameFileVersion(running.stat, stat)) return running.hash;
    const started = {
      stat,
      hash: computeFile(path, stat, algorithm, hashCache, takenAtMs).finally(() => {
        if (inFlight.get(key) === started) inFlight.delete(key);
      }),
    };
    inFlight.set(key, started);
    return started.hash;
  };

  /**
   * Lists and stats every file under a folder (skipping DIRECTORY_HASH_SKIPPED) and returns the
   * fingerprint of their names and stats, with the latest mtime or ctime among them; `onFile`,
   * when given, sees each file's relpath and stat as it is found and answers whether the walk
   * should let the event loop turn.
   */
  const walkFolder = async (
    path: string,
    onFile?: (relpath: string, stat: FileStat) => boolean,
  ): Promise<{ readonly fingerprint: string; readonly newestChangeMs: number }> => {
    const walk = new DirectoryStats();
    const folders: string[] = [''];
    let statsSinceYield = 0;
    while (folders.length > 0) {
      const prefix = folders.pop()!;
      const folder = prefix === '' ? path : `${path}/${prefix.slice(0, -1)}`;
      const files: string[] = [];
      for (const entry of fs.readDirectory(folder)) {
        if (entry.kind === 'directory') {
          if (!DIRECTORY_HASH_SKIPPED.has(entry.name)) folders.push(`${prefix}${entry.name}/`);
          continue;
        }
        if (entry.kind !== 'file' && entry.kind !== 'symlink') continue;
        // Symlinked files count as files (os.walk lists them); symlinked folders are not entered.
        if (++statsSinceYield >= STATS_PER_SLICE) {
          statsSinceYield = 0;
          await yieldToEventLoop();
        }
        const stat = fs.stat(`${folder}/${entry.name}`);
        if (stat?.kind !== 'file') continue;
        files.push(entry.name);
        walk.addFile(stat);
        if (onFile?.(`${prefix}${entry.name}`, stat)) await yieldToEventLoop();
      }
      walk.endFolder(prefix, files);
    }
    return { fingerprint: walk.fingerprint(), newestChangeMs: walk.newestChangeMs };
  };

  const hashDirectory = async (path: string, algorithm: HashAlgorithm): Promise<FileHash> => {
    const known = loadDirectoryCache().lookup(path, algorithm, (await walkFolder(path)).fingerprint);
    if (known) return known;
    // Something changed: walk again, hashing each file as it is found (the unchanged ones from the
    // folder's file cache); the fingerprint stored is this walk's, the one the hashes go with.
    const filesCache = loadFolderFilesCache(path);
    const relpaths: string[] = [];
    const hashes: Array<FileHash | Promise<FileHash>> = [];
    let readsSinceYield = 0;
    const takenAtMs = takenNow();
    const { fingerprint, newestChangeMs } = await walkFolder(path, (relpath, stat) => {
      const hash = hashFile(`${path}/${relpath}`, stat, algorithm, filesCache, takenAtMs);
      relpaths.push(relpath);
      hashes.push(hash);
      if (!(hash instanceof Promise)) return false;
      // A cache miss returns a promise: the file is being read (in-thread when small). Its failure
      // is raised where it is awaited below; until then it must not count as unhandled.
      hash.catch(() => undefined);
      if (++readsSinceYield < READS_PER_SLICE) return false;
      readsSinceYield = 0;
      return true;
    });
    const entries: DirManifestEntry[] = [];
    let size = 0;
    for (const [index, relpath] of relpaths.entries()) {
      const hash = await hashes[index]!;
      entries.push({ md5: hash.md5, relpath });
      size += hash.size;
    }
    const manifest = serializeDirManifest(entries);
    const md5 = createHash('md5').update(manifest, 'utf8').digest('hex');
    const result: FileHash = { md5: `${md5}.dir`, size, nfiles: entries.length, algorithm };
    // As for a file (statCanVouch): a fingerprint with a racy file in it could not see that file rewritten.
    if (statCanVouch(newestChangeMs, takenAtMs)) loadDirectoryCache().store(path, fingerprint, result);
    return result;
  };

  return {
    async hash(absolutePath, algorithm = 'md5') {
      const takenAtMs = takenNow();
      const stat = fs.stat(absolutePath);
      if (!stat) return undefined;
      try {
        if (stat.kind === 'directory') return await hashDirectory(absolutePath, algorithm);
        if (stat.kind === 'file') {
          const files = loadCache();
          const cached = files.lookup(absolutePath, algorithm, stat);
          if (cached) return cached;
          // A file also inside a folder hashed in this process: that folder's cache may know it.
          const insideFolder = knownInsideHashedFolder(absolutePath, stat, algorithm);
          if (insideFolder) {
            if (statCanVouch(stat, takenAtMs)) files.store(absolutePath, stat, insideFolder);
            return insideFolder;
          }
          return await hashFile(absolutePath, stat, algorithm, files, takenAtMs);
        }
      } catch (error) {
        // Deleted between the stat and the read: report it as missing, like a later stat would.
        if ((error as { code?: string }).code === 'ENOENT') return undefined;
        throw error;
      }
      return undefined;
    },
    hashIfKnown(absolutePath, algorithm) {
      const stat = fs.stat(absolutePath);
      return stat?.kind === 'file' ? loadCache().lookup(absolutePath, algorithm, stat) : undefined;
    },
    async flush() {
      if (cache?.dirty) {
        fs.writeFileAtomic(cachePath, cache.serialize());
        cache.markClean();
      }
      for (const folderFiles of folderFilesCaches.values()) {
        if (!folderFiles.cache.dirty) continue;
        fs.writeFileAtomic(folderFiles.path, folderFiles.cache.serialize());
        folderFiles.cache.markClean();
      }
      if (directoryCache?.dirty) {
        fs.writeFileAtomic(directoryCachePath, directoryCache.serialize());
        directoryCache.markClean();
      }
    },
    dispose() {
      pool?.dispose();
      pool = undefined;
    },
  };
}
