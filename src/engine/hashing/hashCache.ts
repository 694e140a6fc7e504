import type { FileStat } from '../ports';
import type { FileHash, HashAlgorithm } from './ports';

interface CachedHash {
  readonly ino: number;
  readonly mtimeMs: number;
  readonly size: number;
  readonly md5: string;
  readonly isexec: boolean;
}

/**
 * Format 2 holds the same lines as 1; it only says that a folder's files are no longer kept here
 * (they have a cache of their own per folder, see createContentHasher), so a format-1 file may
 * still hold them: see `dropInside`.
 */
const HEADER = 'mlc-hash-cache 2';
const LEGACY_HEADER = 'mlc-hash-cache 1';

/**
 * Remembers file hashes keyed by (path, inode, mtime, size), as DVC's state DB does, so an
 * unchanged file is never read twice. Trade-off (documented in ARCHITECTURE.md): a file rewritten
 * in place with the same size within the same mtime tick and inode keeps its old hash; DVC has
 * the same blind spot.
 *
 * Persisted as one line per file (`md5 size ino mtimeMs flags path`, tab-separated, paths
 * relative to the workspace) because 100,000 entries must load in a few tens of milliseconds
 * and JSON of that size costs several times more to parse.
 */
export class HashCache {
  private readonly byAlgorithm: Record<HashAlgorithm, Map<string, CachedHash>> = {
    md5: new Map(),
    'md5-dos2unix': new Map(),
  };
  private changed = false;
  private formatIsLegacy = false;

  constructor(private readonly root: string) {}

  /** Read from a format-1 file, which may hold the files of hashed folders too. */
  get legacy(): boolean {
    return this.formatIsLegacy;
  }

  get dirty(): boolean {
    return this.changed;
  }

  get size(): number {
    return this.byAlgorithm.md5.size + this.byAlgorithm['md5-dos2unix'].size;
  }

  lookup(path: string, algorithm: HashAlgorithm, stat: FileStat): FileHash | undefined {
    const cached = this.byAlgorithm[algorithm].get(path);
    const isFresh =
      cached !== undefined && cached.ino === stat.ino && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size;
    if (!isFresh) return undefined;
    return cached.isexec
      ? { md5: cached.md5, size: cached.size, isexec: true, algorithm }
      : { md5: cached.md5, size: cached.size, algorithm };
  }

  store(path: string, stat: FileStat, hash: FileHash): void {
    this.byAlgorithm[hash.algorithm].set(path, {
      ino: stat.ino,
      mtimeMs: stat.mtimeMs,
      size: stat.size,
      md5: hash.md5,
      isexec: hash.isexec === true,
    });
    this.changed = true;
  }

  markClean(): void {
    this.changed = false;
  }

  /** Forgets every file inside these folders (absolute paths); rewritten at the next flush. */
  dropInside(folders: readonly string[]): void {
    if (folders.length === 0) return;
    const prefixes = folders.map((folder) => `${folder}/`);
    for (const entries of Object.values(this.byAlgorithm)) {
      for (const path of entries.keys()) {
        if (prefixes.some((prefix) => path.startsWith(prefix))) entries.delete(path);
      }
    }
    this.changed = true;
  }

  serialize(): string {
    const lines = [HEADER];
    for (const algorithm of ['md5', 'md5-dos2unix'] as const) {
      const legacyFlag = algorithm === 'md5-dos2unix' ? 'd' : '';
      for (const [path, entry] of this.byAlgorithm[algorithm]) {
        const flags = `${legacyFlag}${entry.isexec ? 'x' : ''}` || '-';
        const stored = path.startsWith(`${this.root}/`) ? path.slice(this.root.length + 1) : path;
        lines.push(`${entry.md5}\t${entry.size}\t${entry.ino}\t${entry.mtimeMs}\t${flags}\t${stored}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }

  /** Reads a persisted cache; anything unreadable is dropped (the cache is only an optimisation). */
  static parse(root: string, text: string): HashCache {
    const cache = new HashCache(root);
    const lines = text.split('\n');
    if (lines[0] !== HEADER && lines[0] !== LEGACY_HEADER) return cache;
    cache.formatIsLegacy = lines[0] === LEGACY_HEADER;
    for (let index = 1; index < lines.length; index++) {
      const fields = lines[index]!.split('\t');
      if (fields.length !== 6) continue;
      const [md5, size, ino, mtimeMs, flags, stored] = fields as [string, string, string, string, string, string];
      const algorithm: HashAlgorithm = flags.includes('d') ? 'md5-dos2unix' : 'md5';
      const path = /^([A-Za-z]:)?\//.test(stored) ? stored : `${root}/${stored}`;
      cache.byAlgorithm[algorithm].set(path, {
        md5,
        size: Number(size),
        ino: Number(ino),
        mtimeMs: Number(mtimeMs),
        isexec: flags.includes('x'),
      });
    }
    return cache;
  }
}
