import { basename } from 'pathe';
import type { Stage } from '../pipeline/model';
import type { Clock, FileStat, FileSystem } from '../ports';
import { type Parsed, type Problem, problemAt } from '../problems';
import { isSameFileVersion, statCanVouch } from '../racyWindow';
import { type LockFileContent, type StageLockEntry, lockFilePathFor } from './model';
import { parseLockFile } from './parseLockFile';
import { describeError, EngineError } from '../engineError';

export interface ReadLock {
  /** Undefined when the file does not exist or could not be read. */
  readonly text: string | undefined;
  readonly parsed: Parsed<LockFileContent>;
}

interface Remembered extends ReadLock {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
  /**
   * Whether the stat could vouch for the text (statCanVouch: taken with a clock, and the file
   * changed before the racy window): only then is an equal stat later enough, without a read.
   */
  readonly settled: boolean;
  /**
   * The bytes `text` was read from (or was written as), kept beside it: a read of an unsettled
   * file compares bytes and decodes nothing when they are the same, since Node 20's TextDecoder
   * costs about four times the read and a run checks its lock file, which it rewrites every
   * second, once or twice per stage.
   */
  readonly bytes: Uint8Array;
}

/**
 * Lock files over this size are not read: a 1,000-stage dvc.lock is ~400 KB, so 16 MB (the cap
 * for pipeline files too) is ~40,000 stages, and reading and parsing stays bounded.
 */
export const MAX_LOCK_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Parsed lock files: status is computed often (every save in the editor) and a 1,000-stage lock
 * file should be parsed once. A parse is reused without reading the file while its (size, mtime,
 * ctime, inode) are unchanged and that stat was settled when the text was read (the racy rule,
 * statCanVouch: a dvc.lock rewritten by `git checkout` or `dvc commit` within the same timestamp
 * tick, with md5s of the same length, has the same size and mtime); otherwise the file is read
 * again, and the parse is reused when the bytes are the ones parsed. So a lock file changed within
 * the last 2 s, or read without a clock, costs a read (not a parse) per check. Keyed by the file
 * system's `readFile`, where the bytes come from: callers wrap the file system per call
 * (`{ ...fs, readDirectory }` for discovery, on every keystroke in the editor), and those
 * wrappers share the memo of the file system they wrap.
 */
const rememberedByFileSystem = new WeakMap<FileSystem['readFile'], Map<string, Remembered>>();

function rememberedFor(fs: FileSystem): Map<string, Remembered> {
  let map = rememberedByFileSystem.get(fs.readFile);
  if (!map) {
    map = new Map();
    rememberedByFileSystem.set(fs.readFile, map);
  }
  return map;
}

const EMPTY: Parsed<LockFileContent> = { value: { version: 2, stages: new Map() }, problems: [] };

/** Strict, so bytes that are not UTF-8 are found; a BOM stays in the text (it is written back). */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads and parses a lock file. A missing file is an empty lock. A path that cannot be read as a
 * lock file (a folder, no permission, not UTF-8 text, over MAX_LOCK_FILE_BYTES) gives an error
 * problem and no entries, like one that cannot be parsed: writers then refuse to touch it.
 * `clock` lets an unchanged old file be answered from a stat alone (see the memo above); without
 * it the file is read each time, and parsed only when its text changed.
 */
export function readLockFile(fs: FileSystem, path: string, clock?: Clock): ReadLock {
  const remembered = rememberedFor(fs);
  const takenAtMs = clock?.now();
  const unreadable = (message: string): ReadLock => {
    remembered.delete(path);
    return {
      text: undefined,
      parsed: { ...EMPTY, problems: [problemAt(path, undefined, 'error', 'lockFileUnreadable', message)] },
    };
  };
  const name = basename(path);
  const stat = fs.stat(path);
  if (!stat) {
    remembered.delete(path);
    return { text: undefined, parsed: EMPTY };
  }
  if (stat.kind !== 'file') {
    const what = stat.kind === 'directory' ? 'a folder' : 'not a regular file';
    return unreadable(`${name} is ${what}, not a lock file; move it away or delete it so mlc can record its stages.`);
  }
  const known = remembered.get(path);
  if (known?.settled && isSameFileVersion(known, stat)) return known;
  if (stat.size > MAX_LOCK_FILE_BYTES) {
    const megabytes = Math.round(stat.size / 1048576);
    return unreadable(
      `${name} is ${megabytes} MB; lock files over ${MAX_LOCK_FILE_BYTES / 1048576} MB are not read. Check what wrote it, or delete it to rerun its stages.`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = fs.readFile(path);
  } catch (error) {
    const reason = describeError(error);
    return unreadable(`${name} could not be read (${reason}); fix its permissions, or delete it to rerun its stages.`);
  }
  const settled = takenAtMs !== undefined && statCanVouch(stat, takenAtMs);
  let read: Remembered;
  if (known !== undefined && equalBytes(known.bytes, bytes)) {
    // The bytes parsed (or written) before: their text and parse hold whatever the stat says.
    read = { text: known.text, parsed: known.parsed, bytes, ...changeOf(stat), settled };
  } else {
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      return unreadable(
        `${name} is not a text file (its bytes are not UTF-8); restore it from git or delete it (its stages then run again).`,
      );
    }
    read = { text, parsed: parseLockFile(text, path), bytes, ...changeOf(stat), settled };
  }
  remembered.set(path, read);
  return read;
}

