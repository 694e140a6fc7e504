import type { GitClient } from '../../engine/ports';

/**
 * Every git call mlc makes for a run, a deploy or the Compare panel. The CLI answers them in its
 * own thread (createLocalGitCalls, simple-git); the extension host asks the run index worker
 * (RunIndexClient.git), so simple-git stays out of the extension bundle.
 */
export interface GitCalls extends GitClient {
  /** The commit and dirty flag for a run's record; undefined outside git (see readGitState). */
  repoState(cwd: string): Promise<{ commit: string | undefined; dirty: boolean } | undefined>;
  /** `git diff --name-only from to`; undefined when git cannot tell (see listChangedFiles). */
  changedFiles(cwd: string, from: string, to: string): Promise<string[] | undefined>;
}
