import type { FileStat, FileSystem } from '../ports';
import type { FileFingerprint } from './runIndexModel';

/**
 * Wraps a FileSystem and remembers the stat of every path a reader stats, reads or lists, so the
 * run index learns which files a store was read from without any reader having to say so (the
 * RunReader interface stays as it is for every source).
 */
export function createRecordingFileSystem(
  fs: FileSystem,
  statOf: (path: string) => FileStat | undefined,
): { readonly fs: FileSystem; inputs(): FileFingerprint[] } {
  const recorded = new Map<string, FileFingerprint>();
  const record = (path: string, known?: FileStat) => {
    if (recorded.has(path)) return;
    recorded.set(path, fingerprint(path, known ?? statOf(path)));
  };
  const recordingFs: FileSystem = {
    readFile(path) {
      record(path);
      return fs.readFile(path);
    },
    readRange(path, position, length) {
      record(path);
      return fs.readRange(path, position, length);
    },
    readText(path) {
      record(path);
      return fs.readText(path);
    },
    stat(path) {
      const stat = statOf(path);
      record(path, stat);
      return stat;
    },
    readDirectory(path) {
      record(path);
      return fs.readDirectory(path);
    },
    realPath: (path) => fs.realPath(path),
    writeFileAtomic: (path, data) => fs.writeFileAtomic(path, data),
    appendFile: (path, data) => fs.appendFile(path, data),
    makeDirectory: (path) => fs.makeDirectory(path),
    remove: (path) => fs.remove(path),
  };
  return { fs: recordingFs, inputs: () => [...recorded.values()] };
}

export function fingerprint(path: string, stat: FileStat | undefined): FileFingerprint {
  if (!stat) return { path, kind: 'absent', size: 0, mtimeMs: 0, ctimeMs: 0, ino: 0 };
  return {
    path,
    kind: stat.kind,
    size: stat.kind === 'directory' ? 0 : stat.size,
    mtimeMs: stat.mtimeMs,
    ctimeMs: stat.ctimeMs,
    ino: stat.ino,
  };
}

/**
 * Whether a path still looks as it did when fingerprinted (allocation-free: called per input on
 * reopen). Proves the content unchanged only for a fingerprint that could vouch for it when taken
 * (statCanVouch: the caller's racy rule).
 */
export function isUnchanged(previous: FileFingerprint, stat: FileStat | undefined): boolean {
  if (!stat) return previous.kind === 'absent';
  return (
    stat.kind === previous.kind &&
    (stat.kind === 'directory' || stat.size === previous.size) &&
    stat.mtimeMs === previous.mtimeMs &&
    stat.ctimeMs === previous.ctimeMs &&
    stat.ino === previous.ino
  );
}
