import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { FileStat } from '../engine/ports';

/**
 * The numbers `fs.statSync` reads, without the `fs.Stats` object around them.
 *
 * Node 20's `statSync` is the file system binding's `stat` (which fills one shared Float64Array)
 * followed by a `Stats` object with four `Date`s built from it. A status of a 20,000-file folder
 * makes 20,000 of each, and in a fresh CLI process that object work (and the garbage it leaves)
 * cost about a third of the stats: 100 -> 72 ms for the same files (bench/README, "Where the
 * CLI's time goes"). Node 20 has no public stat without the `Date`s, so this calls the binding
 * `statSync` itself calls, with the same arguments, when it is there and proves to answer exactly
 * as `statSync` does on this process's own executable; otherwise, and for any path `statSync`
 * would refuse before the binding (a NUL byte) or reshape (Windows), it is `statSync`.
 *
 * Errors are `statSync`'s own (the same binding throws them, with `code`); an absent path is
 * `undefined`, as `statSync(path, { throwIfNoEntry: false })` answers.
 */
export function statWithoutStats(path: string): FileStat | undefined {
  const rawStat = findRawStat();
  if (rawStat !== undefined && !path.includes('\0')) {
    const values = rawStat(path, false, undefined, false);
    return values === undefined ? undefined : fileStatOf(values);
  }
  const stats = fs.statSync(path, { throwIfNoEntry: false });
  return stats && fileStatFromStats(stats);
}

/** The binding's `stat(path, useBigint, request, throwIfNoEntry)` as Node 20-24 define it. */
type RawStat = (path: string, useBigint: false, request: undefined, throwIfNoEntry: false) => Float64Array | undefined;

// Offsets in the binding's stat array (node_file.h FillStatsArray): dev, mode, nlink, uid, gid,
// rdev, blksize, ino, size, blocks, then (seconds, nanoseconds) of atime, mtime, ctime, birthtime.
const DEV = 0;
const MODE = 1;
const INO = 7;
const SIZE = 8;
const MTIME_SECONDS = 12;
const MTIME_NANOSECONDS = 13;
const CTIME_SECONDS = 14;
const CTIME_NANOSECONDS = 15;

/** Numbers kept per path of a change fingerprint: dev, ino, size, mtime (s, ns), ctime (s, ns). */
const CHANGE_FIELDS = 7;

/**
 * Writes the numbers that tell a later process a path was not touched since into `into` at `at`
 * (CHANGE_FIELDS of them): device, inode, size, and mtime and ctime as whole seconds and their
 * nanoseconds, as the binding's stat array holds them (`statSync(path, { bigint: true })` split the
 * same way where the binding is not used). ctime cannot be set back by a program (mtime can, with
 * utimes), so a rewrite of the same size that restores the mtime still changes them. Returns the
 * later of mtime and ctime in ms, for the racy-timestamp rule of whoever keeps them; undefined,
 * with -1s written (no stat has them), when there is nothing usable at the path (absent, a loop,
 * no permission). Follows symlinks, as FileSystem.stat does.
 */
function readChangeNumbers(path: string, into: Float64Array, at: number): number | undefined {
  try {
    const rawStat = findRawStat();
    if (rawStat !== undefined && !path.includes('\0')) {
      const values = rawStat(path, false, undefined, false);
      if (values !== undefined) {
        into[at] = values[DEV]!;
        into[at + 1] = values[INO]!;
        into[at + 2] = values[SIZE]!;
        into[at + 3] = values[MTIME_SECONDS]!;
        into[at + 4] = values[MTIME_NANOSECONDS]!;
        into[at + 5] = values[CTIME_SECONDS]!;
        into[at + 6] = values[CTIME_NANOSECONDS]!;
        return Math.max(
          values[MTIME_SECONDS]! * 1e3 + values[MTIME_NANOSECONDS]! / 1e6,
          values[CTIME_SECONDS]! * 1e3 + values[CTIME_NANOSECONDS]! / 1e6,
        );
      }
    } else {
      const stats = fs.statSync(path, { bigint: true, throwIfNoEntry: false });
      if (stats) {
        // Whole seconds and their nanoseconds, floored as a timespec is.
        const split = (ns: bigint, index: number) => {
          const seconds = ns / 1_000_000_000n - (ns < 0n && ns % 1_000_000_000n !== 0n ? 1n : 0n);
          into[index] = Number(seconds);
          into[index + 1] = Number(ns - seconds * 1_000_000_000n);
        };
        into[at] = Number(stats.dev);
        into[at + 1] = Number(stats.ino);
        into[at + 2] = Number(stats.size);
        split(stats.mtimeNs, at + 3);
        split(stats.ctimeNs, at + 5);
        return Math.max(Number(stats.mtimeNs) / 1e6, Number(stats.ctimeNs) / 1e6);
      }
    }
  } catch {
    // a loop, no permission: nothing usable
  }
  into.fill(-1, at, at + CHANGE_FIELDS);
  return undefined;
}

const fingerprintNumbers = new Float64Array(CHANGE_FIELDS);

/**
 * A path's change numbers (readChangeNumbers) as one text, `dev:ino:size:mtimeNs:ctimeNs` (as
 * `statSync(path, { bigint: true })` gives them), with `newestMs`; undefined when nothing usable
 * is there.
 */
