import { createHash } from 'node:crypto';
import type { FileStat } from '../../engine/ports';

/** Numbers kept per file, in this order: inode, mtime (ms), ctime (ms), size, mode. */
const STAT_FIELDS = 5;

/** How many files' numbers are gathered before they go into the md5 (the buffer is reused). */
const BUFFERED_FILES = 1024;

/**
 * The fingerprint of a folder tree's files and their stats, as a directory hash walks them, made
 * as the walk goes with nothing kept per file: each folder's names go into one md5 when the folder
 * ends, the five numbers of each file into a small reused Float64Array that goes into another md5
 * when full. A warm status of a 1,000,000-file folder holds no more than one folder's listing.
 * `newestChangeMs` is the latest mtime or ctime seen, for the racy rule of whoever keeps the
 * fingerprint (createContentHasher).
 *
 *   const walk = new DirectoryStats();
 *   walk.addFile(stat); ... walk.endFolder('sub/', ['a.csv', ...]);
 *   directoryCache.lookup(path, algorithm, walk.fingerprint());
 */
export class DirectoryStats {
  private readonly names = createHash('md5');
  private readonly numbers = createHash('md5');
  private readonly buffered = new Float64Array(STAT_FIELDS * BUFFERED_FILES);
  private bufferedCount = 0;
  private newest = -Infinity;

  /** A file's stat, in walk order; its name comes with its folder's in `endFolder`. */
  addFile(stat: FileStat): void {
    if (this.bufferedCount === BUFFERED_FILES) this.hashBufferedNumbers();
    const at = this.bufferedCount * STAT_FIELDS;
    this.buffered[at] = stat.ino;
    this.buffered[at + 1] = stat.mtimeMs;
    this.buffered[at + 2] = stat.ctimeMs;
    this.buffered[at + 3] = stat.size;
    this.buffered[at + 4] = stat.mode;
    this.bufferedCount++;
    if (stat.mtimeMs > this.newest) this.newest = stat.mtimeMs;
    if (stat.ctimeMs > this.newest) this.newest = stat.ctimeMs;
  }

  /** The latest mtime or ctime of the files added so far (-Infinity before the first). */
  get newestChangeMs(): number {
    return this.newest;
  }

  /** The names of the files added since the last folder ended, all of them, in the same order. */
  endFolder(prefix: string, files: readonly string[]): void {
    this.names.update(files.length === 0 ? `/${prefix}\0` : `/${prefix}\0${files.join('\0')}\0`);
  }

  /**
   * md5 over the names and the numbers, with no text made per file: each folder is `/prefix\0`
   * then `name\0` per file (a name holds neither `/` nor NUL, so the text reads back one way),
   * the numbers are the bytes of every file's (inode, mtime, ctime, size, mode) as float64s (their
   * count follows from the names); the two digests are hashed together. Any file added, removed,
   * renamed, rewritten (ctime, and mtime, size or inode) or chmod-ed changes it. Ends the walk:
   * call once.
   */
  fingerprint(): string {
    this.hashBufferedNumbers();
    return createHash('md5').update(this.names.digest()).update(this.numbers.digest()).digest('hex');
  }

  private hashBufferedNumbers(): void {
    const bytes = this.bufferedCount * STAT_FIELDS * Float64Array.BYTES_PER_ELEMENT;
    if (bytes > 0) this.numbers.update(new Uint8Array(this.buffered.buffer, 0, bytes));
    this.bufferedCount = 0;
  }
}
