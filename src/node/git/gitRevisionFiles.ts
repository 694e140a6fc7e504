import { simpleGit } from 'simple-git';
import type { RevisionFiles } from '../../engine/report/ports';

/**
 * The files of `cwd`'s repository at a git ref, read with `git show <commit>:./<path>` (the `./`
 * makes the path relative to `cwd`, wherever the repository root is). The ref is resolved once,
 * so a branch moving meanwhile cannot mix two commits in one report. Undefined when `ref` names
 * no commit or `cwd` is not in a repository (the caller says so: bad usage).
 */
export async function openGitRevision(
  cwd: string,
  ref: string,
): Promise<{ commit: string; files: RevisionFiles } | undefined> {
  const git = simpleGit({ baseDir: cwd });
  let commit: string;
  try {
    // `--end-of-options` keeps a ref such as `--help` from being read as an option.
    commit = (await git.raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])).trim();
  } catch {
    return undefined;
  }
  if (!/^[0-9a-f]{40,64}$/.test(commit)) return undefined;
  const files: RevisionFiles = {
    async readText(path) {
      try {
        return await git.raw(['cat-file', 'blob', `${commit}:./${path}`]);
      } catch {
        return undefined; // not in that commit (or a folder there)
      }
    },
  };
  return { commit, files };
}
