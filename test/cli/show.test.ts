import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { createWorkspace, runMlc } from '../support/mlcCli';
import { makeRunsWorkspace } from '../support/runsWorkspace';

test('mlc show prints summary, params, metrics; --json adds problems', async () => {
  const root = makeRunsWorkspace();
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

test('mlc show accepts a unique prefix or a workspace path and answers an unknown id with near matches (exit 2)', async () => {
  const root = makeRunsWorkspace();
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

test('mlc show of an mlc run (by id prefix) adds each stage result from its run record', async () => {
  const root = createWorkspace({ 'mlc.yaml': 'stages:\n  hello:\n    cmd: echo hi > out.txt\n    outs: [out.txt]\n' });
  assert.equal((await runMlc(root, ['run'])).code, 0);
  const listed = JSON.parse((await runMlc(root, ['runs', '--json', '--source', 'mlc'])).stdout) as {
    runs: Array<{ id: string }>;
  };
  const runId = listed.runs[0]!.id;
  const shown = await runMlc(root, ['show', runId.slice(0, 10), '--json']);
  assert.equal(shown.code, 0, shown.stderr);
  const record = JSON.parse(shown.stdout) as {
    id: string;
    source: string;
    status: string;
    stages: Array<Record<string, unknown>>;
  };
  assert.equal(record.id, runId);
  assert.equal(record.source, 'mlc');
  assert.equal(record.status, 'succeeded');
  assert.deepEqual(
    record.stages.map((stage) => [stage.address, stage.status, stage.exitCode]),
    [['hello', 'succeeded', 0]],
  );
  assert.match(
    (await runMlc(root, ['show', runId])).stdout,
    /^Stages\nSTAGE\s+STATUS\s+DURATION\s+DETAIL\nhello\s+succeeded/m,
  );
});
