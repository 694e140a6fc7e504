import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { runMlc } from '../../support/mlcCli';
import { makeRunsWorkspace } from '../../support/runsWorkspace';

test('mlc show prints summary, params, metrics; --json adds problems', async (t) => {
  const root = makeRunsWorkspace();
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  fs.writeFileSync(`${root}/dvclive/params.yaml`, 'train:\n  lr: 0.01\nbroken: [\n');
  const json = await runMlc(root, ['show', 'dvclive:dvclive', '--json']);
  assert.equal(json.code, 0, json.stderr);
  const shown = JSON.parse(json.stdout) as Record<string, unknown> & { problems: Array<Record<string, unknown>> };
  assert.equal(shown.id, 'dvclive:dvclive');
  assert.equal(shown.status, 'succeeded');
  assert.deepEqual(shown.metrics, { 'train/loss': 1 / 3 });
  assert.equal(shown.problems[0]!.file, 'dvclive/params.yaml');
  assert.equal(shown.problems[0]!.code, 'paramsYamlInvalid');
  const text = await runMlc(root, ['show', 'tensorboard:runs/exp1']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^Run:\s+tensorboard:runs\/exp1$/m);
  assert.match(text.stdout, /^Status:\s+succeeded$/m);
  assert.match(text.stdout, /^Metrics\nNAME\s+VALUE\nacc\s+0\.75$/m);
});

test('mlc show accepts a unique prefix or a workspace path and answers an unknown id with near matches (exit 2)', async (t) => {
  const root = makeRunsWorkspace();
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  assert.match((await runMlc(root, ['show', 'tensorboard:runs/e'])).stdout, /^Run:\s+tensorboard:runs\/exp1$/m);
  assert.match((await runMlc(root, ['show', 'keras/training.log'])).stdout, /^Run:\s+csv:keras\/training\.log$/m);
  const unknown = await runMlc(root, ['show', 'tensorboard:runs/exp2']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no run 'tensorboard:runs\/exp2'.*Did you mean: tensorboard:runs\/exp1/);
  const ambiguous = await runMlc(root, ['show', 'csv:']);
  assert.equal(ambiguous.code, 2);
  assert.match(ambiguous.stderr, /matches several runs/);
  assert.equal((await runMlc(root, ['show'])).code, 2);
});
