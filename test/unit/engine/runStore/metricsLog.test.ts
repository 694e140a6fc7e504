import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatMetricLines, latestValues, parseMetricsLog } from '../../../../src/engine/runStore/metricsLog';

test('metric points round-trip through metrics.jsonl, NaN and infinities included', () => {
  const text = formatMetricLines('train', [
    { name: 'loss', step: 1, value: 0.5, timestamp: 10 },
    { name: 'loss', step: 2, value: Number.NaN, timestamp: 20 },
    { name: 'grad', step: 2, value: Number.NEGATIVE_INFINITY, timestamp: 20 },
  ]);
  const { series, badLines } = parseMetricsLog(text);
  assert.equal(badLines, 0);
  assert.deepEqual([...series.loss!.steps], [1, 2]);
  assert.deepEqual([...series.loss!.values], [0.5, Number.NaN]);
  assert.deepEqual([...series.grad!.values], [Number.NEGATIVE_INFINITY]);
  assert.deepEqual(latestValues(series), { loss: Number.NaN, grad: Number.NEGATIVE_INFINITY });
});

test('a torn last line is ignored silently; a bad line in the middle is counted and skipped', () => {
  const good = formatMetricLines('s', [{ name: 'a', step: 1, value: 1, timestamp: 1 }]);
  const { series, badLines } = parseMetricsLog(`${good}garbage\n${good}{"stage":"s","name":"a","st`);
  assert.equal(badLines, 1);
  assert.deepEqual([...series.a!.values], [1, 1]);
});

test('names limit which series are built', () => {
  const text = formatMetricLines('s', [
    { name: 'a', step: 1, value: 1, timestamp: 1 },
    { name: 'b', step: 1, value: 2, timestamp: 1 },
  ]);
  assert.deepEqual(Object.keys(parseMetricsLog(text, ['b']).series), ['b']);
});
