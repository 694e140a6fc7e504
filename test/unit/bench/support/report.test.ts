import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBenchTable, formatFigure } from '../../../../bench/support/benchTable';
import { toBenchRecord } from '../../../../bench/support/report';

test('a value target compares the figure itself', () => {
  const record = toBenchRecord(
    { name: 'extension.js', value: 280, unit: 'kB', target: { value: 300, comparison: '<=' } },
    'build',
  );
  assert.equal(record.met, true);
  assert.equal(record.targetText, '<= 300 kB');
  assert.equal(record.ratio, null);
  assert.equal(
    toBenchRecord({ name: 'x', value: 301, unit: 'kB', target: { value: 300, comparison: '<=' } }).met,
    false,
  );
});

test('a ratio target compares figure / baseline', () => {
  const record = toBenchRecord(
    {
      name: 'md5, 1 core',
      value: 600,
      unit: 'MB/s',
      baseline: { name: 'md5sum', value: 675 },
      target: { ratio: 0.85, comparison: '>=' },
    },
    'hashing',
  );
  assert.equal(record.baseline, 'md5sum');
  assert.equal(record.baselineValue, 675);
  assert.ok(Math.abs((record.ratio ?? 0) - 600 / 675) < 1e-12);
  assert.equal(record.met, true);
  assert.equal(record.targetText, '>= 0.85x baseline');
});

test('a ratio target without a baseline is neither met nor missed', () => {
  const record = toBenchRecord({ name: 'x', value: 1, unit: 'ms', target: { ratio: 3, comparison: '<=' } });
  assert.equal(record.met, null);
});

test('the table aligns every column and marks missed targets', () => {
  const records = [
    toBenchRecord({ name: 'a', value: 1234.5, unit: 'ms', target: { value: 1000, comparison: '<=' } }, 'status'),
    toBenchRecord({ name: 'longer name', value: 0.123456, unit: 'ms' }, 'status'),
  ];
  const lines = formatBenchTable(records).split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[2] ?? '', /1,235 ms .* NO/);
  assert.equal(lines[0]?.indexOf('value'), lines[2]?.indexOf('1,235'));
  assert.equal(formatFigure(0.123456), '0.1235');
  assert.equal(formatFigure(null), '-');
});
