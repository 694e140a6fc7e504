/**
 * Ports: the only way effects reach the engine. src/node implements them for Node (shared by the
 * CLI and the extension); unit tests use small fakes. Shapes follow VS Code's where that makes the
 * extension's adapter trivial (Disposable), cancellation is an AbortSignal, paths are absolute
 * strings with '/' separators, times are epoch milliseconds.
 */
export interface Disposable {
  dispose(): void;
}

export interface FileStat {
  readonly kind: 'file' | 'directory' | 'other';
  readonly size: number;
  readonly mtimeMs: number;
  /**
   * The inode's change time: set to the current time by the kernel on every write, chmod or
   * utimes, never by a program to a value of its choosing (unlike mtime), so a stat cache that compares it also
   * sees a same-size rewrite whose mtime was put back.
   */
  readonly ctimeMs: number;
  readonly ino: number;
  readonly mode: number;
}

export interface DirectoryEntry {
  readonly name: string;
  readonly kind: 'file' | 'directory' | 'symlink' | 'other';
}

/**
 * File access is synchronous on purpose: the engine runs in the CLI and in worker threads, never on
 * the extension host's main thread for bulk work, and synchronous reads of many small files are
 * about 8x faster than fs.promises here (see PERFORMANCE-TARGETS.md, "many small files").
 */
export interface FileSystem {
  readFile(path: string): Uint8Array;
  /** Reads `length` bytes from `position`; returns fewer at the end of the file. */
  readRange(path: string, position: number, length: number): Uint8Array;
  readText(path: string): string;
  /**
   * Undefined when there is no usable file at the path: it does not exist, or it cannot be
   * reached (a symlink loop, a path through a file, a name too long). Follows symlinks.
   */
  stat(path: string): FileStat | undefined;
  /**
   * Why `stat` found nothing usable at a path that is not simply absent ('a symlink loop', ...),
   * for problem messages; undefined when the path is absent or fine. Optional: fakes may omit it.
   */
  unusableReason?(path: string): string | undefined;
  readDirectory(path: string): readonly DirectoryEntry[];
  /** Resolves symlinks; undefined when the path does not exist or loops. */
  realPath(path: string): string | undefined;
  /** Atomic: temp file in the same folder, fsync, rename. Creates parent folders. */
  writeFileAtomic(path: string, data: Uint8Array | string): void;
  /**
   * writeFileAtomic with the write, fsync and rename off the calling thread: a run's main thread
   * must not wait on the disk while a freed job slot waits for it. Optional (fakes may omit it):
   * callers fall back to writeFileAtomic. Resolves once the file is renamed into place.
   */
  writeFileAtomicAsync?(path: string, data: Uint8Array | string): Promise<void>;
  appendFile(path: string, data: Uint8Array | string): void;
  makeDirectory(path: string): void;
  remove(path: string): void;
}

export interface Logger {
  debug(message: string, context?: object): void;
  info(message: string, context?: object): void;
  warn(message: string, context?: object): void;
  error(message: string, context?: object): void;
}

/** Wall-clock time in epoch milliseconds: the one way time reaches the engine. */
export interface Clock {
  now(): number;
}

/** What `Timers` returns: opaque to the engine, given back only to clear the timer. */
export interface TimerHandle {
  readonly timerHandle?: never;
}

/**
 * Timers beside the Clock: the scheduler's polls, the run recorder's delayed writes and heartbeat
 * and the stop-request poll go through this port, so tests drive them on fake time. Node binds
 * the globals (src/node/systemTime.ts); a callback must never throw.
 */
export interface Timers {
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  setInterval(callback: () => void, intervalMs: number): TimerHandle;
  /** Either kind of timer; an undefined or already fired handle is ignored. */
  clear(handle: TimerHandle | undefined): void;
}

export interface GitState {
  readonly commit: string | undefined;
  readonly dirty: boolean;
  readonly branch?: string;
  readonly user?: string;
}

export interface GitClient {
  state(cwd: string): Promise<GitState>;
}

export interface FileWatcher {
  watch(paths: readonly string[], onChange: (path: string) => void): Disposable;
}
