import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChartSeries, SeriesPoints } from '../../../../src/protocol/metricCharts';
import {
  alertChartX,
  appendPoints,
  seriesAfterSnapshot,
  chartCsv,
  countPoints,
  fromChartX,
  groupMetrics,
  mergeAlerts,
  mergeSeries,
  refineRequest,
  runOrigin,
  smoothEma,
  toChartX,
  toXY,
  valueNear,
  visiblePoints,
} from '../../../../webview-ui/metricCharts/chartModel';
import { dashesForRuns, RUN_COLOUR_VARIABLES, runColourIndex } from '../../../../webview-ui/shared/runColours';

const points = (steps: number[], values: (number | null)[], timestamps?: (number | null)[]): SeriesPoints => ({
  steps,
  values,
  timestamps: timestamps ?? steps.map((step) => 1_000_000 + step * 1000),
});
const dense = (values: readonly (number | null | undefined)[]) => Array.from(values, (value) => value ?? null);
const chartSeries = (base: SeriesPoints, downsampled = false): ChartSeries => ({ ...base, downsampled });

test('metrics are grouped by prefix, sorted, and filtered by every word of the search', () => {
  const names = ['val/loss', 'train/loss', 'accuracy', 'train/acc', 'a/b/c', 'val/loss'];
  assert.deepEqual(groupMetrics(names), [
    { prefix: '', metrics: ['accuracy'] },
    { prefix: 'a/b', metrics: ['a/b/c'] },
    { prefix: 'train', metrics: ['train/acc', 'train/loss'] },
    { prefix: 'val', metrics: ['val/loss'] },
  ]);
  assert.deepEqual(groupMetrics(names, 'LOSS tr'), [{ prefix: 'train', metrics: ['train/loss'] }]);
  assert.deepEqual(groupMetrics(names, 'nothing'), []);
});

test('x axes: step as is, wall time in epoch seconds, relative time in seconds from the origin; and back', () => {
  assert.equal(toChartX('step', 7, null, null), 7);
  assert.equal(toChartX('wallTime', 7, 5000, null), 5);
  assert.equal(toChartX('wallTime', 7, null, null), null, 'no time, no point on a time axis');
  assert.equal(toChartX('relativeTime', 7, 5000, 2000), 3);
  assert.equal(fromChartX('relativeTime', 3, 2000), 5000);
  assert.equal(fromChartX('wallTime', 5, null), 5000);
  assert.equal(fromChartX('step', 9, null), 9);
  assert.equal(runOrigin(123, []), 123, 'the recorded start wins');
  assert.equal(runOrigin(null, [points([0, 1], [1, 2], [null, 9000]), points([0], [1], [4000])]), 4000);
});

test('toXY drops points without an x, sorts by x, and leaves non-positive values out of a log scale', () => {
  const xy = toXY(points([2, 0, 1], [4, -1, 0], [3000, 1000, null]), 'wallTime', null, true);
  assert.deepEqual(xy, { xs: [1, 3], ys: [null, 4] });
  assert.deepEqual(toXY(points([0, 1], [1, 2]), 'relativeTime', 1_000_000, false).xs, [0, 1]);
});

test('EMA smoothing is debiased (starts at the first value), skips nulls, and weight 0 changes nothing', () => {
  assert.deepEqual(smoothEma([1, 2, 3], 0), [1, 2, 3]);
  const smoothed = smoothEma([10, null, 10, 20], 0.5);
  assert.equal(smoothed[0], 10, 'no pull towards zero at the start');
  assert.equal(smoothed[1], null);
  assert.equal(smoothed[2], 10);
  // last = 0.5*(0.5*(0.5*0+0.5*10)+0.5*10)+0.5*20 = 13.75, debiased by 1 - 0.5^3.
  assert.ok(Math.abs(smoothed[3]! - 13.75 / 0.875) < 1e-9);
  assert.ok(smoothed[3]! > 10 && smoothed[3]! < 20, 'between the old level and the new value');
});

test('live appends add only new steps, a repeated batch is harmless, and a reset replaces', () => {
  const base = chartSeries(points([0, 1, 2], [1, 2, 3]));
  const appended = appendPoints(base, points([2, 3, 4], [3, 4, 5]), false);
  assert.deepEqual(appended.steps, [0, 1, 2, 3, 4]);
  assert.deepEqual(appended.values, [1, 2, 3, 4, 5]);
  assert.equal(appendPoints(appended, points([3, 4], [4, 5]), false), appended, 'nothing new, same object');
  const reset = appendPoints(appended, points([0], [9]), true);
  assert.deepEqual(reset.steps, [0]);
  assert.deepEqual(appendPoints(undefined, points([5], [1]), false).steps, [5]);
});

