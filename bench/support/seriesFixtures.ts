import type { MetricSeries } from '../../src/engine/runs/model';
import type { Random } from './createRandom';

/** A noisy, slowly drifting training curve of `points` steps, 100 ms apart (the downsampling benches). */
export function randomWalkSeries(generator: Random, points: number): MetricSeries {
  const series = {
    steps: new Float64Array(points),
    values: new Float64Array(points),
    timestamps: new Float64Array(points),
  };
  let value = 1;
  for (let index = 0; index < points; index++) {
    series.steps[index] = index;
    value = value * 0.99999 + generator.normal(0, 0.01);
    series.values[index] = value;
    series.timestamps[index] = 1_700_000_000_000 + index * 100;
  }
  return series;
}

/** One plain pass computing min + max: the floor of any reduction that looks at every point. */
export function minPlusMax(values: Float64Array): number {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < values.length; index++) {
    const current = values[index]!;
    if (current < min) min = current;
    if (current > max) max = current;
  }
  return min + max;
}
