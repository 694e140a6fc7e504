import { createHash } from 'node:crypto';
import type { FileStat } from '../../engine/ports';

/** Numbers kept per file, in this order: inode, mtime (ms), size, mode. */
const STAT_FIELDS = 4;

/** One listed folder of the walk: its relpath prefix (`''` or `sub/dir/`) and its files, in order. */
interface WalkedFolder {
  readonly prefix: string;
  readonly files: readonly string[];
}

/**
 * The files of a folder tree and their stats, as a directory hash walks them, kept the cheap way:
 * each file's name once (the listing already holds the string) and its four numbers in one
 * growing Float64Array. A warm status of a 20,000-file folder needs no more than the fingerprint
 * of this; only when the fingerprint misses are the relpaths and `FileStat`s made, one at a time.
 *
 *   const walk = new DirectoryStats();
 *   walk.addFile(stat); ... walk.endFolder('sub/', ['a.csv', ...]);
 *   directoryCache.lookup(path, algorithm, walk.fingerprint());
 */
export class DirectoryStats {
  private readonly folders: WalkedFolder[] = [];
  private numbers = new Float64Array(STAT_FIELDS * 1024);
  private count = 0;

  /** A file's stat, in walk order; its name comes with its folder's in `endFolder`. */
  addFile(stat: FileStat): void {
    if ((this.count + 1) * STAT_FIELDS > this.numbers.length) {
      const grown = new Float64Array(this.numbers.length * 2);
      grown.set(this.numbers);
      this.numbers = grown;
    }
    const at = this.count * STAT_FIELDS;
    this.numbers[at] = stat.ino;
    this.numbers[at + 1] = stat.mtimeMs;
    this.numbers[at + 2] = stat.size;
    this.numbers[at + 3] = stat.mode;
    this.count++;
  }

  /** The names of the files added since the last folder ended, all of them, in the same order. */
  endFolder(prefix: string, files: readonly string[]): void {
    this.folders.push({ prefix, files });
  }

  /**
   * md5 over the names and the numbers, with no text made per file: each folder is `/prefix\0`
   * then `name\0` per file (a name holds neither `/` nor NUL, so the text reads back one way),
   * the numbers are the Float64Array's bytes (their count follows from the names); the two
   * digests are hashed together. Any file added, removed, renamed, rewritten (mtime, size or
   * inode) or chmod-ed changes it.
   */
  fingerprint(): string {
    const names = createHash('md5');
    for (const { prefix, files } of this.folders) {
      names.update(files.length === 0 ? `/${prefix}\0` : `/${prefix}\0${files.join('\0')}\0`);
    }
    const numbers = createHash('md5').update(
      new Uint8Array(this.numbers.buffer, 0, this.count * STAT_FIELDS * Float64Array.BYTES_PER_ELEMENT),
    );
    return createHash('md5').update(names.digest()).update(numbers.digest()).digest('hex');
  }

  /** Every file's relpath and stat, in walk order. */
  *files(): Generator<{ relpath: string; stat: FileStat }> {
    let index = 0;
    for (const { prefix, files } of this.folders) {
      for (const name of files) {
        const at = index++ * STAT_FIELDS;
        const stat: FileStat = {
          kind: 'file',
          ino: this.numbers[at]!,
          mtimeMs: this.numbers[at + 1]!,
          size: this.numbers[at + 2]!,
          mode: this.numbers[at + 3]!,
        };
        yield { relpath: `${prefix}${name}`, stat };
      }
    }
  }
}
