import type { Problem } from '../problems';
import type { RunStoreLocation, RunSummary } from '../runs/model';

/**
 * The run index: every run store found in a workspace, the runs each one lists, and the file
 * stats each listing was read from, so a later open can reuse every store whose files did not
 * change (size, mtime, ctime, inode) instead of reading it again. JSON-serialisable; written to
 * `.mlc/cache/run-index.jsonl` by src/node/runIndex.
 */
export interface FileFingerprint {
  readonly path: string;
  readonly kind: 'file' | 'directory' | 'other' | 'absent';
  readonly size: number;
  readonly mtimeMs: number;
  /** A same-size rewrite whose mtime was put back (utimes, `touch -d`) still moves the ctime. */
  readonly ctimeMs: number;
  readonly ino: number;
}

/**
 * The files and folders a store's reader looked at, as they were then, packed: no object per
 * file. 100,000 runs have over a million inputs, and a fingerprint object with a path string of
 * its own for each was ~1 kB per run of the index that stays in memory. Each path is a folder and
 * a name (see storeInputs.ts): the folders are the index's own strings for them, and every store
 * that read `metrics.csv` or looked for `dvc.yaml` holds the same name string.
 */
export interface StoreInputs {
  /** Files and folders that existed: folder, name, folder, name... */
  readonly present: readonly string[];
  /** Five numbers per present input, in the same order: kind (INPUT_KINDS), size, mtimeMs, ctimeMs, ino. */
  readonly stats: readonly number[];
  /** Paths that were absent: folder, name, folder, name... */
  readonly absent: readonly string[];
}

/** One folder the workspace walk visited, with what the readers' `detect` said about it. */
export interface IndexedFolder {
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
  /** Names of its sub-folders (a folder's mtime changes when entries are added or removed). */
  readonly subfolders: readonly string[];
  readonly stores: readonly DetectedStore[];
  readonly descend: boolean;
}

export interface DetectedStore {
  /** `<source>#<position in the reader list>`: which reader owns the store. */
  readonly readerKey: string;
  readonly store: RunStoreLocation;
}

export interface IndexedStore extends DetectedStore {
  readonly runs: readonly RunSummary[];
  readonly problems: readonly Problem[];
  /** Every file and folder the reader looked at, as it was then. */
  readonly inputs: StoreInputs;
  /** A store with a running run is always read again (its status depends on time and pids). */
  readonly isLive: boolean;
}

export interface RunIndexSnapshot {
  readonly version: typeof RUN_INDEX_VERSION;
  readonly root: string;
  /** The reader list the index was built with; a different list invalidates the whole index. */
  readonly readersKey: string;
  /** When the build began (epoch ms): every fingerprint it took is later (see RACY_WINDOW_MS). */
  readonly builtAt: number;
  readonly folders: Readonly<Record<string, IndexedFolder>>;
  readonly stores: readonly IndexedStore[];
}

/**
 * Bumped when a reader lists the same files differently, so cached listings are not reused:
 * 2 = damaged run.json / meta.yaml runs listed, TensorBoard folders without a valid event not.
 */
export const RUN_INDEX_VERSION = 2 as const;

export interface RunIndexBuildStats {
  readonly folders: number;
  readonly foldersReused: number;
  readonly stores: number;
  readonly storesReused: number;
  readonly runs: number;
}
