import { simpleGit } from 'simple-git';

/**
 * The commit and dirty flag of the repository holding `cwd`, for a run's record. Undefined when
 * `cwd` is not in a git repository or git is not installed: a run outside git simply has no git
 * field. `dirty` counts untracked files too, as `git status` shows them.
 */
export async function readGitState(cwd: string): Promise<{ commit: string | undefined; dirty: boolean } | undefined> {
  try {
    const git = simpleGit({ baseDir: cwd });
    if (!(await git.checkIsRepo())) return undefined;
    let commit: string | undefined;
    try {
      commit = (await git.revparse(['HEAD'])).trim() || undefined;
    } catch {
      commit = undefined; // a repository without any commit yet
    }
    const status = await git.status();
    return { commit, dirty: !status.isClean() };
  } catch {
    return undefined;
  }
}
