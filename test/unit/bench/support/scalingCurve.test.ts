import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCurveTable, formatPerUnit, growthExponents } from '../../../../bench/support/scalingCurve';

test('growth exponents: 1 for linear, 2 for quadratic, 0 for a fixed cost', () => {
  const sizes = [10, 100, 1000];
  const round = (values: number[]) => values.map((value) => Number(value.toFixed(6)));
  assert.deepEqual(round(growthExponents(sizes.map((x) => ({ x, y: 3 * x })))), [1, 1]);
  assert.deepEqual(round(growthExponents(sizes.map((x) => ({ x, y: x * x })))), [2, 2]);
  assert.deepEqual(round(growthExponents(sizes.map((x) => ({ x, y: 7 })))), [0, 0]);
});

test('cost per unit picks ns, µs or ms', () => {
  assert.equal(formatPerUnit(1, 1_000_000, 'point'), '1 ns/point');
  assert.equal(formatPerUnit(50, 10_000, 'file'), '5 µs/file');
  assert.equal(formatPerUnit(3000, 1000, 'stage'), '3 ms/stage');
});

test('the curve table has a row per size with cost per unit, ratio, growth and peak RSS', () => {
  const table = formatCurveTable('status vs files', 'file', 'stat tree', [
    { size: 1000, ms: 100, baselineMs: 50, peakRssMb: 60 },
    { size: 10_000, ms: 1000, baselineMs: 500 },
  ]);
  const lines = table.split('\n');
  assert.equal(lines[0], 'status vs files');
  assert.match(lines[1]!, /^size\s+ms\s+per unit\s+stat tree ms/);
  assert.match(lines[2]!, /^1,000\s+100\s+100 µs\/file\s+50\s+50 µs\/file\s+2x\s+60 MB$/);
  assert.match(lines[3]!, /^10,000\s+1,000\s+100 µs\/file\s+500\s+50 µs\/file\s+2x\s+n\^1\.00\s*$/);
});