export function changeFingerprint(path: string): { readonly text: string; readonly newestMs: number } | undefined {
  const newestMs = readChangeNumbers(path, fingerprintNumbers, 0);
  if (newestMs === undefined) return undefined;
  const [dev, ino, size, mtimeSeconds, mtimeNanos, ctimeSeconds, ctimeNanos] = fingerprintNumbers;
  const mtimeNs = nanoseconds(mtimeSeconds!, mtimeNanos!);
  const ctimeNs = nanoseconds(ctimeSeconds!, ctimeNanos!);
  return { text: `${dev}:${ino}:${size}:${mtimeNs}:${ctimeNs}`, newestMs };
}

/** Paths whose numbers are gathered before they go into the md5 (the buffer is reused). */
const BUFFERED_PATHS = 1024;

/**
 * One md5 over the change numbers (readChangeNumbers) of many paths, in the order they are added,
 * with no text per path: each path's seven numbers go into a reused Float64Array, which goes into
 * the md5 when full. A kept answer that read 20,000 files checks them with this rather than
 * 20,000 texts.
 *
 *   const digest = new ChangeDigest();
 *   for (const path of paths) digest.add(path);
 *   digest.digest() === kept.digest;
 */
export class ChangeDigest {
  private readonly hash = createHash('md5');
  private readonly buffered = new Float64Array(CHANGE_FIELDS * BUFFERED_PATHS);
  private bufferedCount = 0;

  /** Adds `path`'s numbers; returns the later of its mtime and ctime in ms, or undefined when nothing usable is there. */
  add(path: string): number | undefined {
    if (this.bufferedCount === BUFFERED_PATHS) this.hashBuffered();
    return readChangeNumbers(path, this.buffered, this.bufferedCount++ * CHANGE_FIELDS);
  }

  /** The md5 of every path added, in hex. Ends the digest: call once. */
  digest(): string {
    this.hashBuffered();
    return this.hash.digest('hex');
  }

  private hashBuffered(): void {
    const bytes = this.bufferedCount * CHANGE_FIELDS * Float64Array.BYTES_PER_ELEMENT;
    if (bytes > 0) this.hash.update(new Uint8Array(this.buffered.buffer, 0, bytes));
    this.bufferedCount = 0;
  }
}

/** Whole seconds and their nanoseconds as one decimal number of nanoseconds (bigint's text). */
function nanoseconds(seconds: number, nanos: number): string {
  if (seconds === 0) return String(nanos);
  if (seconds < 0) return String(BigInt(seconds) * 1_000_000_000n + BigInt(nanos));
  return `${seconds}${String(nanos).padStart(9, '0')}`;
}

const { S_IFMT, S_IFREG, S_IFDIR } = fs.constants;

function kindOf(mode: number): FileStat['kind'] {
  const type = mode & S_IFMT;
  return type === S_IFREG ? 'file' : type === S_IFDIR ? 'directory' : 'other';
}

function fileStatOf(values: Float64Array): FileStat {
  const mode = values[MODE]!;
  return {
    kind: kindOf(mode),
    size: values[SIZE]!,
    // Node's own arithmetic (msFromTimeSpec), so the value equals Stats.mtimeMs to the last bit:
    // the hash caches compare it exactly.
    mtimeMs: values[MTIME_SECONDS]! * 1e3 + values[MTIME_NANOSECONDS]! / 1e6,
    ctimeMs: values[CTIME_SECONDS]! * 1e3 + values[CTIME_NANOSECONDS]! / 1e6,
    ino: values[INO]!,
    mode,
  };
}

export function fileStatFromStats(stats: fs.Stats): FileStat {
  return {
    kind: stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'other',
    size: stats.size,
    mtimeMs: stats.mtimeMs,
    ctimeMs: stats.ctimeMs,
    ino: stats.ino,
    mode: stats.mode,
  };
}

function sameStat(left: FileStat, right: FileStat): boolean {
  return (
    left.kind === right.kind &&
    left.size === right.size &&
    left.mtimeMs === right.mtimeMs &&
    left.ctimeMs === right.ctimeMs &&
    left.ino === right.ino &&
    left.mode === right.mode
  );
}

/** `process.binding` warns when asked to (DEP0111 is pending): then the public way is taken. */
function pendingDeprecationWarns(): boolean {
  return (
    process.execArgv.includes('--pending-deprecation') ||
    (process.env.NODE_OPTIONS ?? '').includes('--pending-deprecation') ||
    process.env.NODE_PENDING_DEPRECATION === '1'
  );
}

/** Found on the first stat: undefined when statSync must do. */
let foundRawStat: { readonly stat: RawStat | undefined } | undefined;

function findRawStat(): RawStat | undefined {
  foundRawStat ??= { stat: provenRawStat() };
  return foundRawStat.stat;
}

function provenRawStat(): RawStat | undefined {
  if (process.platform === 'win32' || pendingDeprecationWarns()) return undefined;
  try {
    const binding = (process as { binding?: (name: string) => unknown }).binding?.('fs') as
      { stat?: unknown } | undefined;
    const candidate = binding?.stat;
    if (typeof candidate !== 'function') return undefined;
    const stat = candidate.bind(binding) as RawStat;
    // Proven on a file that exists and a path that does not, against statSync itself.
    const probe = process.execPath;
    const values = stat(probe, false, undefined, false);
    const expected = fs.statSync(probe);
    if (!(values instanceof Float64Array) || !sameStat(fileStatOf(values), fileStatFromStats(expected)))
      return undefined;
    if (stat(`${probe}.mlc-absent-${process.pid}`, false, undefined, false) !== undefined) return undefined;
    return stat;
  } catch {
    return undefined; // no binding (a permission model, another runtime): statSync it is
  }
}

/** Whether stats skip the `fs.Stats` object in this process (the tests check both ways agree). */
export function statsSkipStatsObjects(): boolean {
  return findRawStat() !== undefined;
}
