import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLifecycleRecordChange, skipsWatching } from '../../../../src/engine/workspace/watchedPaths';

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

test('deployment records are watched, the server logs beside them are not', () => {
  assert.ok(!skipsWatching('.mlc/deployments', []));
  assert.ok(!skipsWatching('.mlc/deployments/local', []));
  assert.ok(!skipsWatching('.mlc/deployments/local/current.json', []));
  assert.ok(!skipsWatching('.mlc/deployments/local/history.jsonl', []));
  assert.ok(skipsWatching('.mlc/deployments/local/server-v1-2026-12-03T07-45-12.345Z.log', []));
  assert.ok(skipsWatching('.mlc/deployments/local/nested/current.json', []));
  assert.ok(
    !skipsWatching('.mlc/registry/churn/aliases.json', []),
    'a promote from a terminal reaches the Models view',
  );
  assert.ok(skipsWatching('.mlc/cache/run-index.json', []));

  assert.ok(isLifecycleRecordChange('.mlc/deployments/local/current.json', false));
  assert.ok(isLifecycleRecordChange('.mlc/deployments/local/history.jsonl', false));
  assert.ok(isLifecycleRecordChange('.mlc/deployments/local', true), 'a target folder removed with its records');
  assert.ok(isLifecycleRecordChange('.mlc/deployments', true));
  assert.ok(!isLifecycleRecordChange('.mlc/deployments/local/server-v1-x.log', false));
  assert.ok(!isLifecycleRecordChange('.mlc/runs/x/run.json', false));
  assert.ok(isLifecycleRecordChange('.mlc/registry/churn/aliases.json', false));
  assert.ok(isLifecycleRecordChange('.mlc/registry/churn/versions/2', true), 'a version registered from a terminal');
  assert.ok(!isLifecycleRecordChange('src/.mlc/deployments/local/current.json', false));
});
