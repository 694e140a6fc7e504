/**
 * The texts of workspace files as they are at one revision: the working tree, or a git ref (read
 * with `git show REF:path` in src/node/git). Paths are relative to the workspace root, POSIX.
 * Undefined when the file does not exist at that revision.
 */
export interface RevisionFiles {
  readText(path: string): Promise<string | undefined>;
}
