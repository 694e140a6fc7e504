import assert from 'node:assert/strict';
import { test } from 'node:test';
import { relative } from 'pathe';
import { workspaceRelativePath, workspaceRunIdentity } from '../../../../src/engine/runIndex/fileRunReaderOptions';

test('a workspace-relative path is what pathe.relative says, for normalised paths and every odd shape', () => {
  const roots = [
    '/ws',
    '/ws/inner',
    '/',
    '/ws/',
    '/ws/./x',
    '/ws/../ws',
    '/w s',
    'C:\\ws',
    'C:/ws',
    '/ws/..x',
    '/ws/.hidden',
  ];
  const tails = [
    'a',
    'a/b/c.csv',
    '.hidden/x',
    '..x/y',
    'a/./b',
    'a/../b',
    '../outside',
    'a//b',
    'a/',
    'a/.',
    'a/..',
    'a\\b',
    '.',
    '..',
    '',
    'lightning_logs/version_7',
  ];
  for (const root of roots) {
    for (const tail of tails) {
      for (const path of [`${root}/${tail}`, `${root}${tail}`, '/elsewhere/x', root]) {
        const expected = relative(root, path);
        assert.equal(workspaceRelativePath(root, path), expected === '' ? '.' : expected, `${root} ${path}`);
      }
    }
  }
});

test('a run at the workspace root is named by its folder, a run below it by its relative path', () => {
  assert.deepEqual(workspaceRunIdentity('csv', '/ws', '/ws'), { id: 'csv:.', source: 'csv', name: 'ws' });
  assert.deepEqual(workspaceRunIdentity('csv', '/ws', '/ws/logs/version_0'), {
    id: 'csv:logs/version_0',
    source: 'csv',
    name: 'logs/version_0',
  });
});
