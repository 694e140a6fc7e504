import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { nodeFileSystem } from '../../../../src/node/nodeFileSystem';
import { createMlflowSqliteReader } from '../../../../src/node/readers/mlflowSqliteReader';
import { skipWithoutRealWorldFixtures, realWorldFixturesRoot } from '../../../support/realWorldFixtures';

const realWorld = realWorldFixturesRoot;
// All three stores were last written years before this; a fixed clock keeps the staleness rule stable.
const reader = createMlflowSqliteReader({ clock: { now: () => Date.parse('2026-06-01T00:00:00Z') } });

function store(relative: string) {
  const path = resolve(realWorld, relative);
  assert.ok(
    existsSync(path),
    `Real-world fixture missing: ${path}. Check out ../shared beside the repository (see SOURCES.md).`,
  );
  return { source: 'mlflow' as const, path };
}

const count = (values: readonly string[]) =>
  values.reduce<Record<string, number>>((counts, value) => ({ ...counts, [value]: (counts[value] ?? 0) + 1 }), {});

test('mlops-zoomcamp PR #126 (revision bd07f7e963c5): 16 runs, a never-ended RUNNING run, a 746-step series', async (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const location = store('mlflowdb-mlops-zoomcamp-pr126/f0b5634/02-experiment-tracking/mlflow.db');
  const { runs, problems } = await reader.list(location, { fs: nodeFileSystem });
  assert.deepEqual(problems, []);
  assert.equal(runs.length, 16);
  // The RUNNING run never ended (2022): shown as interrupted.
  assert.deepEqual(count(runs.map((run) => run.status)), { succeeded: 12, failed: 3, interrupted: 1 });
  const best = runs.find((run) => run.id === 'mlflow:b72e6dbe671840aea38aae813ee9dd9e')!;
  assert.equal(best.experiment, 'nyc-taxi-experiment');
  assert.equal(best.params.max_depth, '11');
  assert.equal(best.metrics.rmse, 6.38511924622053);
  const withHistory = runs.find((run) => 'validation-rmse' in run.metrics)!;
  const { series } = await reader.series(location, withHistory.id, { fs: nodeFileSystem }, ['validation-rmse']);
  assert.equal(series['validation-rmse']?.values.length, 746);
  assert.deepEqual(Array.from(series['validation-rmse']!.steps.subarray(0, 3)), [0, 1, 2]);
  const { value } = await reader.registry(location, { fs: nodeFileSystem });
  assert.equal(value.models.length, 1);
  assert.equal(value.models[0]?.name, 'nyc-taxi-regressor');
  assert.deepEqual(
    value.models[0]?.versions.map((version) => [version.version, version.stage]),
    [
      [1, 'Staging'],
      [2, 'Production'],
    ],
  );
});

test('nda-mlops-zoomcamp-2024 (revision 5b0e9adcef9c): 17 runs, aliases on version 1', async (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const location = store('mlflowdb-nda-mlops-zoomcamp-2024/9f3478d/week-02/mlflow.db');
  const { runs, problems } = await reader.list(location, { fs: nodeFileSystem });
  assert.deepEqual(problems, []);
  assert.equal(runs.length, 17);
  assert.deepEqual(count(runs.map((run) => run.status)), { succeeded: 13, failed: 3, interrupted: 1 });
  const spiffy = runs.find((run) => run.id === 'mlflow:05e1247c0ded4579835ec988a587c5a2')!;
  assert.equal(spiffy.name, 'spiffy-donkey-347');
  assert.equal(spiffy.experiment, 'my-experiment-1');
  assert.deepEqual(spiffy.params, { C: '0.1', random_state: '42' });
  assert.equal(spiffy.metrics.accuracy, 0.96);
  const { value } = await reader.registry(location, { fs: nodeFileSystem });
  assert.deepEqual(value.models[0]?.aliases, { 'in-preview': 1, staging: 1 });
  assert.deepEqual(value.models[0]?.versions[0]?.aliases, ['in-preview', 'staging']);
  assert.equal(value.models[0]?.versions[0]?.runId, '92025337761b47258bb509b166789a29');
});

test('heart-uci-mlops (revision 1bd49d398cd23, MLflow 3): 12 finished runs among 40 tables', async (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const location = store('mlflowdb-heart-uci-mlops/53c9b43/mlflow.db');
  const { runs, problems } = await reader.list(location, { fs: nodeFileSystem });
  assert.deepEqual(problems, []);
  assert.equal(runs.length, 12);
  assert.ok(runs.every((run) => run.status === 'succeeded' && run.experiment !== undefined));
  const forest = runs.find((run) => run.id === 'mlflow:3c98ab48c12e452c84e1662fd007169a')!;
  assert.equal(forest.name, 'randomforest_20260106_145906');
  assert.equal(forest.metrics.test_accuracy, 0.8056122448979591);
  assert.equal(forest.git?.commit, 'fba672d2bf8b344cc39f1af577b03a12f4c4ec96');
  const metricRows = await Promise.all(runs.map((run) => reader.series(location, run.id, { fs: nodeFileSystem })));
  const total = metricRows.reduce(
    (sum, { series }) => sum + Object.values(series).reduce((points, each) => points + each.values.length, 0),
    0,
  );
  assert.equal(total, 60);
  const { value } = await reader.registry(location, { fs: nodeFileSystem });
  assert.deepEqual(value.models, []);
});
