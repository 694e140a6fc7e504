import assert from 'node:assert/strict';
import { test } from 'node:test';
import { walkWorkspace } from '../../../../src/engine/workspace/walkWorkspace';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

test('walkWorkspace visits nested projects and skips dependency, VCS and virtualenv folders', () => {
  const fs = createMemoryFileSystem({
    '/ws/dvc.yaml': '',
    '/ws/sub/project/mlc.yaml': '',
    '/ws/node_modules/pkg/dvc.yaml': '',
    '/ws/.git/dvc.yaml': '',
    '/ws/myenv/pyvenv.cfg': '',
    '/ws/myenv/lib/dvc.yaml': '',
    '/ws/.mlc/runs/x/run.json': '',
  });
  const visited: string[] = [];
  walkWorkspace(fs, '/ws', (folder) => {
    visited.push(folder);
  });
  assert.deepEqual(visited.sort(), ['/ws', '/ws/sub', '/ws/sub/project']);
});

test('walkWorkspace does not descend where the visitor returns false, and honours extra skips', () => {
  const fs = createMemoryFileSystem({ '/ws/mlruns/0/meta.yaml': '', '/ws/data/big/x.csv': '', '/ws/a/b.txt': '' });
  const visited: string[] = [];
  walkWorkspace(
    fs,
    '/ws',
    (folder) => {
      visited.push(folder);
      return !folder.endsWith('/mlruns');
    },
    { skip: ['data'] },
  );
  assert.deepEqual(visited.sort(), ['/ws', '/ws/a', '/ws/mlruns']);
});

test('walkWorkspace does not enter a nested workspace (a folder with its own .mlc, .dvc or .git)', () => {
  const fs = createMemoryFileSystem({
    '/ws/.git/HEAD': '',
    '/ws/sub/dvc.yaml': '',
    '/ws/own/.mlc/.gitignore': '',
    '/ws/own/mlc.yaml': '',
    '/ws/dvcproject/.dvc/config': '',
    '/ws/dvcproject/inner/dvc.yaml': '',
    '/ws/submodule/.git': 'gitdir: ../.git/modules/submodule\n',
    '/ws/submodule/mlc.yaml': '',
  });
  const visited: string[] = [];
  walkWorkspace(fs, '/ws', (folder) => {
    visited.push(folder);
  });
  assert.deepEqual(visited.sort(), ['/ws', '/ws/sub']);
});
