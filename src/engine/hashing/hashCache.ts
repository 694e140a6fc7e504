import type { FileStat } from '../ports';
import type { FileHash, HashAlgorithm } from './ports';

interface CachedHash {
  readonly ino: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly size: number;
  readonly md5: string;
  readonly isexec: boolean;
}

/**
 * 3: each line holds the ctime too (after the mtime). Formats 1 and 2 had no ctime, so none of
 * their entries can vouch for a file any more: such a file is read as an empty cache and every
 * file is hashed once again (format 1 also held the files of hashed folders, which now have a
 * cache of their own per folder, see createContentHasher).
 */
const HEADER = 'mlc-hash-cache 3';

/**
 * Remembers file hashes keyed by (path, inode, size, mtime, ctime), so an unchanged file is never
 * read twice. ctime makes it stricter than DVC's state DB (inode, mtime, size): a program can put
 * an mtime back (utimes, `touch -d`) after a same-size rewrite, but not a ctime, which the kernel
 * sets to the time of every write. What this key cannot see is a rewrite within the same timestamp
 * tick as the stat the hash was stored with (ext4 takes file times from a clock that ticks every
 * few milliseconds, FAT every 2 s): that is the caller's racy-clean rule, as git's index has it,
 * and `createContentHasher` keeps only entries whose mtime and ctime were already older than the
 * racy window when their stat was taken.
 *
 * Persisted as one line per file (`md5 size ino mtimeMs ctimeMs flags path`, tab-separated, paths
 * relative to the workspace) because 100,000 entries must load in a few tens of milliseconds
 * and JSON of that size costs several times more to parse.
 */
export class HashCache {
  private readonly byAlgorithm: Record<HashAlgorithm, Map<string, CachedHash>> = {
    md5: new Map(),
    'md5-dos2unix': new Map(),
  };
  private changed = false;

  constructor(private readonly root: string) {}

  get dirty(): boolean {
    return this.changed;
  }

  get size(): number {
    return this.byAlgorithm.md5.size + this.byAlgorithm['md5-dos2unix'].size;
  }

  lookup(path: string, algorithm: HashAlgorithm, stat: FileStat): FileHash | undefined {
    const cached = this.byAlgorithm[algorithm].get(path);
    const isFresh =
      cached !== undefined &&
      cached.ino === stat.ino &&
      cached.mtimeMs === stat.mtimeMs &&
      cached.ctimeMs === stat.ctimeMs &&
      cached.size === stat.size;
    if (!isFresh) return undefined;
    return cached.isexec
      ? { md5: cached.md5, size: cached.size, isexec: true, algorithm }
      : { md5: cached.md5, size: cached.size, algorithm };
  }

  /** The caller stores only a stat that can vouch later (not racy: see the class comment). */
  store(path: string, stat: FileStat, hash: FileHash): void {
    this.byAlgorithm[hash.algorithm].set(path, {
      ino: stat.ino,
      mtimeMs: stat.mtimeMs,
      ctimeMs: stat.ctimeMs,
      size: stat.size,
      md5: hash.md5,
      isexec: hash.isexec === true,
    });
    this.changed = true;
  }

  markClean(): void {
    this.changed = false;
  }

  serialize(): string {
    const lines = [HEADER];
    for (const algorithm of ['md5', 'md5-dos2unix'] as const) {
      const legacyFlag = algorithm === 'md5-dos2unix' ? 'd' : '';
      for (const [path, entry] of this.byAlgorithm[algorithm]) {
        const flags = `${legacyFlag}${entry.isexec ? 'x' : ''}` || '-';
        const stored = path.startsWith(`${this.root}/`) ? path.slice(this.root.length + 1) : path;
        lines.push(
          `${entry.md5}\t${entry.size}\t${entry.ino}\t${entry.mtimeMs}\t${entry.ctimeMs}\t${flags}\t${stored}`,
        );
      }
    }
    return `${lines.join('\n')}\n`;
  }

  /** Reads a persisted cache; anything unreadable is dropped (the cache is only an optimisation). */
  static parse(root: string, text: string): HashCache {
    const cache = new HashCache(root);
    const lines = text.split('\n');
    if (lines[0] !== HEADER) return cache;
    for (let index = 1; index < lines.length; index++) {
      const fields = lines[index]!.split('\t');
      if (fields.length !== 7) continue;
      const [md5, size, ino, mtimeMs, ctimeMs, flags, stored] = fields as [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      const algorithm: HashAlgorithm = flags.includes('d') ? 'md5-dos2unix' : 'md5';
      const path = /^([A-Za-z]:)?\//.test(stored) ? stored : `${root}/${stored}`;
      cache.byAlgorithm[algorithm].set(path, {
        md5,
        size: Number(size),
        ino: Number(ino),
        mtimeMs: Number(mtimeMs),
        ctimeMs: Number(ctimeMs),
        isexec: flags.includes('x'),
      });
    }
    return cache;
  }
}