test('a zoom detail is spliced into the overview over its range only', () => {
  const overview = chartSeries(points([0, 10, 20, 30, 40], [0, 1, 2, 3, 4]), true);
  const detail = points([9, 11, 12, 13, 19, 21], [9, 11, 12, 13, 19, 21]);
  const shown = visiblePoints({ overview, detail: { column: 'step', min: 10, max: 20, points: detail } });
  assert.deepEqual(shown.steps, [0, 11, 12, 13, 19, 30, 40], 'the neighbours outside the range come from the overview');
  assert.equal(visiblePoints({ overview }), overview);
});

test('refinement asks, per downsampled run, the visible range in its own recorded column, four points per pixel', () => {
  const targets = [
    { runId: 'a', downsampled: true, origin: 1000 },
    { runId: 'b', downsampled: false, origin: 2000 },
    { runId: 'c', downsampled: true, origin: 5000 },
  ];
  assert.deepEqual(refineRequest('relativeTime', 1, 2, 500, targets), {
    x: 'timestamp',
    ranges: [
      { runId: 'a', min: 2000, max: 3000 },
      { runId: 'c', min: 6000, max: 7000 },
    ],
    maxPoints: 2000,
  });
  assert.deepEqual(refineRequest('step', 10, 20, 300, targets)?.ranges[0], { runId: 'a', min: 10, max: 20 });
  assert.equal(refineRequest('step', 10, 20, 300, [targets[1]!]), undefined, 'exact series need no refinement');
});

