import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareRuns } from '../../../../src/engine/runs/compareRuns';
import { formatCsv, formatMarkdownTable } from '../../../../src/engine/runs/formatTextTable';
import type { RunSummary } from '../../../../src/engine/runs/model';

const aRun = (id: string, params: RunSummary['params'], metrics: RunSummary['metrics']): RunSummary => ({
  id,
  source: 'mlc',
  name: id,
  status: 'succeeded',
  params,
  metrics,
  location: `/ws/.mlc/runs/${id}`,
});

const runs = [
  aRun('a', { 'train.lr': 0.1, model: 'cnn', seed: 1 }, { accuracy: 0.8, loss: 0.5 }),
  aRun('b', { 'train.lr': 0.05, model: 'cnn', seed: 1 }, { accuracy: 0.9 }),
  aRun('c', { 'train.lr': 0.1, model: 'mlp', seed: 1, extra: null }, { accuracy: 0, loss: 0.25 }),
];

test('params then metrics, by name, with differing rows marked', () => {
  const { rows, baselineIndex } = compareRuns(runs);
  assert.equal(baselineIndex, 0);
  assert.deepEqual(
    rows.map((row) => [row.kind, row.name, row.differs]),
    [
      ['param', 'extra', true],
      ['param', 'model', true],
      ['param', 'seed', false],
      ['param', 'train.lr', true],
      ['metric', 'accuracy', true],
      ['metric', 'loss', true],
    ],
  );
  assert.deepEqual(
    rows[0]!.cells.map((cell) => cell.text),
    ['', '', 'null'],
  );
});

test('deltas are absolute and in percent of the baseline, which the user picks', () => {
  const accuracy = (baselineId?: string) => compareRuns(runs, baselineId).rows.find((row) => row.name === 'accuracy')!;
  const fromFirst = accuracy();
  assert.equal(fromFirst.cells[0]!.delta, null, 'the baseline has no delta');
  assert.ok(Math.abs(fromFirst.cells[1]!.delta! - 0.1) < 1e-12);
  assert.ok(Math.abs(fromFirst.cells[1]!.deltaPercent! - 12.5) < 1e-9);
  assert.equal(fromFirst.cells[2]!.deltaPercent, -100);
  const fromThird = accuracy('c');
  assert.equal(fromThird.cells[0]!.delta, 0.8);
  assert.equal(fromThird.cells[0]!.deltaPercent, null, 'no percentage of a zero baseline');
  const loss = compareRuns(runs).rows.find((row) => row.name === 'loss')!;
  assert.equal(loss.cells[1]!.delta, null, 'a missing value has no delta');
  assert.equal(compareRuns(runs, 'nope').baselineIndex, 0);
});

test('CSV quotes what needs quoting and Markdown escapes pipes and line breaks', () => {
  const rows = [
    ['<img src=x onerror=alert(1)>', 'a,b', 'say "hi"'],
    ['x|y', 'line\nbreak', ' padded'],
  ];
  assert.equal(
    formatCsv(['name', 'v1', 'v2'], rows),
    'name,v1,v2\r\n<img src=x onerror=alert(1)>,"a,b","say ""hi"""\r\nx|y,"line\nbreak"," padded"\r\n',
  );
  assert.equal(
    formatMarkdownTable(['name', 'v'], [['x|y', 'line\nbreak']]),
    '| name | v |\n|---|---|\n| x\\|y | line break |\n',
  );
});
