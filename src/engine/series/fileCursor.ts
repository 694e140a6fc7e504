import type { FileStat, FileSystem } from '../ports';
import { isSameFileVersion, statCanVouch } from '../racyWindow';

/**
 * Where an incremental read of one file stopped, with what is needed to notice that the file was
 * replaced rather than appended to: its inode, and a few bytes at the start and just before the
 * offset. Lightning's CSVLogger truncates and rewrites metrics.csv in place (same inode, bigger
 * size), which only the content check catches.
 */
export interface FileCursor {
  readonly path: string;
  readonly offset: number;
  readonly size: number;
  readonly ino: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  /**
   * Whether the stat could vouch for the bytes read (statCanVouch: taken with a clock, and the
   * file changed before the racy window). Only then does an equal stat later mean 'unchanged'
   * without the content check: a file rewritten within the same timestamp tick keeps its size
   * and times.
   */
  readonly settled: boolean;
  readonly head: string;
  readonly anchor: string;
}

export type FileChange = 'unchanged' | 'appended' | 'replaced' | 'missing';

const HEAD_BYTES = 128;
const ANCHOR_BYTES = 64;
const decoder = new TextDecoder('utf-8');

function sample(fs: FileSystem, path: string, position: number, length: number): string {
  if (length <= 0) return '';
  return decoder.decode(fs.readRange(path, position, length));
}

/**
 * Makes a cursor after a read that consumed the file up to `offset`; `stat` was taken before the
 * read, at `takenAtMs` (the clock read just before it; without it the cursor is never settled).
 */
export function createFileCursor(
  fs: FileSystem,
  path: string,
  offset: number,
  stat: FileStat,
  takenAtMs?: number,
): FileCursor {
  return {
    path,
    offset,
    size: stat.size,
    ino: stat.ino,
    mtimeMs: stat.mtimeMs,
    ctimeMs: stat.ctimeMs,
    settled: takenAtMs !== undefined && statCanVouch(stat, takenAtMs),
    head: sample(fs, path, 0, Math.min(HEAD_BYTES, offset)),
    anchor: sample(fs, path, Math.max(0, offset - ANCHOR_BYTES), Math.min(ANCHOR_BYTES, offset)),
  };
}

/**
 * Decides how a file changed since the cursor: a shrink, a new inode or different bytes before the
 * offset mean "replaced" (read again from 0); a bigger size with the same bytes means "appended"
 * (read from the offset). An equal stat is "unchanged" without a read only for a settled cursor;
 * otherwise the bytes are checked, and an 'unchanged' answer comes with `cursor`, the cursor to
 * keep (the stat of this check, settled when it can vouch at `takenAtMs`, the clock read before
 * this call): so a file changed within 2 s of its read is checked again until its stat settles.
 * Never throws: a file that vanished is "missing".
 */
export function checkFileCursor(
  fs: FileSystem,
  cursor: FileCursor,
  takenAtMs?: number,
): { readonly change: FileChange; readonly stat: FileStat | undefined; readonly cursor?: FileCursor } {
  let stat: FileStat | undefined;
  try {
    stat = fs.stat(cursor.path);
  } catch {
    stat = undefined;
  }
  if (!stat || stat.kind !== 'file') return { change: 'missing', stat: undefined };
  const isSameFile = stat.ino === cursor.ino && stat.size >= cursor.offset;
  if (!isSameFile) return { change: 'replaced', stat };
  if (cursor.settled && isSameFileVersion(cursor, stat)) return { change: 'unchanged', stat };
  try {
    const headNow = sample(fs, cursor.path, 0, cursor.head.length === 0 ? 0 : Math.min(HEAD_BYTES, cursor.offset));
    const anchorStart = Math.max(0, cursor.offset - ANCHOR_BYTES);
    const anchorNow = sample(fs, cursor.path, anchorStart, cursor.offset - anchorStart);
    if (headNow !== cursor.head || anchorNow !== cursor.anchor) return { change: 'replaced', stat };
  } catch {
    return { change: 'missing', stat: undefined };
  }
  if (stat.size > cursor.offset) return { change: 'appended', stat };
  const settled = takenAtMs !== undefined && statCanVouch(stat, takenAtMs);
  const kept = { ...cursor, size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, settled };
  return { change: 'unchanged', stat, cursor: kept };
}
