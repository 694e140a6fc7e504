import { join } from 'pathe';
import type { DirectoryEntry, FileSystem } from '../ports';
import { hasWorkspaceMarker } from './findWorkspaceRoot';

/** Folders no walk ever enters: tool caches, VCS data, virtualenvs, dependencies. */
export const ALWAYS_SKIPPED_FOLDERS: ReadonlySet<string> = new Set([
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  '.mlc',
  '.dvc',
  '.venv',
  'venv',
  'env',
  '.tox',
  '.nox',
  '__pycache__',
  '.mypy_cache',
  '.pytest_cache',
  '.ipynb_checkpoints',
  'site-packages',
]);

export interface WalkOptions {
  /** Extra folder names or workspace-relative paths to skip (the `mlc.ignore` setting). */
  readonly skip?: readonly string[];
  /** Stop descending below this depth (the root is depth 0). */
  readonly maxDepth?: number;
  readonly signal?: AbortSignal;
}

/**
 * Visits every folder below `root` once, depth first, passing its entries. The visitor returns
 * false to stop descending into that folder (e.g. an `mlruns/` store the caller reads itself).
 * Symlinked folders are not followed, so a symlink loop cannot trap the walk. A folder below the
 * root that holds its own `.mlc`, `.dvc` or `.git` is another workspace (findWorkspaceRoot stops
 * there when started inside it) and is not entered, so both agree on who owns its stages.
 */
export function walkWorkspace(
  fs: FileSystem,
  root: string,
  visit: (folder: string, entries: readonly DirectoryEntry[]) => boolean | void,
  options: WalkOptions = {},
): void {
  const skipNames = new Set(options.skip ?? []);
  const stack: Array<{ folder: string; depth: number }> = [{ folder: root, depth: 0 }];
  while (stack.length > 0) {
    if (options.signal?.aborted) return;
    const { folder, depth } = stack.pop()!;
    let entries: readonly DirectoryEntry[];
    try {
      entries = fs.readDirectory(folder);
    } catch {
      continue; // unreadable folder: permissions or a race with deletion; the rest goes on
    }
    // A virtualenv whatever its name: it has pyvenv.cfg at its top.
    const isVirtualenv = depth > 0 && entries.some((entry) => entry.name === 'pyvenv.cfg' && entry.kind === 'file');
    if (isVirtualenv) continue;
    if (depth > 0 && hasWorkspaceMarker(entries)) continue;
    if (visit(folder, entries) === false) continue;
    if (options.maxDepth !== undefined && depth >= options.maxDepth) continue;
    for (let index = entries.length - 1; index >= 0; index--) {
      const entry = entries[index]!;
      if (entry.kind !== 'directory') continue;
      if (ALWAYS_SKIPPED_FOLDERS.has(entry.name) || skipNames.has(entry.name)) continue;
      const child = join(folder, entry.name);
      if (skipNames.has(child.slice(root.length + 1))) continue;
      stack.push({ folder: child, depth: depth + 1 });
    }
  }
}
