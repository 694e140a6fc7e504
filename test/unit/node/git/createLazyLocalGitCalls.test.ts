import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLazyLocalGitCalls } from '../../../../src/node/git/createLazyLocalGitCalls';
import { createLocalGitCalls } from '../../../../src/node/git/createLocalGitCalls';
import { repoRoot } from '../../../support/mlcCli';
import { makeTempDir } from '../../../support/tempDir';

test('loading `mlc run` does not load simple-git: an up-to-date run never asks git anything', () => {
  const script = `
    require(${JSON.stringify(join(repoRoot, 'src/cli/commands/run.ts'))});
    process.stdout.write(String(Object.keys(require.cache).filter((path) => path.includes('simple-git')).length));
  `;
  const result = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], {
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, '0');
});

test('the lazy git calls answer as the local ones once loaded', async (t) => {
  const folder = makeTempDir('mlc-lazy-git-', t);
  const lazy = createLazyLocalGitCalls();
  assert.deepEqual(await lazy.repoState(folder), await createLocalGitCalls().repoState(folder));
  assert.deepEqual(await lazy.repoState(repoRoot), await createLocalGitCalls().repoState(repoRoot));
});
