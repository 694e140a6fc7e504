import { simpleGit } from 'simple-git';

/**
 * Files changed between two commits (`git diff --name-only from to`), for the Compare panel's
 * diff of two mlc runs. Undefined when either commit is unknown here or git is not available.
 */
export async function listChangedFiles(cwd: string, from: string, to: string): Promise<string[] | undefined> {
  const isCommit = (text: string) => /^[0-9a-f]{4,64}$/i.test(text);
  if (!isCommit(from) || !isCommit(to)) return undefined;
  try {
    const output = await simpleGit({ baseDir: cwd }).raw(['diff', '--name-only', '--no-renames', from, to, '--']);
    return output.split('\n').filter((line) => line !== '');
  } catch {
    return undefined;
  }
}
