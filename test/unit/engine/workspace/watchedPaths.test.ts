import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRunOutputPath, skipsWatching } from '../../../../src/engine/workspace/watchedPaths';

test('run outputs of every source are recognised by their paths', () => {
  for (const path of [
    '.mlc/runs/20260101-abc/run.json',
    'sub/.mlc/runs',
    'mlruns/0/abc/metrics/loss',
    'exp/dvclive/plots/metrics/loss.tsv',
    'mlflow.db',
    'tracking/mlflow.db-wal',
    'logs/events.out.tfevents.1700000000.host.1.0',
    'lightning_logs/version_0/metrics.csv',
    'training.log',
    'out/train_history.csv',
  ])
    assert.ok(isRunOutputPath(path), path);
  for (const path of ['src/train.py', 'data/train.csv.dvc', '.mlc/lock', 'data/raw.csv', 'params.yaml'])
    assert.ok(!isRunOutputPath(path), path);
});

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
