import assert from 'node:assert/strict';
import { test } from 'node:test';
import { basename, join } from 'pathe';
import { childPath, lastSegment } from '../../../../src/engine/workspace/pathSteps';
import { createRandom } from '../../../../bench/support/createRandom';

// The two steps must give exactly pathe's strings: the run index's cache keys and every reader's
// store paths are made of them, and a cache built before must still match.
const FOLDERS = [
  '/',
  '/w',
  '/w/runs/lightning_logs/version_0',
  'C:/',
  'C:/w/runs',
  'c:/w/runs',
  'C:\\w\\runs',
  '/w/runs/',
  '/w//runs',
  '/w/./runs',
  '/w/../runs',
  './w',
  '../w',
  'w',
  'w/x',
  '.',
  '..',
  '',
  '/w/.',
  '/w/..',
  '/w/.hidden',
  '/w/..hidden',
  '/w/a b/ü',
  '/w/mlruns',
];
const NAMES = ['metrics.csv', 'a', '.mlc', '..x', 'x..', 'a b', 'ü', '.', '..', '', 'a/b', 'a\\b', 'C:'];

test('childPath is pathe join and lastSegment is pathe basename, for every folder and name', () => {
  for (const folder of FOLDERS) {
    assert.equal(lastSegment(folder), basename(folder), JSON.stringify(folder));
    for (const name of NAMES) assert.equal(childPath(folder, name), join(folder, name), JSON.stringify([folder, name]));
  }
});

test('the same on random paths made of separators, dots, drive letters and names', () => {
  const random = createRandom(17);
  const pieces = ['/', '\\', '.', '..', 'a', 'B', 'c:', 'C:', '.x', 'x.', ' ', 'ü'];
  const randomPath = (length: number) =>
    Array.from({ length }, () => pieces[Math.floor(random.next() * pieces.length)]).join('');
  for (let index = 0; index < 20_000; index++) {
    const folder = randomPath(1 + Math.floor(random.next() * 8));
    const name = randomPath(1 + Math.floor(random.next() * 3));
    assert.equal(lastSegment(folder), basename(folder), JSON.stringify(folder));
    assert.equal(childPath(folder, name), join(folder, name), JSON.stringify([folder, name]));
  }
});
