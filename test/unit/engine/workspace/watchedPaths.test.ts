import assert from 'node:assert/strict';
import { test } from 'node:test';
import { skipsWatching } from '../../../../src/engine/workspace/watchedPaths';

test('the watcher skips what discovery skips, but watches .mlc/runs and not the rest of .mlc', () => {
  assert.ok(skipsWatching('node_modules', []));
  assert.ok(skipsWatching('a/.git/objects', []));
  assert.ok(skipsWatching('.mlc/cache', []));
  assert.ok(skipsWatching('.mlc/lock', []));
  assert.ok(!skipsWatching('.mlc', []));
  assert.ok(!skipsWatching('.mlc/runs/x/run.json', []));
  assert.ok(!skipsWatching('exp/dvclive', []));
  assert.ok(skipsWatching('data/big', ['big']));
  assert.ok(skipsWatching('experiments/old/x', ['experiments/old']));
  assert.ok(!skipsWatching('experiments/new', ['experiments/old']));
});
