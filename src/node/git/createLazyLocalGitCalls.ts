import type { createLocalGitCalls } from './createLocalGitCalls';
import type { GitCalls } from './gitCalls';

/**
 * createLocalGitCalls, loaded on the first call: simple-git's module takes longer to load than an
 * up-to-date `mlc run` of 1,000 stages spends on its own work, and only a run that starts asks git.
 * A `require` in a function, not `import()`: esbuild bundles it as a lazy module init, and the
 * unit tests' tsx CommonJS hook (no ESM loader) resolves it from the sources.
 */
export function createLazyLocalGitCalls(): GitCalls {
  let calls: GitCalls | undefined;
  const load = () => {
    if (calls) return calls;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
    const local = require('./createLocalGitCalls') as { createLocalGitCalls: typeof createLocalGitCalls };
    return (calls = local.createLocalGitCalls());
  };
  return {
    state: (cwd) => load().state(cwd),
    repoState: (cwd) => load().repoState(cwd),
    changedFiles: (cwd, from, to) => load().changedFiles(cwd, from, to),
  };
}
