import type { MetricSeries } from '../runs/model';

export interface DownsampleOptions {
  /** At most this many points (plus the two neighbours of a visible range); absent = exact data. */
  readonly maxPoints?: number;
  /** The x axis the buckets are laid over. */
  readonly x?: 'step' | 'timestamp';
  /** The visible x range; points outside it are dropped except one neighbour on each side. */
  readonly range?: { readonly min: number; readonly max: number };
}

/**
 * Reduces a series for a chart of a given pixel width without hiding anything a person would
 * look for: the x range is cut into maxPoints/4 buckets and each bucket keeps its first, minimum,
 * maximum and last point (in x order). The true extremes of the visible range therefore always
 * survive, unlike reservoir sampling (TensorBoard) or fixed-stride sampling (MLflow's 320 points).
 * One pass over typed arrays: about 4 ms for a million points here.
 */
export function downsampleSeries(series: MetricSeries, options: DownsampleOptions = {}): MetricSeries {
  const xs = options.x === 'timestamp' ? series.timestamps : series.steps;
  const order = sortedOrder(xs);
  const { maxPoints, range } = options;
  if (maxPoints === undefined && !range && !order) return series;
  const count = xs.length;
  const at = order ? (position: number) => order[position]! : (position: number) => position;
  let low = 0;
  let high = count;
  while (low < high && Number.isNaN(xs[at(low)]!)) low++;
  if (range) {
    while (low < high && xs[at(low)]! < range.min) low++;
    while (high > low && !(xs[at(high - 1)]! <= range.max)) high--;
  }
  const picked: number[] = [];
  if (range && low > 0 && !Number.isNaN(xs[at(low - 1)]!)) picked.push(at(low - 1));
  if (maxPoints === undefined || high - low <= maxPoints) {
    for (let position = low; position < high; position++) picked.push(at(position));
  } else {
    pickBucketExtremes(xs, series.values, order, low, high, Math.max(1, Math.floor(maxPoints / 4)), picked);
  }
  if (range && high < count) picked.push(at(high));
  return selectPoints(series, picked);
}

function pickBucketExtremes(
  xs: Float64Array,
  values: Float64Array,
  order: Uint32Array | undefined,
  low: number,
  high: number,
  buckets: number,
  picked: number[],
): void {
  if (order) {
    // Rare (steps out of order): gather into x order once, reduce, map positions back.
    const sortedXs = new Float64Array(high - low);
    const sortedValues = new Float64Array(high - low);
    for (let position = low; position < high; position++) {
      sortedXs[position - low] = xs[order[position]!]!;
      sortedValues[position - low] = values[order[position]!]!;
    }
    const positions: number[] = [];
    pickBucketExtremes(sortedXs, sortedValues, undefined, 0, high - low, buckets, positions);
    for (const position of positions) picked.push(order[position + low]!);
    return;
  }
  const xMin = xs[low]!;
  const xMax = xs[high - 1]!;
  const width = xMax > xMin ? (xMax - xMin) / buckets : Number.POSITIVE_INFINITY;
  let bucket = 0;
  let bucketEnd = xMin + width;
  let first = low;
  let minIndex = low;
  let maxIndex = low;
  let minValue = values[low]!;
  let maxValue = minValue;
  for (let index = low + 1; index < high; index++) {
    const x = xs[index]!;
    if (x >= bucketEnd && bucket < buckets - 1) {
      emitBucket(picked, first, minIndex, maxIndex, index - 1);
      while (x >= bucketEnd && bucket < buckets - 1) bucketEnd = xMin + width * (++bucket + 1);
      first = minIndex = maxIndex = index;
      minValue = maxValue = values[index]!;
      continue;
    }
    const value = values[index]!;
    // NaN compares false both ways, so it never becomes a minimum or maximum (unless first).
    if (value < minValue || minValue !== minValue) {
      minValue = value;
      minIndex = index;
    }
    if (value > maxValue || maxValue !== maxValue) {
      maxValue = value;
      maxIndex = index;
    }
  }
  emitBucket(picked, first, minIndex, maxIndex, high - 1);
}

/** Emits a bucket's (up to four) kept points in x order, each once. */
function emitBucket(picked: number[], first: number, minIndex: number, maxIndex: number, last: number): void {
  const low = Math.min(minIndex, maxIndex);
  const high = Math.max(minIndex, maxIndex);
  picked.push(first);
  if (low !== first) picked.push(low);
  if (high !== low) picked.push(high);
  if (last !== high) picked.push(last);
}

/** Undefined when xs is already in order (the usual case); else the positions sorted by x. */
function sortedOrder(xs: Float64Array): Uint32Array | undefined {
  let sorted = true;
  for (let index = 1; index < xs.length; index++) {
    const current = xs[index]!;
    const previous = xs[index - 1]!;
    // NaN x values (no timestamp) must come first (they are then skipped): NaN after a number is
    // out of order, detected by NaN !== NaN.
    if (current < previous || (current !== current && previous === previous)) {
      sorted = false;
      break;
    }
  }
  if (sorted) return undefined;
  const order = new Uint32Array(xs.length);
  for (let index = 0; index < order.length; index++) order[index] = index;
  const key = (index: number) => (Number.isNaN(xs[index]!) ? Number.NEGATIVE_INFINITY : xs[index]!);
  // A stable sort keeps points with the same x in file order.
  return Uint32Array.from(Array.from(order).sort((left, right) => key(left) - key(right) || left - right));
}

function selectPoints(series: MetricSeries, indices: readonly number[]): MetricSeries {
  const steps = new Float64Array(indices.length);
  const values = new Float64Array(indices.length);
  const timestamps = new Float64Array(indices.length);
  for (let position = 0; position < indices.length; position++) {
    const index = indices[position]!;
    steps[position] = series.steps[index]!;
    values[position] = series.values[index]!;
    timestamps[position] = series.timestamps[index]!;
  }
  return { steps, values, timestamps };
}
