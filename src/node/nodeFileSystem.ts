import * as fs from 'node:fs';
import { dirname, join } from 'node:path';
import type { DirectoryEntry, FileStat, FileSystem } from '../engine/ports';

function toStat(stats: fs.Stats): FileStat {
  return {
    kind: stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'other',
    size: stats.size,
    mtimeMs: stats.mtimeMs,
    ino: stats.ino,
    mode: stats.mode,
  };
}

let temporaryCounter = 0;

/** Writes through a temp file in the same folder, fsync, rename: readers never see half a file. */
export function writeFileAtomicSync(path: string, data: Uint8Array | string | Iterable<string>): void {
  fs.mkdirSync(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${process.pid}.${Date.now()}.${temporaryCounter++}.tmp`);
  const descriptor = fs.openSync(temporary, 'w');
  try {
    try {
      // Chunks (a large cache written as it is serialised) never need the whole text at once.
      const chunks = typeof data === 'string' || data instanceof Uint8Array ? [data] : data;
      for (const chunk of chunks)
        fs.writeSync(descriptor, typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
      fs.fsyncSync(descriptor);
    } finally {
      fs.closeSync(descriptor);
    }
    fs.renameSync(temporary, path);
  } catch (error) {
    // A failed write (or chunks that threw while produced) leaves neither a temp file nor a change.
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * errno codes that mean "no usable file at this path" rather than a broken disk: the engine asks
 * `stat` about paths written in pipeline files, which may loop, go through a file or be too long.
 */
const UNUSABLE_PATH_REASONS: Readonly<Record<string, string>> = {
  ENOENT: '',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ELOOP: 'a symlink loop',
  ENAMETOOLONG: 'the name is too long for the file system',
  EACCES: 'permission denied',
};

function unusablePathReason(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && Object.hasOwn(UNUSABLE_PATH_REASONS, code) ? UNUSABLE_PATH_REASONS[code] : undefined;
}

export const nodeFileSystem: FileSystem = {
  readFile: (path) => fs.readFileSync(path),
  readRange(path, position, length) {
    const descriptor = fs.openSync(path, 'r');
    try {
      const buffer = Buffer.allocUnsafe(length);
      const read = fs.readSync(descriptor, buffer, 0, length, position);
      return buffer.subarray(0, read);
    } finally {
      fs.closeSync(descriptor);
    }
  },
  readText: (path) => fs.readFileSync(path, 'utf8'),
  stat(path) {
    try {
      const stats = fs.statSync(path, { throwIfNoEntry: false });
      return stats ? toStat(stats) : undefined;
    } catch (error) {
      if (unusablePathReason(error) !== undefined) return undefined;
      throw error;
    }
  },
  unusableReason(path) {
    try {
      fs.statSync(path);
      return undefined;
    } catch (error) {
      return unusablePathReason(error) || undefined;
    }
  },
  readDirectory(path) {
    return fs.readdirSync(path, { withFileTypes: true }).map((entry): DirectoryEntry => ({
      name: entry.name,
      kind: entry.isFile() ? 'file' : entry.isDirectory() ? 'directory' : entry.isSymbolicLink() ? 'symlink' : 'other',
    }));
  },
  realPath(path) {
    try {
      return fs.realpathSync(path);
    } catch {
      return undefined;
    }
  },
  writeFileAtomic: writeFileAtomicSync,
  appendFile: (path, data) => fs.appendFileSync(path, data),
  makeDirectory: (path) => fs.mkdirSync(path, { recursive: true }),
  remove: (path) => fs.rmSync(path, { recursive: true, force: true }),
};
