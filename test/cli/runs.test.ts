import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runMlc } from '../support/mlcCli';
import { makeRunsWorkspace } from '../support/runsWorkspace';

test('mlc runs --json lists every source newest first with the contract fields', async () => {
  const root = makeRunsWorkspace();
  const result = await runMlc(root, ['runs', '--json']);
  assert.equal(result.code, 0, result.stderr);
  const { runs } = JSON.parse(result.stdout) as { runs: Array<Record<string, unknown>> };
  // Newest first: a run without a start time sorts by its end (the CSV logs were written an hour ago).
  assert.deepEqual(
    runs.map((run) => run.id),
    ['csv:keras/training.log', 'csv:lightning_logs/version_0', 'tensorboard:runs/exp1', 'dvclive:dvclive'],
  );
  for (const run of runs) {
    assert.deepEqual(Object.keys(run), [
      'id',
      'source',
      'name',
      'status',
      'startedAt',
      'endedAt',
      'params',
      'metrics',
      'git',
      'location',
    ]);
  }
  const dvclive = runs.find((run) => run.id === 'dvclive:dvclive')!;
  assert.deepEqual(dvclive.params, { 'train.lr': 0.01 });
  assert.deepEqual(dvclive.metrics, { 'train/loss': 1 / 3 });
  assert.equal(dvclive.startedAt, 1_700_000_001_000);
  assert.equal(dvclive.location, 'dvclive');
  assert.equal(dvclive.git, null);
  const lightning = runs.find((run) => run.id === 'csv:lightning_logs/version_0')!;
  assert.deepEqual(lightning.metrics, { epoch: 0, val_loss: null });
  assert.equal(lightning.startedAt, null);
});

test('mlc runs filters by source, limits, prints an aligned table, and rejects bad options with exit 2', async () => {
  const root = makeRunsWorkspace();
  const filtered = JSON.parse((await runMlc(root, ['runs', '--json', '--source', 'csv', '--limit', '1'])).stdout) as {
    runs: unknown[];
  };
  assert.equal(filtered.runs.length, 1);
  const table = await runMlc(root, ['runs']);
  assert.equal(table.code, 0);
  const lines = table.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^ID\s+SOURCE\s+STATUS\s+STARTED\s+METRICS$/);
  assert.equal(lines.length, 5);
  const statusColumn = lines[0]!.indexOf('STATUS');
  for (const line of lines.slice(1)) assert.match(line.slice(statusColumn), /^succeeded /);
  const bad = await runMlc(root, ['runs', '--source', 'wandb']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--source must be one of mlc, mlflow, dvclive, tensorboard, csv/);
  assert.equal((await runMlc(root, ['runs', '--limit', 'zero'])).code, 2);
});

test('mlc runs keeps its index cache only in a workspace that has .mlc/', async () => {
  const root = makeRunsWorkspace();
  await runMlc(root, ['runs']);
  assert.equal(fs.existsSync(join(root, '.mlc')), false);
  fs.mkdirSync(join(root, '.mlc'));
  await runMlc(root, ['runs']);
  assert.equal(fs.existsSync(join(root, '.mlc', 'cache', 'run-index.jsonl')), true);
});

test('mlc runs names a run whose record is damaged, and mlc show lists its problem once', async () => {
  const root = makeRunsWorkspace();
  const runId = '20240101-120000-00dead';
  fs.mkdirSync(join(root, '.mlc/runs', runId), { recursive: true });
  fs.writeFileSync(join(root, '.mlc/runs', runId, 'run.json'), '{"id": "20240101-120000-00dead", "status": ');
  const listed = await runMlc(root, ['runs']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, new RegExp(runId));
  assert.match(listed.stderr, new RegExp(`run ${runId}: .*run\\.json.*runRecordUnreadable.*mlc show ${runId}`));
  const shown = await runMlc(root, ['show', runId, '--json']);
  const problems = (JSON.parse(shown.stdout) as { problems: Array<{ code: string }> }).problems;
  assert.deepEqual(
    problems.map((problem) => problem.code),
    ['runRecordUnreadable'],
  );
});
