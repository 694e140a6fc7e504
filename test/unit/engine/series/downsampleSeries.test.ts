import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { MetricSeries } from '../../../../src/engine/runs/model';
import { downsampleSeries } from '../../../../src/engine/series/downsampleSeries';

const seriesOf = (steps: number[], values: number[]): MetricSeries => ({
  steps: Float64Array.from(steps),
  values: Float64Array.from(values),
  timestamps: Float64Array.from(steps, (step) => step * 1000),
});

test('without maxPoints the exact data comes back', () => {
  const series = seriesOf([1, 2, 3], [3, 1, 2]);
  assert.equal(downsampleSeries(series), series);
});

test('a spike survives downsampling a long flat series', () => {
  const steps = Array.from({ length: 100_000 }, (_value, index) => index);
  const values = steps.map(() => 1);
  values[54_321] = 1000;
  values[12_345] = -5;
  const reduced = downsampleSeries(seriesOf(steps, values), { maxPoints: 100 });
  assert.ok(reduced.steps.length <= 100);
  assert.ok([...reduced.values].includes(1000));
  assert.ok([...reduced.values].includes(-5));
  assert.equal(reduced.steps[0], 0);
  assert.equal(reduced.steps[reduced.steps.length - 1], 99_999);
});

test('a visible range keeps one neighbour on each side', () => {
  const reduced = downsampleSeries(seriesOf([0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5]), { range: { min: 2, max: 3 } });
  assert.deepEqual([...reduced.steps], [1, 2, 3, 4]);
});

test('x = timestamp buckets by time and unsorted steps come out sorted', () => {
  const reduced = downsampleSeries(seriesOf([3, 1, 2], [30, 10, 20]), { maxPoints: 10 });
  assert.deepEqual([...reduced.steps], [1, 2, 3]);
  const byTime = downsampleSeries(seriesOf([1, 2, 3], [1, 2, 3]), { maxPoints: 10, x: 'timestamp' });
  assert.deepEqual([...byTime.timestamps], [1000, 2000, 3000]);
});

test('invariants on random series: extremes kept, x sorted, length bounded, points are input points', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.double({ min: -1e6, max: 1e6, noNaN: true })), {
        minLength: 1,
        maxLength: 400,
      }),
      fc.integer({ min: 1, max: 64 }),
      (points, maxPoints) => {
        const series = seriesOf(
          points.map(([step]) => step),
          points.map(([, value]) => value),
        );
        const reduced = downsampleSeries(series, { maxPoints });
        assert.ok(reduced.steps.length <= Math.max(maxPoints, 4));
        for (let index = 1; index < reduced.steps.length; index++)
          assert.ok(reduced.steps[index - 1]! <= reduced.steps[index]!);
        const values = [...reduced.values];
        assert.ok(values.includes(Math.min(...series.values)));
        assert.ok(values.includes(Math.max(...series.values)));
        const pairs = new Set(points.map(([step, value]) => `${step}:${value}`));
        for (let index = 0; index < reduced.steps.length; index++) {
          assert.ok(pairs.has(`${reduced.steps[index]}:${reduced.values[index]}`));
        }
      },
    ),
  );
});
