import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runMlc } from '../support/mlcCli';
import { dvcliveFiles } from '../support/dvcliveWriter';
import { makeRunsWorkspace, writeAged } from '../support/runsWorkspace';

function twoDvcliveRuns(): string {
  const root = makeRunsWorkspace();
  writeAged(
    root,
    dvcliveFiles({
      folder: 'exp2/dvclive',
      params: 'train:\n  lr: 0.02\nseed: 7\n',
      series: { 'train/loss': [1, 2].map((step) => ({ step, value: 0.5, timestamp: 1_700_000_000_000 + step })) },
    }),
  );
  return root;
}

test('mlc compare --json prints the runs, the baseline and a row per param and metric with deltas', async () => {
  const root = twoDvcliveRuns();
  const result = await runMlc(root, ['compare', 'dvclive:dvclive', 'dvclive:exp2/dvclive', '--json']);
  assert.equal(result.code, 0, result.stderr);
  const compared = JSON.parse(result.stdout) as {
    baseline: string;
    runs: Array<{ id: string }>;
    rows: Array<{ kind: string; name: string; differs: boolean; cells: Array<Record<string, unknown>> }>;
  };
  assert.equal(compared.baseline, 'dvclive:dvclive');
  assert.deepEqual(
    compared.runs.map((run) => run.id),
    ['dvclive:dvclive', 'dvclive:exp2/dvclive'],
  );
  assert.deepEqual(
    compared.rows.map((row) => [row.kind, row.name, row.differs]),
    [
      ['param', 'seed', true],
      ['param', 'train.lr', true],
      ['metric', 'train/loss', true],
    ],
  );
  const lr = compared.rows[1]!.cells;
  assert.deepEqual(lr[0], { text: '0.01', value: 0.01, delta: null, deltaPercent: null });
  assert.equal(lr[1]!.value, 0.02);
  assert.equal(lr[1]!.delta, 0.01);
  assert.equal(lr[1]!.deltaPercent, 100);
});

test('mlc compare prints a table with deltas, --md a Markdown table; --baseline picks the reference', async () => {
  const root = twoDvcliveRuns();
  const text = await runMlc(root, ['compare', 'dvclive:dvclive', 'dvclive:exp2/dvclive']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^\* params\.train\.lr\s+0\.01\s+0\.02 \(\+0\.01, \+100\.0%\)$/m);
  const markdown = await runMlc(root, [
    'compare',
    'dvclive:dvclive',
    'dvclive:exp2/dvclive',
    '--md',
    '--baseline',
    'dvclive:exp2/dvclive',
  ]);
  assert.equal(markdown.code, 0, markdown.stderr);
  assert.match(markdown.stdout, /^\|  \| dvclive:dvclive \| dvclive:exp2\/dvclive \(baseline\) \|$/m);
  assert.match(markdown.stdout, /^\| params\.train\.lr \| \*\*0\.01 \(-0\.01, -50\.0%\)\*\* \| \*\*0\.02\*\* \|$/m);
});

test('mlc compare refuses fewer than two runs, an unknown id and a baseline outside the runs (exit 2)', async () => {
  const root = twoDvcliveRuns();
  assert.equal((await runMlc(root, ['compare', 'dvclive:dvclive'])).code, 2);
  const unknown = await runMlc(root, ['compare', 'dvclive:dvclive', 'dvclive:nope']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no run 'dvclive:nope'/);
  const baseline = await runMlc(root, [
    'compare',
    'dvclive:dvclive',
    'dvclive:exp2/dvclive',
    '--baseline',
    'tensorboard:runs/exp1',
  ]);
  assert.equal(baseline.code, 2);
  assert.match(baseline.stderr, /--baseline must be one of the compared runs/);
});
