import type { DirectoryEntry, FileStat, FileSystem } from '../../src/engine/ports';

/**
 * An in-memory FileSystem for unit tests of the engine (a fake of the engine's own port).
 * Paths are absolute POSIX paths; folders exist implicitly when a file is below them.
 */
export function createMemoryFileSystem(files: Record<string, string | Uint8Array> = {}): FileSystem & {
  files: Map<string, Uint8Array>;
} {
  const encoder = new TextEncoder();
  const store = new Map<string, Uint8Array>();
  const mtimes = new Map<string, number>();
  let clock = 1_700_000_000_000;
  const put = (path: string, data: string | Uint8Array) => {
    store.set(path, typeof data === 'string' ? encoder.encode(data) : data);
    mtimes.set(path, clock++);
  };
  for (const [path, data] of Object.entries(files)) put(path, data);
  const isFolder = (path: string) => [...store.keys()].some((file) => file.startsWith(`${path}/`));
  const notFound = (path: string) => Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  const read = (path: string) => {
    const data = store.get(path);
    if (!data) throw notFound(path);
    return data;
  };
  return {
    files: store,
    readFile: read,
    readRange: (path, position, length) => read(path).subarray(position, position + length),
    readText: (path) => new TextDecoder().decode(read(path)),
    stat(path): FileStat | undefined {
      const data = store.get(path);
      if (data) {
        const mtimeMs = mtimes.get(path)!;
        return { kind: 'file', size: data.length, mtimeMs, ctimeMs: mtimeMs, ino: 0, mode: 0o644 };
      }
      return isFolder(path) ? { kind: 'directory', size: 0, mtimeMs: 0, ctimeMs: 0, ino: 0, mode: 0o755 } : undefined;
    },
    readDirectory(path): DirectoryEntry[] {
      if (!isFolder(path)) throw notFound(path);
      const names = new Map<string, DirectoryEntry['kind']>();
      for (const file of store.keys()) {
        if (!file.startsWith(`${path}/`)) continue;
        const [first, ...rest] = file.slice(path.length + 1).split('/');
        names.set(first!, rest.length > 0 ? 'directory' : 'file');
      }
      return [...names].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, kind]) => ({ name, kind }));
    },
    realPath: (path) => (store.has(path) || isFolder(path) ? path : undefined),
    writeFileAtomic: put,
    appendFile(path, data) {
      const previous = store.get(path) ?? new Uint8Array();
      const added = typeof data === 'string' ? encoder.encode(data) : data;
      const joined = new Uint8Array(previous.length + added.length);
      joined.set(previous);
      joined.set(added, previous.length);
      put(path, joined);
    },
    makeDirectory: () => undefined,
    remove(path) {
      for (const file of [...store.keys()]) if (file === path || file.startsWith(`${path}/`)) store.delete(file);
    },
  };
}

/** An asynchronous atomic write held until the test finishes it (it then lands) or fails it. */
export interface HeldWrite {
  readonly path: string;
  readonly text: string;
  finish(error?: Error): void;
}

/**
 * Gives `fs` a `writeFileAtomicAsync` whose writes wait, in order, in the returned list until the
 * test calls `finish` on each: the writes of a run off the main thread, on a disk as slow as asked.
 */
export function holdAsyncWrites(fs: FileSystem): HeldWrite[] {
  const held: HeldWrite[] = [];
  fs.writeFileAtomicAsync = (path, data) =>
    new Promise<void>((resolve, reject) => {
      held.push({
        path,
        text: typeof data === 'string' ? data : new TextDecoder().decode(data),
        finish: (error) => {
          if (error) return reject(error);
          fs.writeFileAtomic(path, data);
          resolve();
        },
      });
    });
  return held;
}

/**
 * `base` with each file keeping the stat it was first seen with (size, mtime, ctime, inode) until
 * `moveCtime`: a same-size rewrite within the same timestamp tick of a coarse file system, or one
 * whose mtime was put back (then the kernel moves the ctime alone). Counts the reads of contents.
 */
export function withFrozenStats(base: FileSystem): {
  readonly fs: FileSystem;
  reads(): number;
  moveCtime(path: string): void;
} {
  const frozen = new Map<string, FileStat>();
  let reads = 0;
  const fs: FileSystem = {
    ...base,
    stat(path) {
      const stat = base.stat(path);
      if (stat?.kind !== 'file') return stat;
      if (!frozen.has(path)) frozen.set(path, { ...stat, ino: 7 });
      return frozen.get(path);
    },
    readFile: (path) => (reads++, base.readFile(path)),
    readText: (path) => (reads++, base.readText(path)),
    readRange: (path, position, length) => (reads++, base.readRange(path, position, length)),
  };
  return {
    fs,
    reads: () => reads,
    moveCtime(path) {
      const stat = frozen.get(path)!;
      frozen.set(path, { ...stat, ctimeMs: stat.ctimeMs + 1 });
    },
  };
}
