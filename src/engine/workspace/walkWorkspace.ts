import type { DirectoryEntry, FileSystem } from '../ports';
import { hasWorkspaceMarker } from './findWorkspaceRoot';
import { childPath } from './pathSteps';

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

/** A folder the walk reached, with its entries and its depth (the root is 0). */
export interface WalkedFolder {
  readonly folder: string;
  readonly entries: readonly DirectoryEntry[];
  readonly depth: number;
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
  const folders = workspaceFolders(fs, root, options);
  for (let step = folders.next(); !step.done;) {
    step = folders.next(visit(step.value.folder, step.value.entries) !== false);
  }
}

/**
 * walkWorkspace's folders one at a time, in the same order (a folder, then each of its sub-folders
 * in the order of its entries, depth first), for a caller that does asynchronous work between
 * them (the run index lists each folder's stores before the walk goes on). `next(false)` after a
 * folder does not descend into it. What is pending is one frame per depth holding the entries
 * its folder listed, never one object per folder still to visit (100,000 run folders side by
 * side are 100,000 names, not 100,000 more).
 */
export function* workspaceFolders(
  fs: FileSystem,
  root: string,
  options: WalkOptions = {},
): Generator<WalkedFolder, void, boolean | undefined> {
  const skipNames = new Set(options.skip ?? []);
  const frames: Array<{ folder: string; entries: readonly DirectoryEntry[]; next: number; depth: number }> = [];
  const enter = function* (folder: string, depth: number): Generator<WalkedFolder, void, boolean | undefined> {
    let entries: readonly DirectoryEntry[];
    try {
      entries = fs.readDirectory(folder);
    } catch {
      return; // unreadable folder: permissions or a race with deletion; the rest goes on
    }
    // A virtualenv whatever its name: it has pyvenv.cfg at its top.
    const isVirtualenv = depth > 0 && entries.some((entry) => entry.name === 'pyvenv.cfg' && entry.kind === 'file');
    if (isVirtualenv) return;
    if (depth > 0 && hasWorkspaceMarker(entries)) return;
    const descend = yield { folder, entries, depth };
    if (descend === false) return;
    if (options.maxDepth !== undefined && depth >= options.maxDepth) return;
    frames.push({ folder, entries, next: 0, depth });
  };
  if (options.signal?.aborted) return;
  yield* enter(root, 0);
  while (frames.length > 0) {
    if (options.signal?.aborted) return;
    const frame = frames.at(-1)!;
    if (frame.next >= frame.entries.length) {
      frames.pop();
      continue;
    }
    const entry = frame.entries[frame.next++]!;
    if (entry.kind !== 'directory') continue;
    if (ALWAYS_SKIPPED_FOLDERS.has(entry.name) || skipNames.has(entry.name)) continue;
    const child = childPath(frame.folder, entry.name);
    if (skipNames.has(child.slice(root.length + 1))) continue;
    yield* enter(child, frame.depth + 1);
  }
}
