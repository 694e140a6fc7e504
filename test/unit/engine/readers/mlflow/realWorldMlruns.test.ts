import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { createMlflowFileStoreReader } from '../../../../../src/engine/readers/mlflow/mlflowFileStoreReader';
import { nodeFileSystem } from '../../../../../src/node/nodeFileSystem';
import { systemClock } from '../../../../../src/node/systemTime';
import { skipWithoutRealWorldFixtures, realWorldFixturesRoot } from '../../../../support/realWorldFixtures';

const realWorld = realWorldFixturesRoot;
const mlflowFileStoreReader = createMlflowFileStoreReader({ clock: systemClock });

function fixture(relative: string): string {
  const path = resolve(realWorld, relative);
  assert.ok(
    existsSync(path),
    `Real-world fixture missing: ${path}. Check out ../shared beside the repository (see SOURCES.md).`,
  );
  return path;
}

async function listStore(relative: string) {
  return mlflowFileStoreReader.list({ source: 'mlflow', path: fixture(relative) }, { fs: nodeFileSystem });
}

test('mlops-zoomcamp PR #325 (MLflow 2.x): 5 runs in 3 experiments with 18-digit ids and dataset folders', async (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const { runs, problems } = await listStore(
    'mlruns-mlops-zoomcamp-pr325/d91126d/cohorts/2024/02-experiment-tracking/homework/mlruns',
  );
  assert.deepEqual(problems, []);
  assert.equal(runs.length, 5);
  assert.deepEqual([...new Set(runs.map((run) => run.experiment))].sort(), [
    'Default',
    'random-forest-best-models',
    'random-forest-hyperopt',
  ]);
  const learned = runs.find((run) => run.id === 'mlflow:08d12de37c03466596d663eba8eef8e4')!;
  assert.equal(learned.name, 'learned-cod-443');
  assert.equal(learned.status, 'succeeded');
  assert.equal(learned.params.max_depth, '10');
  assert.equal(learned.params.monotonic_cst, 'None');
  assert.equal(learned.metrics.training_score, 0.6673983775155525);
  assert.equal(learned.startedAt, 1720588038778);
  assert.equal(learned.endedAt, 1720588115506);
  const hyperopt = runs.find((run) => run.experiment === 'random-forest-hyperopt')!;
  assert.equal(hyperopt.metrics.rmse, 5.370086069268862);
  assert.equal(hyperopt.git?.commit, '58b0ba0e9fc7e497599d6498ff38300f1c6c9208');
  assert.ok(runs.every((run) => run.problems === undefined));
});

test('Packt chapter02 (MLflow 2.x, Lightning autolog): 2 runs with epoch/step metric series', async (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const path = 'mlruns-packt-dl-at-scale/a71c7d7/chapter02/mlruns';
  const { runs, problems } = await listStore(path);
  assert.deepEqual(problems, []);
  assert.equal(runs.length, 2);
  const run = runs.find((each) => each.id === 'mlflow:34e6c900bbec484aa32ca9a4827a0c85')!;
  assert.equal(run.experiment, 'dl_model_chapter02');
  assert.equal(run.params.betas, '(0.9, 0.999)');
  assert.equal(run.metrics.train_accuracy, 0.5830222368240356);
  assert.equal(run.git?.commit, '4169b327d69d7d97b13ead7376604bcfb7f51cfa');
  assert.equal(Object.keys(run.metrics).length, 10);
  const { series } = await mlflowFileStoreReader.series({ source: 'mlflow', path: fixture(path) }, run.id, {
    fs: nodeFileSystem,
  });
  assert.equal(series.train_accuracy?.values[0], 0.5830222368240356);
  assert.equal(series.train_accuracy?.timestamps[0], 1677130794832);
});

test('Packt chapter08 (MLflow 1.x): no Default experiment, no runName tag, a run without metrics', async (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const path = 'mlruns-packt-dl-at-scale/bc8c8d0/chapter08/mlruns';
  const { runs, problems } = await listStore(path);
  assert.deepEqual(problems, []);
  assert.equal(runs.length, 2);
  const trained = runs.find((each) => each.id === 'mlflow:d01fc81e11e842f5b9556ae04136c0d3')!;
  assert.equal(trained.name, 'd01fc81e11e842f5b9556ae04136c0d3');
  assert.equal(trained.experiment, 'dl_model_chapter08');
  assert.equal(trained.metrics.train_f1, 0.5779111385345459);
  const { series } = await mlflowFileStoreReader.series(
    { source: 'mlflow', path: fixture(path) },
    trained.id,
    { fs: nodeFileSystem },
    ['train_f1'],
  );
  assert.deepEqual(Array.from(series.train_f1!.steps), [0, 1, 2]);
  assert.deepEqual(Array.from(series.train_f1!.values), [0.578000009059906, 0.5816888809204102, 0.5779111385345459]);
  const paramsOnly = runs.find((each) => each.id === 'mlflow:dc5f670efa1a4eac95683633ffcfdd79')!;
  assert.deepEqual(paramsOnly.metrics, {});
  assert.equal(Object.keys(paramsOnly.params).length, 3);
});
