import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runMlc } from '../support/mlcCli';
import { makeTempDir } from '../support/tempDir';

test('mlc init in an empty folder writes a starter project whose first run is charted; a second init writes nothing', async () => {
  const folder = makeTempDir('mlc-init-');
  const init = await runMlc(folder, ['init']);
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /^Wrote mlc\.yaml, params\.yaml, train\.py \(a starter project/);

  const run = await runMlc(folder, ['run', '--json']);
  assert.equal(run.code, 0, run.stderr);
  const { runId, alerts } = JSON.parse(run.stdout) as { runId: string; alerts: unknown[] };
  assert.deepEqual(alerts, []);
  const metrics = await runMlc(folder, ['metrics', runId, '--json']);
  assert.equal(metrics.code, 0, metrics.stderr);
  const { series } = JSON.parse(metrics.stdout) as { series: Record<string, { steps: number[] }> };
  assert.equal(series.loss?.steps.length, 40, 'one loss point per epoch: the run has a chart');

  const pipeline = readFileSync(join(folder, 'mlc.yaml'), 'utf8');
  const again = await runMlc(folder, ['init']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /mlc\.yaml exists .*nothing written/);
  assert.equal(readFileSync(join(folder, 'mlc.yaml'), 'utf8'), pipeline);
});
