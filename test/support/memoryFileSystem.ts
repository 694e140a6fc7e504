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
      if (data) return { kind: 'file', size: data.length, mtimeMs: mtimes.get(path)!, ino: 0, mode: 0o644 };
      return isFolder(path) ? { kind: 'directory', size: 0, mtimeMs: 0, ino: 0, mode: 0o755 } : undefined;
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
