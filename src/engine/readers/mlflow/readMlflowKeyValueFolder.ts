import type { FileSystem } from '../../ports';
import type { Problem } from '../../problems';
import { problemAt } from '../../problems';
import { unreadableProblem } from './mlflowProblems';

/** How deep `a/b/c` keys may nest; deeper trees are a loop or junk, not MLflow keys. */
const MAX_KEY_DEPTH = 16;

/**
 * Lists the files of an MLflow `params/`, `tags/` or `metrics/` folder. A key containing `/` is
 * stored as nested folders (`metrics/train/loss` is the metric `train/loss`), so the folder is
 * read recursively. Symlinked files are read; symlinked folders are not followed, so a link loop
 * cannot trap the reader.
 */
export function listMlflowKeyFiles(
  fs: FileSystem,
  folder: string,
  problems: Problem[],
): Array<{ readonly key: string; readonly path: string }> {
  const found: Array<{ key: string; path: string }> = [];
  const visit = (path: string, prefix: string, depth: number) => {
    let entries;
    try {
      entries = fs.readDirectory(path);
    } catch (error) {
      if (depth > 0) problems.push(unreadableProblem(path, error));
      return;
    }
    for (const entry of entries) {
      // Plain concatenation: `path` is already normal, and this runs for every file of every run.
      const child = `${path}/${entry.name}`;
      const key = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.kind === 'file') found.push({ key, path: child });
      else if (entry.kind === 'directory' && depth < MAX_KEY_DEPTH) visit(child, key, depth + 1);
      else if (entry.kind === 'symlink') {
        if (isFileThroughLink(fs, child)) found.push({ key, path: child });
        else problems.push(skippedLinkProblem(child));
      }
    }
  };
  visit(folder, '', 0);
  return found;
}

/** Reads `params/` or `tags/`: each file's whole text is the value (no trailing newline to trim). */
export function readMlflowKeyValueFolder(fs: FileSystem, folder: string, problems: Problem[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const { key, path } of listMlflowKeyFiles(fs, folder, problems)) {
    try {
      values[key] = fs.readText(path);
    } catch (error) {
      problems.push(unreadableProblem(path, error));
    }
  }
  return values;
}

function isFileThroughLink(fs: FileSystem, path: string): boolean {
  try {
    return fs.stat(path)?.kind === 'file';
  } catch {
    return false; // ELOOP and friends
  }
}

function skippedLinkProblem(path: string): Problem {
  return problemAt(
    path,
    undefined,
    'info',
    'mlflowSymlinkSkipped',
    'This symlink is broken, loops, or points to a folder; MLflow keys are files, so it is skipped.',
  );
}
