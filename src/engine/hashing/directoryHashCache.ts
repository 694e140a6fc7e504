import type { FileHash, HashAlgorithm } from './ports';

interface CachedDirectory {
  /** md5 of every file's relpath and (inode, mtime, ctime, size, mode), in walk order (DirectoryStats). */
  readonly fingerprint: string;
  readonly md5: string;
  readonly size: number;
  readonly nfiles: number;
}

// 3: the stat numbers include each file's ctime, and a folder is kept only when none of its files
// was racy (2 had neither; 1 was md5 of text lines); a file of another version is read as empty,
// so its folders are hashed again.
const HEADER = 'mlc-dir-cache 3';

/**
 * Directory hashes keyed by a fingerprint of their files' stats. A warm check of a folder of
 * 100,000 files must still stat every file (a changed file changes nothing above it), but with a
 * matching fingerprint it skips the 100,000 per-file lookups, the manifest and its md5, and never
 * loads the per-file cache at all. Kept apart from the file cache (its own small file) for that.
 * As for HashCache, the caller stores only a fingerprint whose files' mtimes and ctimes were all
 * older than the racy window when the walk began (createContentHasher).
 */
export class DirectoryHashCache {
  private readonly entries = new Map<string, CachedDirectory>();
  private changed = false;

  constructor(private readonly root: string) {}

  get dirty(): boolean {
    return this.changed;
  }

  lookup(path: string, algorithm: HashAlgorithm, fingerprint: string): FileHash | undefined {
    const cached = this.entries.get(`${algorithm}\0${path}`);
    if (cached?.fingerprint !== fingerprint) return undefined;
    return { md5: cached.md5, size: cached.size, nfiles: cached.nfiles, algorithm };
  }

  store(path: string, fingerprint: string, hash: FileHash): void {
    const entry = { fingerprint, md5: hash.md5, size: hash.size, nfiles: hash.nfiles ?? 0 };
    this.entries.set(`${hash.algorithm}\0${path}`, entry);
    this.changed = true;
  }

  markClean(): void {
    this.changed = false;
  }

  serialize(): string {
    const lines = [HEADER];
    for (const [key, entry] of this.entries) {
      const [algorithm, path = ''] = key.split('\0');
      const stored = path.startsWith(`${this.root}/`) ? path.slice(this.root.length + 1) : path;
      const flag = algorithm === 'md5-dos2unix' ? 'd' : '-';
      lines.push(`${entry.md5}\t${entry.size}\t${entry.nfiles}\t${entry.fingerprint}\t${flag}\t${stored}`);
    }
    return `${lines.join('\n')}\n`;
  }

  static parse(root: string, text: string): DirectoryHashCache {
    const cache = new DirectoryHashCache(root);
    const lines = text.split('\n');
    if (lines[0] !== HEADER) return cache;
    for (const line of lines.slice(1)) {
      const fields = line.split('\t');
      if (fields.length !== 6) continue;
      const [md5, size, nfiles, fingerprint, flag, stored] = fields as [string, string, string, string, string, string];
      const path = /^([A-Za-z]:)?\//.test(stored) ? stored : `${root}/${stored}`;
      const algorithm: HashAlgorithm = flag === 'd' ? 'md5-dos2unix' : 'md5';
      cache.entries.set(`${algorithm}\0${path}`, { fingerprint, md5, size: Number(size), nfiles: Number(nfiles) });
    }
    return cache;
  }
}
