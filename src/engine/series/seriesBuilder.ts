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
  return new GrowableSeries(Math.min(ON_HEAP_CAPACITY, Math.max(4, initialCapacity)));
}

/**
 * Points per array a builder starts with at most: 8 doubles are 64 bytes, the largest typed array
 * V8 keeps on its own heap. A larger one gets a buffer allocated outside the heap, which costs
 * several times more to create and to collect, and the run index creates three arrays per column
 * of every run it lists (330,000 for 10,000 Lightning runs of 3 rows: 16 points each made that
 * the largest single cost of a first index). Doubling from 8 copies at most as much as from 64.
 */
const ON_HEAP_CAPACITY = 8;

/**
 * A class rather than closures: readers create one builder per column of every run they list
 * (110,000 for 10,000 runs), and per-instance closures made that the main garbage-collection cost.
 */
class GrowableSeries implements SeriesBuilder {
  length = 0;
  private steps: Float64Array;
  private values: Float64Array;
  private timestamps: Float64Array;

  constructor(private capacity: number) {
    this.steps = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.timestamps = new Float64Array(capacity);
  }

  push(step: number, value: number, timestamp: number): void {
    if (this.length === this.capacity) this.grow();
    const index = this.length++;
    this.steps[index] = step;
    this.values[index] = value;
    this.timestamps[index] = timestamp;
  }

  lastStep(): number | undefined {
    return this.length > 0 ? this.steps[this.length - 1] : undefined;
  }

  lastValue(): number | undefined {
    return this.length > 0 ? this.values[this.length - 1] : undefined;
  }

  retain(keep: (step: number) => boolean): void {
    let kept = 0;
    for (let index = 0; index < this.length; index++) {
      if (!keep(this.steps[index]!)) continue;
      this.steps[kept] = this.steps[index]!;
      this.values[kept] = this.values[index]!;
      this.timestamps[kept] = this.timestamps[index]!;
      kept++;
    }
    this.length = kept;
  }

  build(from = 0): MetricSeries {
    return {
      steps: this.steps.slice(from, this.length),
      values: this.values.slice(from, this.length),
      timestamps: this.timestamps.slice(from, this.length),
    };
  }

  private grow(): void {
    this.capacity *= 2;
    const grown = (array: Float64Array) => {
      const next = new Float64Array(this.capacity);
      next.set(array.subarray(0, this.length));
      return next;
    };
    this.steps = grown(this.steps);
    this.values = grown(this.values);
    this.timestamps = grown(this.timestamps);
  }
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
