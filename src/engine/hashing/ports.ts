/**
 * Content hashing as status and lock files need it: DVC-compatible md5 of files and directories.
 * The engine only sees this port; src/node/hashing implements it with a persisted stat cache and
 * worker threads for big files.
 */
export type HashAlgorithm = 'md5' | 'md5-dos2unix';

export interface FileHash {
  /** Lowercase hex; directories end in `.dir` (DVC's manifest hash). */
  md5: string;
  /** Bytes; for a directory, the sum of its files' sizes. */
  size: number;
  /** Directories only: how many files the manifest lists. */
  nfiles?: number;
  /** Files only, and only when an executable bit is set (DVC records `isexec: true`). */
  isexec?: boolean;
  algorithm: HashAlgorithm;
}

export interface ContentHasher {
  /** Undefined when nothing exists at the path. Directories get DVC's `.dir` manifest hash. */
  hash(absolutePath: string, algorithm?: HashAlgorithm): Promise<FileHash | undefined>;
  /**
   * The file's hash when the stat-validated cache already knows it (exactly what `hash` would
   * answer then), at once and without a promise; undefined for anything else (call `hash`):
   * an up-to-date status of 1,000 stages asks for 4,000 hashes, each one a cache hit.
   */
  hashIfKnown?(absolutePath: string, algorithm: HashAlgorithm): FileHash | undefined;
  /** Persists the stat cache (atomically); a no-op when nothing was hashed since the last flush. */
  flush(): Promise<void>;
}
