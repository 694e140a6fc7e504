import assert from 'node:assert/strict';
import { test } from 'node:test';
import { imageMimeOf, readPlotRows } from '../../../../src/engine/plots/readPlotRows';

test('CSV and TSV: a header row by default, columns 0, 1, ... with header: false, quoted cells', () => {
  assert.deepEqual(readPlotRows('a,b\n1,"x, y"\n', 'f.csv', { header: true }).value, {
    rows: [{ a: '1', b: 'x, y' }],
    columns: ['a', 'b'],
  });
  assert.deepEqual(readPlotRows('1\t2\r\n3\t4\r\n', 'f.tsv', { header: false }).value, {
    rows: [
      { 0: '1', 1: '2' },
      { 0: '3', 1: '4' },
    ],
    columns: ['0', '1'],
  });
});

test('JSON with NaN/Infinity, YAML, and the first list of rows inside a map', () => {
  const json = readPlotRows('{"roc": [{"fpr": 0.0, "threshold": Infinity}]}', 'roc.json', { header: true });
  assert.deepEqual(json.value, {
    rows: [{ fpr: 0, threshold: Number.POSITIVE_INFINITY }],
    columns: ['fpr', 'threshold'],
  });
  const yaml = readPlotRows('data:\n  - {step: 1, loss: 0.5}\n', 'p.yaml', { header: true });
  assert.deepEqual(yaml.value?.rows, [{ step: 1, loss: 0.5 }]);
});

test('JSONL: one object per line, a bad line is a located warning and skipped', () => {
  const parsed = readPlotRows('{"x": 1}\nnot json\n{"x": 2}\n', 'p.jsonl', { header: true });
  assert.deepEqual(parsed.value?.rows, [{ x: 1 }, { x: 2 }]);
  assert.deepEqual(
    parsed.problems.map((problem) => [problem.code, problem.severity, problem.line]),
    [['plotFileSyntax', 'warning', 2]],
  );
});

test('a map without rows, a syntax error and an unknown extension are problems, never exceptions', () => {
  assert.equal(readPlotRows('{"a": 1}', 'm.json', { header: true }).problems[0]?.code, 'plotFileSyntax');
  assert.deepEqual(
    readPlotRows('[{"a": 1},\n {"a": }]', 'm.json', { header: true }).problems.map((problem) => [
      problem.code,
      problem.line,
    ]),
    [['plotFileSyntax', 2]],
  );
  assert.equal(readPlotRows('x', 'notes.txt', { header: true }).problems[0]?.code, 'plotFileUnsupported');
  assert.equal(imageMimeOf('a/B.SVG'), 'image/svg+xml');
  assert.equal(imageMimeOf('a/b.csv'), undefined);
});
