import type { Pipeline } from '../pipeline/model';
import type { Clock, FileSystem } from '../ports';
import type { Problem } from '../problems';
import { lockFilePathFor } from './model';
import { readLockFile } from './readLockFile';

/** The codes of lock-file problems (ARCHITECTURE.md, "Problem codes"). */
export const LOCK_PROBLEM_CODES: ReadonlySet<string> = new Set([
  'lockFileConflict',
  'lockFileUnreadable',
  'lockFileSyntax',
  'lockFileSchema',
  'lockEntryInvalid',
]);

/**
 * The problems of the lock files beside `pipelines` (dvc.lock, mlc.lock), each located in its
 * lock file. An error means the file is neither read nor written: its stages count as never run
 * and `mlc run` refuses until the user resolves it or deletes the file. Parsed lock files are
 * remembered (readLockFile), so with a `clock` this is one stat per lock file once they were read
 * and settled (changed over 2 s before), and a read without a parse otherwise.
 */
export function checkLockFiles(fs: FileSystem, pipelines: readonly Pick<Pipeline, 'file'>[], clock?: Clock): Problem[] {
  const lockPaths = new Set<string>();
  for (const pipeline of pipelines) {
    const path = lockFilePathFor({ pipelineFile: pipeline.file });
    if (path) lockPaths.add(path);
  }
  return [...lockPaths].flatMap((path) => readLockFile(fs, path, clock).parsed.problems);
}
