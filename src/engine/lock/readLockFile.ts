import type { Stage } from '../pipeline/model';
import type { FileSystem } from '../ports';
import type { Parsed } from '../problems';
import { type LockFileContent, type StageLockEntry, lockFilePathFor } from './model';
import { parseLockFile } from './parseLockFile';

interface ReadLock {
  /** Undefined when the file does not exist. */
  readonly text: string | undefined;
  readonly parsed: Parsed<LockFileContent>;
}

interface Remembered extends ReadLock {
  readonly mtimeMs: number;
  readonly size: number;
}

/**
 * Parsed lock files, reused while the file's (mtime, size) are unchanged: status is computed
 * often (every save in the editor) and a 1,000-stage lock file should be parsed once.
 */
const rememberedByFileSystem = new WeakMap<FileSystem, Map<string, Remembered>>();

function rememberedFor(fs: FileSystem): Map<string, Remembered> {
  let map = rememberedByFileSystem.get(fs);
  if (!map) {
    map = new Map();
    rememberedByFileSystem.set(fs, map);
  }
  return map;
}

const EMPTY: Parsed<LockFileContent> = { value: { version: 2, stages: new Map() }, problems: [] };

export function readLockFile(fs: FileSystem, path: string): ReadLock {
  const remembered = rememberedFor(fs);
  const stat = fs.stat(path);
  if (!stat || stat.kind !== 'file') {
    remembered.delete(path);
    return { text: undefined, parsed: EMPTY };
  }
  const known = remembered.get(path);
  if (known && known.mtimeMs === stat.mtimeMs && known.size === stat.size) return known;
  let text: string;
  try {
    text = fs.readText(path);
  } catch {
    return { text: undefined, parsed: EMPTY };
  }
  const read: Remembered = { text, parsed: parseLockFile(text, path), mtimeMs: stat.mtimeMs, size: stat.size };
  remembered.set(path, read);
  return read;
}

/**
 * After writing a lock file, remember what was written (no re-read, no stale memo). `content` is
 * what the text holds, known to the writer, so the growing file is not parsed again per stage.
 */
export function rememberLockFile(fs: FileSystem, path: string, text: string, content: Parsed<LockFileContent>): void {
  const stat = fs.stat(path);
  if (!stat) return;
  rememberedFor(fs).set(path, { text, parsed: content, mtimeMs: stat.mtimeMs, size: stat.size });
}

/** The recorded entry of a stage after its last success; undefined if never recorded. */
export function readLockEntry(fs: FileSystem, stage: Stage): StageLockEntry | undefined {
  const path = lockFilePathFor(stage);
  return path ? readLockFile(fs, path).parsed.value.stages.get(stage.name) : undefined;
}
