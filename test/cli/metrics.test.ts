import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kerasCsvLog } from '../support/csvLoggerWriter';
import { scalarEvents, writeEventFile } from '../support/tfeventsWriter';
import { runMlc } from '../support/mlcCli';
import { makeRunsWorkspace, writeAged } from '../support/runsWorkspace';

test('mlc metrics --json prints every series with steps, values and timestamps (null when absent)', async () => {
  const root = makeRunsWorkspace();
  const tensorboard = await runMlc(root, ['metrics', 'tensorboard:runs/exp1', '--json']);
  assert.equal(tensorboard.code, 0, tensorboard.stderr);
  assert.deepEqual(JSON.parse(tensorboard.stdout), {
    runId: 'tensorboard:runs/exp1',
    series: {
      acc: {
        steps: [0, 1, 2, 3],
        values: [0, 0.25, 0.5, 0.75],
        timestamps: [1_700_000_100_000, 1_700_000_101_000, 1_700_000_102_000, 1_700_000_103_000],
      },
    },
  });
  const keras = JSON.parse(
    (await runMlc(root, ['metrics', 'csv:keras/training.log', '--json', '--metric', 'loss'])).stdout,
  );
  assert.deepEqual(keras, {
    runId: 'csv:keras/training.log',
    series: { loss: { steps: [0, 1], values: [0.5, 0.25], timestamps: [null, null] } },
  });
});

test('mlc metrics --max-points downsamples, keeping the extremes', async () => {
  const root = makeRunsWorkspace();
  const points = Array.from({ length: 5000 }, (_value, step) => ({
    step,
    value: step === 1234 ? -7 : Math.sin(step / 100),
  }));
  writeAged(root, {
    'runs/exp1/events.out.tfevents.1700000200.host.1.1': writeEventFile(scalarEvents('wave', points)),
  });
  const result = await runMlc(root, ['metrics', 'runs/exp1', '--metric', 'wave', '--max-points', '200', '--json']);
  assert.equal(result.code, 0, result.stderr);
  const wave = (JSON.parse(result.stdout) as { series: { wave: { steps: number[]; values: number[] } } }).series.wave;
  assert.ok(wave.steps.length <= 200);
  assert.ok(wave.values.includes(-7));
  assert.deepEqual(
    [...wave.steps].sort((a, b) => a - b),
    wave.steps,
  );
});

test('mlc metrics prints a summary table, the points of one metric, and exit 2 for an unknown metric or run', async () => {
  const root = makeRunsWorkspace();
  const summary = await runMlc(root, ['metrics', 'dvclive:dvclive']);
  assert.equal(summary.code, 0, summary.stderr);
  assert.match(
    summary.stdout,
    /^METRIC\s+POINTS\s+STEPS\s+LAST\s+MIN\s+MAX\ntrain\/loss\s+3\s+1\.\.3\s+0\.333333\s+0\.333333\s+1$/m,
  );
  const points = await runMlc(root, ['metrics', 'dvclive:dvclive', '--metric', 'train/loss']);
  assert.match(points.stdout, /^STEP\s+VALUE\s+TIME\n1\s+1\s+\S+ \S+\n2\s+0\.5/m);
  const unknownMetric = await runMlc(root, ['metrics', 'dvclive:dvclive', '--metric', 'nope']);
  assert.equal(unknownMetric.code, 2);
  assert.match(unknownMetric.stderr, /has no series 'nope'\. Available: train\/loss/);
  const unknownRun = await runMlc(root, ['metrics', 'dvclive:dvcliv']);
  assert.equal(unknownRun.code, 0, 'a unique prefix is accepted');
  assert.equal((await runMlc(root, ['metrics', 'mlflow:123'])).code, 2);
  assert.equal((await runMlc(root, ['metrics', 'dvclive:dvclive', '--max-points', '-3'])).code, 2);
});

test('mlc metrics prints at most 10,000 points per series by default; --max-points all or 0 prints every point', async () => {
  const root = makeRunsWorkspace();
  const rows = Array.from({ length: 30_000 }, (_value, epoch) => ({
    epoch,
    loss: epoch === 777 ? -5 : 1 / (epoch + 1),
  }));
  writeAged(root, { 'keras/training.log': kerasCsvLog(rows) });
  type SeriesJson = { series: Record<string, { steps: number[]; values: number[]; timestamps: unknown[] }> };
  const bounded = await runMlc(root, ['metrics', 'csv:keras/training.log', '--json']);
  assert.equal(bounded.code, 0, bounded.stderr);
  const boundedLoss = (JSON.parse(bounded.stdout) as SeriesJson).series.loss!;
  assert.ok(boundedLoss.steps.length <= 10_000, `${boundedLoss.steps.length} points`);
  assert.ok(Math.min(...boundedLoss.values) === -5, 'the extreme survives');
  assert.equal(boundedLoss.steps.at(-1), 29_999);
  for (const all of ['all', '0']) {
    const whole = await runMlc(root, ['metrics', 'csv:keras/training.log', '--json', '--max-points', all]);
    assert.equal(whole.code, 0, whole.stderr);
    const loss = (JSON.parse(whole.stdout) as SeriesJson).series.loss!;
    assert.deepEqual(
      loss.steps,
      rows.map((row) => row.epoch),
    );
    assert.deepEqual(
      loss.values,
      rows.map((row) => row.loss),
    );
    assert.equal(loss.timestamps.length, 30_000);
  }
  const table = await runMlc(root, ['metrics', 'csv:keras/training.log', '--metric', 'loss']);
  assert.ok(table.stdout.trimEnd().split('\n').length <= 10_001, 'the table of one series is bounded too');
  const summary = await runMlc(root, ['metrics', 'csv:keras/training.log']);
  assert.match(summary.stdout, /^loss +30000 +0\.\.29999 /m, 'the summary counts every point');
});
