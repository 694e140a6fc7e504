import { dirname, join, normalize } from 'pathe';
import type { DirectoryEntry, FileSystem } from '../ports';

/**
 * What makes a folder a workspace root: mlc's own `.mlc`, DVC's `.dvc`, or a git repository's
 * `.git` (a folder, or a file in a submodule or worktree).
 */
export const WORKSPACE_MARKERS: readonly string[] = ['.mlc', '.dvc', '.git'];

/** Whether a folder's entries hold a workspace marker (so a walk from above must not enter it). */
export function hasWorkspaceMarker(entries: readonly DirectoryEntry[]): boolean {
  return entries.some((entry) => WORKSPACE_MARKERS.includes(entry.name));
}

/**
 * The workspace root for a command started in `start`: the nearest folder at or above it holding
 * `.mlc`, `.dvc` or `.git`; `start` itself when there is none. Found the same way from any
 * sub-folder, so every `mlc` process in one project shares one `.mlc/` (lock, runs, caches) and
 * one set of stage addresses, as DVC finds its repository root.
 */
export function findWorkspaceRoot(fs: FileSystem, start: string): string {
  const origin = normalize(start);
  for (let folder = origin; ; folder = dirname(folder)) {
    if (WORKSPACE_MARKERS.some((marker) => fs.stat(join(folder, marker)) !== undefined)) return folder;
    if (dirname(folder) === folder) return origin;
  }
}

/**
 * Whether `path` (below `root`) lies in a nested workspace: a folder between them holding its own
 * marker. Such files belong to that workspace, as walkWorkspace decides for a walk from `root`;
 * this answers the same for files found some other way (VS Code's file search).
 */
export function isInNestedWorkspace(fs: FileSystem, root: string, path: string): boolean {
  for (
    let folder = dirname(path);
    folder.length > root.length && folder.startsWith(`${root}/`);
    folder = dirname(folder)
  ) {
    if (WORKSPACE_MARKERS.some((marker) => fs.stat(join(folder, marker)) !== undefined)) return true;
  }
  return false;
}
