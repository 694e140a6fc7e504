import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LOCK_PROBLEM_CODES, checkLockFiles } from '../../../../src/engine/lock/checkLockFiles';
import { loadWorkspace } from '../../../../src/engine/pipeline/loadWorkspace';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

const pipeline = 'stages:\n  a:\n    cmd: echo a\n';

test('loadWorkspace reports the problems of the lock file beside each pipeline, located in the lock file', () => {
  const fs = createMemoryFileSystem({
    '/ws/dvc.yaml': pipeline,
    '/ws/dvc.lock': "schema: '2.0'\nstages:\n<<<<<<< HEAD\n=======\n>>>>>>> b\n",
    '/ws/sub/mlc.yaml': pipeline,
    '/ws/sub/mlc.lock': "schema: '2.0'\nstages:\n  a:\n    outs: 3\n",
    '/ws/clean/dvc.yaml': pipeline,
    '/ws/clean/dvc.lock': "schema: '2.0'\nstages:\n  a:\n    cmd: echo a\n",
    '/ws/MLproject': 'name: p\nentry_points:\n  main:\n    command: python train.py\n',
  });
  const { problems } = loadWorkspace(fs, '/ws');
  const lockProblems = problems.filter((problem) => LOCK_PROBLEM_CODES.has(problem.code));
  assert.deepEqual(
    lockProblems.map((problem) => [problem.file, problem.line, problem.column, problem.severity, problem.code]),
    [
      ['/ws/dvc.lock', 3, 1, 'error', 'lockFileConflict'],
      ['/ws/sub/mlc.lock', 3, 3, 'warning', 'lockEntryInvalid'],
    ],
  );
  assert.deepEqual(checkLockFiles(fs, [{ file: '/ws/MLproject' }, { file: '/ws/nowhere/dvc.yaml' }]), []);
});