/** The first error of a lock file: while there is one, mlc reads no entry from it and writes none. */
export function lockFileError(read: ReadLock): Problem | undefined {
  return read.parsed.problems.find((problem) => problem.severity === 'error');
}

/**
 * Throws when a lock file must not be written: it exists but could not be read, so writing an
 * entry would lose the others. The user resolves the problem or deletes the file.
 */
export function assertLockWritable(read: ReadLock): void {
  const error = lockFileError(read);
  if (!error) return;
  throw new EngineError(
    'lockFileUnwritable',
    `${basename(error.file)}:${error.line}:${error.column}: ${error.message} mlc does not write a lock file it could not read.`,
  );
}

/**
 * Whether two byte arrays hold the same bytes. Compared four bytes at a time where both start on a
 * 4-byte boundary (a file's bytes and an encoded text do): a run compares its ~300 KB lock file once
 * or twice per stage, and the byte-wise loop cost 4x the read itself.
 */
function equalBytes(left: Uint8Array, right: Uint8Array): boolean {
  if (left.length !== right.length) return false;
  let index = 0;
  if (left.byteOffset % 4 === 0 && right.byteOffset % 4 === 0) {
    const words = left.length >>> 2;
    const leftWords = new Int32Array(left.buffer, left.byteOffset, words);
    const rightWords = new Int32Array(right.buffer, right.byteOffset, words);
    for (let word = 0; word < words; word++) if (leftWords[word] !== rightWords[word]) return false;
    index = words * 4;
  }
  for (; index < left.length; index++) if (left[index] !== right[index]) return false;
  return true;
}

const encoder = new TextEncoder();

const changeOf = (stat: FileStat) => ({
  size: stat.size,
  mtimeMs: stat.mtimeMs,
  ctimeMs: stat.ctimeMs,
  ino: stat.ino,
});

/**
 * After writing a lock file, remember what was written (no stale memo). `stages` is what the text
 * holds, known to the writer, so the growing file is not parsed again per stage. The memo is not
 * settled (a file just written is racy by definition: another program may rewrite it within the
 * same tick), so the next read reads the file again and reuses this parse only if its bytes
 * are still those of `text`. A file that was read with problems (an invalid entry kept as it was) is parsed
 * again next time instead, so its remaining problems stay known. Returns the stat taken after the
 * write (undefined when the file is gone).
 */
export function rememberLockFile(
  fs: FileSystem,
  path: string,
  text: string,
  stages: ReadonlyMap<string, StageLockEntry>,
  previous: Parsed<LockFileContent>,
): FileStat | undefined {
  const stat = fs.stat(path);
  if (!stat || previous.problems.length > 0) {
    rememberedFor(fs).delete(path);
    return stat;
  }
  const parsed: Parsed<LockFileContent> = { value: { version: 2, stages }, problems: [] };
  rememberedFor(fs).set(path, { text, parsed, bytes: encoder.encode(text), ...changeOf(stat), settled: false });
  return stat;
}

/**
 * Gives the memo a parse made earlier (a persisted cache of the CLI) of `bytes`, which the caller
 * read from `path` just now and checked are the bytes that parse was made of (UTF-8: else it
 * remembers nothing, and readLockFile reports them). `stat` was taken before the bytes were read,
 * at `takenAtMs`: readLockFile answers from the memo without a read while the file's stat stays
 * `stat` if that stat was settled then (statCanVouch), and otherwise reads the file and reuses the
 * parse while the bytes are the same.
 */
export function rememberParsedLockFile(
  fs: FileSystem,
  path: string,
  stat: FileStat,
  takenAtMs: number,
  bytes: Uint8Array,
  parsed: Parsed<LockFileContent>,
): void {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return;
  }
  const settled = statCanVouch(stat, takenAtMs);
  rememberedFor(fs).set(path, { text, parsed, bytes, ...changeOf(stat), settled });
}

/** The recorded entry of a stage after its last success; undefined if never recorded. */
export function readLockEntry(fs: FileSystem, stage: Stage): StageLockEntry | undefined {
  const path = lockFilePathFor(stage);
  return path ? readLockFile(fs, path).parsed.value.stages.get(stage.name) : undefined;
}
