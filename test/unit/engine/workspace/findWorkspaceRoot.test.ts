import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findWorkspaceRoot, isInNestedWorkspace } from '../../../../src/engine/workspace/findWorkspaceRoot';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

test('findWorkspaceRoot: the nearest folder up holding .mlc, .dvc or .git (a folder or a file), else the start', () => {
  const fs = createMemoryFileSystem({
    '/repo/.git/HEAD': '',
    '/repo/sub/deep/dvc.yaml': '',
    '/repo/project/.mlc/.gitignore': '',
    '/repo/project/a/b/mlc.yaml': '',
    '/repo/dvcproject/.dvc/config': '',
    '/repo/submodule/.git': 'gitdir: ../.git/modules/submodule\n',
    '/repo/submodule/x/mlc.yaml': '',
    '/loose/folder/mlc.yaml': '',
  });
  assert.equal(findWorkspaceRoot(fs, '/repo'), '/repo');
  assert.equal(findWorkspaceRoot(fs, '/repo/sub/deep'), '/repo');
  assert.equal(findWorkspaceRoot(fs, '/repo/project/a/b'), '/repo/project');
  assert.equal(findWorkspaceRoot(fs, '/repo/dvcproject'), '/repo/dvcproject');
  assert.equal(findWorkspaceRoot(fs, '/repo/submodule/x'), '/repo/submodule');
  assert.equal(findWorkspaceRoot(fs, '/loose/folder'), '/loose/folder');
});

test('isInNestedWorkspace: a marker between the root and the file makes it another workspace', () => {
  const fs = createMemoryFileSystem({
    '/repo/.git/HEAD': '',
    '/repo/sub/dvc.yaml': '',
    '/repo/project/.mlc/.gitignore': '',
    '/repo/project/a/mlc.yaml': '',
  });
  assert.equal(isInNestedWorkspace(fs, '/repo', '/repo/sub/dvc.yaml'), false);
  assert.equal(isInNestedWorkspace(fs, '/repo', '/repo/project/a/mlc.yaml'), true);
  assert.equal(isInNestedWorkspace(fs, '/repo/project', '/repo/project/a/mlc.yaml'), false);
});
