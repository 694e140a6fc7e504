import type { MetricSeries } from '../runs/model';

/**
 * Grows three parallel Float64Arrays by doubling, so a reader can push a million points without
 * a million small allocations, and hand out a MetricSeries that shares no memory with later pushes.
 */
export interface SeriesBuilder {
  readonly length: number;
  push(step: number, value: number, timestamp: number): void;
  /** The step of the latest point, or undefined when empty. */
  lastStep(): number | undefined;
  lastValue(): number | undefined;
  /** Keeps only the points for which `keep(step)` is true (restarts purge newer points). */
  retain(keep: (step: number) => boolean): void;
  /** A copy of the points from index `from` on (all by default). */
  build(from?: number): MetricSeries;
}

export function createSeriesBuilder(initialCapacity = 64): SeriesBuilder {
  let capacity = Math.max(4, initialCapacity);
  let steps = new Float64Array(capacity);
  let values = new Float64Array(capacity);
  let timestamps = new Float64Array(capacity);
  let length = 0;
  const grow = () => {
    capacity *= 2;
    const nextSteps = new Float64Array(capacity);
    const nextValues = new Float64Array(capacity);
    const nextTimestamps = new Float64Array(capacity);
    nextSteps.set(steps.subarray(0, length));
    nextValues.set(values.subarray(0, length));
    nextTimestamps.set(timestamps.subarray(0, length));
    steps = nextSteps;
    values = nextValues;
    timestamps = nextTimestamps;
  };
  return {
    get length() {
      return length;
    },
    push(step, value, timestamp) {
      if (length === capacity) grow();
      steps[length] = step;
      values[length] = value;
      timestamps[length] = timestamp;
      length++;
    },
    lastStep: () => (length > 0 ? steps[length - 1] : undefined),
    lastValue: () => (length > 0 ? values[length - 1] : undefined),
    retain(keep) {
      let kept = 0;
      for (let index = 0; index < length; index++) {
        if (!keep(steps[index]!)) continue;
        steps[kept] = steps[index]!;
        values[kept] = values[index]!;
        timestamps[kept] = timestamps[index]!;
        kept++;
      }
      length = kept;
    },
    build: (from = 0) => ({
      steps: steps.slice(from, length),
      values: values.slice(from, length),
      timestamps: timestamps.slice(from, length),
    }),
  };
}

/** Appends `addition` to `base` (used by incremental reads that fetch only new points). */
export function concatSeries(base: MetricSeries, addition: MetricSeries): MetricSeries {
  const join = (left: Float64Array, right: Float64Array) => {
    const joined = new Float64Array(left.length + right.length);
    joined.set(left);
    joined.set(right, left.length);
    return joined;
  };
  return {
    steps: join(base.steps, addition.steps),
    values: join(base.values, addition.values),
    timestamps: join(base.timestamps, addition.timestamps),
  };
}

export const EMPTY_SERIES: MetricSeries = {
  steps: new Float64Array(0),
  values: new Float64Array(0),
  timestamps: new Float64Array(0),
};
