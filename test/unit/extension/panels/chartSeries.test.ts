import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chartAlertsOf, toChartSeries, toSeriesPoints } from '../../../../src/extension/panels/chartSeries';

const series = (values: number[], timestamps: number[]) => ({
  steps: Float64Array.from(values.map((_, index) => index)),
  values: Float64Array.from(values),
  timestamps: Float64Array.from(timestamps),
});

test('series reach the panel as JSON numbers: NaN, infinities and missing times become null', () => {
  assert.deepEqual(toSeriesPoints(series([1, Number.NaN, Infinity], [5, Number.NaN, 7])), {
    steps: [0, 1, 2],
    values: [1, null, null],
    timestamps: [5, null, 7],
  });
});

test('a series as long as a quarter of maxPoints may have been reduced: the panel refines it on zoom', () => {
  const shaped = toChartSeries(
    { short: series([1, 2], [0, 0]), long: series(new Array(30).fill(1), new Array(30).fill(0)) },
    100,
  );
  assert.equal(shaped.short!.downsampled, false);
  assert.equal(shaped.long!.downsampled, true);
});

test('the alerts a chart marks are those that fired at a step of a metric', () => {
  assert.deepEqual(
    chartAlertsOf([
      { message: 'loss is NaN at step 3 of train', metric: 'loss', step: 3 },
      { message: 'no new metric or log for 5 minutes' },
      { message: 'acc regressed against run r1', metric: 'acc' },
    ]),
    [{ metric: 'loss', step: 3, message: 'loss is NaN at step 3 of train' }],
  );
});
