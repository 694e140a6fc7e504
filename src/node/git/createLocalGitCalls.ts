import { createNodeGitClient } from '../deploy/nodeGitClient';
import { readGitState } from '../runStore/readGitState';
import type { GitCalls } from './gitCalls';
import { listChangedFiles } from './listChangedFiles';

/** GitCalls through simple-git in this thread: the CLI, and the run index worker for the extension. */
export function createLocalGitCalls(): GitCalls {
  const client = createNodeGitClient();
  return {
    state: (cwd) => client.state(cwd),
    repoState: (cwd) => readGitState(cwd),
    changedFiles: (cwd, from, to) => listChangedFiles(cwd, from, to),
  };
}
