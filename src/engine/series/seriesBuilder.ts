import type { MetricSeries } from '../runs/model';

/**
 * Collects three parallel Float64Arrays in chunks, so a reader can push a million points without
 * a million small allocations, and hands out a MetricSeries that shares no memory with later pushes.
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
  return new ChunkedSeries(Math.max(4, Math.min(initialCapacity, ON_HEAP_CAPACITY)));
}

/**
 * Points the first chunk holds at most: 8 doubles are 64 bytes, the largest typed array V8 keeps
 * on its own heap. A larger one gets a buffer allocated outside the heap, which costs several
 * times more to create and to collect, and the run index creates three arrays per column of every
 * run it lists (330,000 for 10,000 Lightning runs of 3 rows: 16 points each made that the largest
 * single cost of a first index). Chunks double from there, so a long series soon has big ones.
 */
const ON_HEAP_CAPACITY = 8;

/** 512 KiB per array: big enough that a 1M-point series is a few dozen chunks. */
const MAX_CHUNK_POINTS = 65_536;

interface Chunk {
  readonly steps: Float64Array;
  readonly values: Float64Array;
  readonly timestamps: Float64Array;
}

function newChunk(capacity: number): Chunk {
  return {
    steps: new Float64Array(capacity),
    values: new Float64Array(capacity),
    timestamps: new Float64Array(capacity),
  };
}

/**
 * A class rather than closures: readers create one builder per column of every run they list
 * (110,000 for 10,000 runs), and per-instance closures made that the main garbage-collection cost.
 * Full chunks are kept, never copied into a bigger array: growing by doubling zero-filled and
 * copied every point about twice more (5-8 % of reading a TensorBoard file), and `build` copies
 * each point once anyway. Chunks double in size up to MAX_CHUNK_POINTS, so small series stay small.
 */
class ChunkedSeries implements SeriesBuilder {
  length = 0;
  /** The chunks before `current`, all full. */
  private full: Chunk[] = [];
  private current: Chunk;
  /** Points in `current`. */
  private used = 0;

  constructor(capacity: number) {
    this.current = newChunk(capacity);
  }

  push(step: number, value: number, timestamp: number): void {
    let chunk = this.current;
    if (this.used === chunk.steps.length) {
      this.full.push(chunk);
      chunk = this.current = newChunk(Math.min(chunk.steps.length * 2, MAX_CHUNK_POINTS));
      this.used = 0;
    }
    const index = this.used++;
    chunk.steps[index] = step;
    chunk.values[index] = value;
    chunk.timestamps[index] = timestamp;
    this.length++;
  }

  lastStep(): number | undefined {
    return this.length > 0 ? this.current.steps[this.used - 1] : undefined;
  }

  lastValue(): number | undefined {
    return this.length > 0 ? this.current.values[this.used - 1] : undefined;
  }

  retain(keep: (step: number) => boolean): void {
    // Rare (a restarted run): gather everything into one chunk, then compact it in place.
    const { steps, values, timestamps } = this.build();
    let kept = 0;
    for (let index = 0; index < steps.length; index++) {
      if (!keep(steps[index]!)) continue;
      steps[kept] = steps[index]!;
      values[kept] = values[index]!;
      timestamps[kept] = timestamps[index]!;
      kept++;
    }
    this.full = [];
    this.current = steps.length > 0 ? { steps, values, timestamps } : newChunk(4);
    this.used = kept;
    this.length = kept;
  }

  build(from = 0): MetricSeries {
    const count = Math.max(0, this.length - from);
    const series = {
      steps: new Float64Array(count),
      values: new Float64Array(count),
      timestamps: new Float64Array(count),
    };
    let chunkStart = 0;
    let written = 0;
    for (let index = 0; index <= this.full.length; index++) {
      const chunk = index < this.full.length ? this.full[index]! : this.current;
      const chunkLength = index < this.full.length ? chunk.steps.length : this.used;
      const chunkEnd = chunkStart + chunkLength;
      if (chunkEnd > from) {
        const first = Math.max(0, from - chunkStart);
        series.steps.set(chunk.steps.subarray(first, chunkLength), written);
        series.values.set(chunk.values.subarray(first, chunkLength), written);
        series.timestamps.set(chunk.timestamps.subarray(first, chunkLength), written);
        written += chunkLength - first;
      }
      chunkStart = chunkEnd;
    }
    return series;
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
