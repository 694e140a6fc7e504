import { simpleGit } from 'simple-git';
import type { GitClient, GitState } from '../../engine/ports';
import { readGitState } from '../runStore/readGitState';

/**
 * The GitClient port with the user: `Name <email>` from git config (user.name, user.email), as
 * the registry and the audit log record who did what. Outside git, or without git, every field is
 * absent and callers write `unknown`.
 */
export function createNodeGitClient(): GitClient {
  return {
    async state(cwd): Promise<GitState> {
      const state = await readGitState(cwd);
      const user = await readGitUser(cwd);
      return { commit: state?.commit, dirty: state?.dirty ?? false, ...(user !== undefined ? { user } : {}) };
    },
  };
}

async function readGitUser(cwd: string): Promise<string | undefined> {
  try {
    const git = simpleGit({ baseDir: cwd });
    const [name, email] = await Promise.all(
      ['user.name', 'user.email'].map(async (key) => (await git.getConfig(key)).value?.trim() || undefined),
    );
    if (name && email) return `${name} <${email}>`;
    return name ?? (email ? `<${email}>` : undefined);
  } catch {
    return undefined;
  }
}
