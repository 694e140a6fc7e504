import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { listChangedFiles } from '../../../../src/node/git/listChangedFiles';
import { createWorkspace } from '../../../support/mlcCli';

test('the files changed between two commits, and undefined for an unknown commit', async () => {
  const root = createWorkspace({ 'a.txt': 'one\n', 'b.txt': 'same\n' });
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: root, encoding: 'utf8' }).trim();
  git('init', '-q');
  git('add', '.');
  git('commit', '-qm', 'first');
  const first = git('rev-parse', 'HEAD');
  fs.writeFileSync(join(root, 'a.txt'), 'two\n');
  fs.writeFileSync(join(root, 'c.txt'), 'new\n');
  git('add', '.');
  git('commit', '-qm', 'second');
  const second = git('rev-parse', 'HEAD');
  assert.deepEqual(await listChangedFiles(root, first, second), ['a.txt', 'c.txt']);
  assert.equal(await listChangedFiles(root, first, 'f'.repeat(40)), undefined);
  assert.equal(await listChangedFiles(root, '--output=x', second), undefined, 'only commit ids reach git');
});