test('series merge: shared steps cost nothing, different steps meet on the union with nulls', () => {
  const same = mergeSeries(
    [
      { xs: [0, 1, 2], ys: [1, 2, 3] },
      { xs: [0, 1, 2], ys: [4, 5, 6] },
    ],
    100,
  );
  assert.deepEqual(Array.from(same.xs), [0, 1, 2]);
  assert.deepEqual(same.ys, [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const union = mergeSeries(
    [
      { xs: [0, 2, 4], ys: [1, 2, 3] },
      { xs: [1, 2, 3, 3], ys: [7, 8, 9, 10] },
    ],
    100,
  );
  assert.deepEqual(Array.from(union.xs), [0, 1, 2, 3, 4]);
  // Gaps are holes in the arrays (undefined to uPlot); read as null here.
  assert.deepEqual(union.ys.map(dense), [
    [1, null, 2, null, 3],
    [null, 7, 8, 10, null],
  ]);
  assert.equal(union.snapped, false);
  assert.equal(countPoints(union), 6, 'a step logged twice counts once');
  assert.deepEqual(mergeSeries([], 10), { xs: new Float64Array(0), ys: [], snapped: false });
});

test('series merge over budget snaps x to columns and keeps each column’s minimum and maximum', () => {
  // 100 runs with their own timestamps: 1,000 distinct x values, budget 20 -> 10 columns.
  const series = Array.from({ length: 100 }, (_, run) => ({
    xs: Array.from({ length: 10 }, (_, index) => index * 100 + run),
    ys: Array.from({ length: 10 }, (_, index) => (run === 42 && index === 3 ? 1000 : index)),
  }));
  const merged = mergeSeries(series, 20);
  assert.equal(merged.snapped, true);
  assert.equal(merged.xs.length, 20);
  assert.ok(merged.ys[42]!.includes(1000), 'the spike survives');
  assert.ok(
    merged.xs.every((x, index) => index === 0 || x > merged.xs[index - 1]!),
    'x ascending',
  );
});

test('the hover readout takes the value at the cursor or the nearest one', () => {
  const xs = [0, 1, 2, 3, 4];
  assert.equal(valueNear(xs, [1, null, null, 4, null], 0), 1);
  assert.equal(valueNear(xs, [1, null, null, 4, null], 2), 4, 'x=3 is nearer than x=0');
  assert.equal(valueNear(xs, [null, null, null, null, null], 2), null);
});

test('CSV of a chart: the x column and one column per run, rows where some run has a value', () => {
  const aligned = mergeSeries(
    [
      { xs: [0, 2], ys: [1, 2] },
      { xs: [1, 2], ys: [3, null] },
    ],
    10,
  );
  assert.deepEqual(chartCsv('Step', ['a', 'b'], aligned), {
    header: ['Step', 'a', 'b'],
    rows: [
      ['0', '1', ''],
      ['1', '', '3'],
      ['2', '2', ''],
    ],
  });
});

test('a run’s colour depends on its id only, so every panel gives it the same one', () => {
  const indexes = new Set(Array.from({ length: 60 }, (_, index) => runColourIndex(`run-${index}`)));
  assert.equal(indexes.size, RUN_COLOUR_VARIABLES.length, 'ids spread over every colour');
  assert.equal(runColourIndex('mlflow:0123'), runColourIndex('mlflow:0123'));
  // Runs sharing a colour on one chart: solid, then dashed; others stay solid.
  const [first, second] = Array.from({ length: 60 }, (_, index) => `run-${index}`).filter(
    (runId) => runColourIndex(runId) === runColourIndex('run-0'),
  );
  const other = Array.from({ length: 60 }, (_, index) => `x-${index}`).find(
    (runId) => runColourIndex(runId) !== runColourIndex('run-0'),
  )!;
  assert.deepEqual(dashesForRuns([first!, other, second!]), [[], [], [6, 3]]);
});

test('an alert sits at its step, or at the time of the first point at or after that step', () => {
  const points: SeriesPoints = { steps: [0, 10, 20], values: [1, 2, 3], timestamps: [1000, null, 5000] };
  assert.equal(alertChartX('step', 15, points, 1000), 15);
  assert.equal(alertChartX('wallTime', 15, points, 1000), 5);
  assert.equal(alertChartX('relativeTime', 15, points, 1000), 4);
  assert.equal(alertChartX('wallTime', 10, points, 1000), null, 'that point has no time');
  assert.equal(alertChartX('wallTime', 25, points, 1000), null, 'no point at or after the step');
});

test('alerts of a live batch are added after those held, once each', () => {
  const nan = { metric: 'train/loss', step: 12, message: 'train/loss is NaN at step 12 of train' };
  const low = { metric: 'val/acc', step: 30, message: 'val/acc below 0.5 after step 20' };
  assert.deepEqual(mergeAlerts([], [nan]), [nan]);
  assert.deepEqual(mergeAlerts([nan], [nan, low]), [nan, low], 'one the snapshot already had is not doubled');
  assert.deepEqual(
    mergeAlerts([nan], [{ ...nan, step: 13 }]),
    [nan, { ...nan, step: 13 }],
    'another step is another alert',
  );
  assert.deepEqual(mergeAlerts([low, nan], [low, low]), [low, nan]);
});

test('a snapshot of a live run keeps the points the page got after the snapshot read the files', () => {
  const series = (steps: number[]): ChartSeries => ({
    steps,
    values: steps.map((step) => step / 10),
    timestamps: steps.map((step) => 1_000 + step),
    downsampled: false,
  });
  // The snapshot read loss up to step 3; live batches meanwhile brought steps 4 and 5, and a metric
  // logged for the first time (lr).
  const page = new Map([
    ['loss', { overview: series([0, 1, 2, 3, 4, 5]) }],
    ['lr', { overview: series([5]) }],
  ]);
  const sameLiveRun = { startedAt: 1_000, isLive: true };
  const held = { startedAt: 1_000, wasLive: true, series: page };
  const merged = seriesAfterSnapshot({ loss: series([0, 1, 2, 3]), acc: series([0, 1]) }, sameLiveRun, held);
  assert.deepEqual(merged.loss!.steps, [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(merged.loss!.values, [0, 0.1, 0.2, 0.3, 0.4, 0.5]);
  assert.deepEqual(merged.lr!.steps, [5]);
  assert.deepEqual(merged.acc!.steps, [0, 1], 'a metric only the snapshot has is as it read it');
  // A snapshot newer than the page keeps its own points: nothing older is added back.
  const newer = seriesAfterSnapshot({ loss: series([0, 1, 2, 3, 4, 5, 6]) }, sameLiveRun, held);
  assert.deepEqual(newer.loss!.steps, [0, 1, 2, 3, 4, 5, 6]);
  // Not the same live run: the snapshot's read alone (a re-run with the same id started later, a
  // run that ended, a run the page did not hold as live).
  const read = { loss: series([0, 1]) };
  assert.equal(seriesAfterSnapshot(read, { startedAt: 2_000, isLive: true }, held), read, 're-run');
  assert.equal(seriesAfterSnapshot(read, { startedAt: 1_000, isLive: false }, held), read, 'ended');
  assert.equal(seriesAfterSnapshot(read, sameLiveRun, { ...held, wasLive: false }), read, 'was not live');
  assert.equal(seriesAfterSnapshot(read, sameLiveRun, undefined), read, 'not held');
});
