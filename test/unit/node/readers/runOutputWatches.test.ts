import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAllRunReaders } from '../../../../src/node/readers/allRunReaders';
import { isRunOutputPath, RUN_OUTPUT_WATCHES } from '../../../../src/node/readers/runOutputWatches';

test('the watchers ask the very watch declarations the readers carry, one per reader, in order', () => {
  const { readers, dispose } = createAllRunReaders({ workspaceRoot: '/ws' });
  try {
    assert.equal(RUN_OUTPUT_WATCHES.length, readers.length);
    readers.forEach((reader, position) =>
      assert.equal(RUN_OUTPUT_WATCHES[position], reader.watches, `${reader.source} reader #${position}`),
    );
  } finally {
    dispose();
  }
});

test('run outputs of every source are watched, as each reader detects them', () => {
  for (const path of [
    '.mlc/runs/20260101-abc/run.json',
    'sub/.mlc/runs',
    'mlruns/0/abc/metrics/loss',
    'exp/dvclive/plots/metrics/loss.tsv',
    // DVCLive with Live(dir="results"): detected by its plots/metrics folder, not by its name.
    'results/plots/metrics/train/loss.tsv',
    'mlflow.db',
    'tracking/mlflow.db-wal',
    'logs/events.out.tfevents.1700000000.host.1.0',
    'lightning_logs/version_0/metrics.csv',
    // Keras CSVLogger's default file name (issue 10: read by the CSV reader, never watched).
    'training.log',
    'out/train_history.csv',
  ])
    assert.ok(isRunOutputPath(path), path);
  for (const path of ['src/train.py', 'data/train.csv.dvc', '.mlc/lock', 'data/raw.csv', 'params.yaml', 'mlflow.dbx'])
    assert.ok(!isRunOutputPath(path), path);
});
