// Downsampling against PERFORMANCE-TARGETS.md: a 1,000,000-point series reduced for a chart
// (min/max/first/last per bucket, 2 x a 1,000 px chart) in <= 10 ms. Baseline measured in the
// same run: one plain pass computing min and max over the same values (the floor of any
// reduction that looks at every point).
import { downsampleSeries } from '../src/engine/series/downsampleSeries';
import { measure } from './support/measure';
import { runBench } from './support/runBench';
import { minPlusMax, randomWalkSeries } from './support/seriesFixtures';

const POINTS = 1_000_000;

void runBench('downsample', async ({ random, report, log }) => {
  const generator = random();
  const series = randomWalkSeries(generator, POINTS);
  series.values[777_777] = 1e6;
  log(`downsampling ${POINTS} points to 2,000`);
  let kept = 0;
  const ours = await measure(
    () => {
      const reduced = downsampleSeries(series, { maxPoints: 2000 });
      kept = reduced.steps.length;
      if (!reduced.values.includes(1e6)) throw new Error('the spike was lost');
    },
    { warmup: 5, iterations: 30 },
  );
  let sink = 0;
  const baseline = await measure(() => (sink += minPlusMax(series.values)), { warmup: 5, iterations: 30 });
  report({
    name: 'downsample 1M points to 2,000 (min/max/first/last)',
    value: ours.medianMs,
    unit: 'ms',
    baseline: { name: 'one min/max pass over the values', value: baseline.medianMs },
    target: { value: 10, comparison: '<=' },
    note: `${kept} points kept; p95 ${ours.p95Ms.toFixed(2)} ms${sink === 0 ? '' : ''}`,
  });
  const windowed = await measure(
    () => downsampleSeries(series, { maxPoints: 2000, range: { min: 250_000, max: 500_000 } }),
    {
      warmup: 5,
      iterations: 30,
    },
  );
  report({
    name: 'downsample 1M points, zoomed to a quarter, to 2,000',
    value: windowed.medianMs,
    unit: 'ms',
    target: { value: 10, comparison: '<=' },
    note: `p95 ${windowed.p95Ms.toFixed(2)} ms`,
  });
});
