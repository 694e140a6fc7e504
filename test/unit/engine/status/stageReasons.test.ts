import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'pathe';
import { stagePath } from '../../../../src/engine/status/stageReasons';

test("stagePath is pathe's join for every kind of path, plain or not, below any wdir", () => {
  const wdirs = ['/work/ws', '/work/ws/sub', '/', '/work/ws/', '/work/./ws', '/work/x/../ws', '/work//ws', 'C:/ws'];
  const paths = [
    'o/s1',
    'data.csv',
    'models/',
    './data.csv',
    '../shared/data.csv',
    'a/./b',
    'a/../b',
    'a//b',
    '/abs/path',
    '',
    '.',
    '..',
    '~/data',
    'a\\b',
    'dir.with.dots/file',
    '...',
  ];
  for (const wdir of wdirs) {
    for (const path of paths) assert.equal(stagePath(wdir, path), join(wdir, path), `${wdir} + ${path}`);
  }
});
