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
export function writeFileAtomicSync(path: string, data: Uint8Array | string): void {
  fs.mkdirSync(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${process.pid}.${Date.now()}.${temporaryCounter++}.tmp`);
  const descriptor = fs.openSync(temporary, 'w');
  try {
    fs.writeSync(descriptor, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fs.fsyncSync(descriptor);
  } finally {
    fs.closeSync(descriptor);
  }
  try {
    fs.renameSync(temporary, path);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
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
    const stats = fs.statSync(path, { throwIfNoEntry: false });
    return stats ? toStat(stats) : undefined;
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
