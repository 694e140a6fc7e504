/**
 * The Metric Charts model, pure (no DOM): metric grouping and search, x-axis transforms, EMA
 * smoothing, live appends, zoom refinements spliced into the overview, the refinement requests
 * themselves, and the merge of many runs' series onto one shared x array (uPlot's aligned data).
 */
import type {
  ChartAlert,
  ChartSeries,
  ChartXAxis,
  RefineRange,
  SeriesPoints,
  SeriesXColumn,
} from '../../src/protocol/metricCharts';

/** A series as the panel keeps it: the overview (snapshot plus live batches) and a zoom's detail. */
export interface SeriesState {
  readonly overview: ChartSeries;
  /** The visible range at full resolution for the chart's width, in `column` units. */
  readonly detail?: {
    readonly column: SeriesXColumn;
    readonly min: number;
    readonly max: number;
    readonly points: SeriesPoints;
  };
}

export interface MetricGroup {
  /** `train` for `train/loss`; '' for names without a prefix. */
  readonly prefix: string;
  readonly metrics: readonly string[];
}

/** The prefix a metric is grouped by: everything before its last `/` (`train/` for `train/loss`). */
export function metricPrefix(metric: string): string {
  const slash = metric.lastIndexOf('/');
  return slash > 0 ? metric.slice(0, slash) : '';
}

/**
 * Metrics grouped by prefix (groups and names sorted, names without a prefix first), keeping
 * those whose name contains every word of `query` (case-insensitive).
 */
export function groupMetrics(metrics: Iterable<string>, query = ''): MetricGroup[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const groups = new Map<string, string[]>();
  for (const metric of new Set(metrics)) {
    const lower = metric.toLowerCase();
    if (!words.every((word) => lower.includes(word))) continue;
    const prefix = metricPrefix(metric);
    groups.set(prefix, [...(groups.get(prefix) ?? []), metric]);
  }
  const byText = (left: string, right: string) => (left < right ? -1 : left > right ? 1 : 0);
  return [...groups.entries()]
    .sort(([left], [right]) => byText(left, right))
    .map(([prefix, names]) => ({ prefix, metrics: names.sort(byText) }));
}

/** The recorded column an x axis is computed from. */
export function xColumnOf(axis: ChartXAxis): SeriesXColumn {
  return axis === 'step' ? 'step' : 'timestamp';
}

/** The origin of relative time: the run's start when known, else its earliest point. */
export function runOrigin(startedAt: number | null, series: Iterable<SeriesPoints>): number | null {
  if (startedAt !== null) return startedAt;
  let earliest: number | null = null;
  for (const points of series) {
    for (const timestamp of points.timestamps) {
      if (timestamp !== null && (earliest === null || timestamp < earliest)) earliest = timestamp;
    }
  }
  return earliest;
}

/**
 * A point's x on the chart: the step, wall time in epoch seconds (uPlot's time scale), or seconds
 * since `origin`. Null when the axis needs a time the point does not have.
 */
export function toChartX(
  axis: ChartXAxis,
  step: number,
  timestamp: number | null,
  origin: number | null,
): number | null {
  if (axis === 'step') return step;
  if (timestamp === null) return null;
  if (axis === 'wallTime') return timestamp / 1000;
  return origin === null ? null : (timestamp - origin) / 1000;
}

/**
 * Where an alert that fired at `step` sits on the chart: the step itself, or the time of the first
 * point at or after that step (null when the axis needs a time no such point has).
 */
export function alertChartX(
  axis: ChartXAxis,
  step: number,
  points: SeriesPoints,
  origin: number | null,
): number | null {
  if (axis === 'step') return step;
  const index = points.steps.findIndex((candidate) => candidate >= step);
  return index < 0 ? null : toChartX(axis, step, points.timestamps[index] ?? null, origin);
}

/**
 * The alerts a run holds after a live batch brought `arriving`: those held, then the new ones in
 * order. An alert already held (same metric, step and message) is not added again, so a batch
 * repeating alerts a snapshot already had draws one marker, not two.
 */
export function mergeAlerts(held: readonly ChartAlert[], arriving: readonly ChartAlert[]): readonly ChartAlert[] {
  const keyOf = (alert: ChartAlert) => JSON.stringify([alert.metric, alert.step, alert.message]);
  const keys = new Set(held.map(keyOf));
  const merged = [...held];
  for (const alert of arriving) {
    const key = keyOf(alert);
    if (keys.has(key)) continue;
    keys.add(key);
    merged.push(alert);
  }
  return merged;
}

/** The inverse for refinements: a chart x back to the recorded column (step, or epoch ms). */
export function fromChartX(axis: ChartXAxis, x: number, origin: number | null): number | null {
  if (axis === 'step') return x;
  if (axis === 'wallTime') return x * 1000;
  return origin === null ? null : x * 1000 + origin;
}

/**
 * Exponential moving average with TensorBoard's debiasing (the first points are not pulled towards
 * 0). `weight` 0 returns the values; a null or non-finite value stays null and does not move the
 * average.
 */
export function smoothEma(values: readonly (number | null)[], weight: number): (number | null)[] {
  if (!(weight > 0)) return [...values];
  const clamped = Math.min(weight, 0.999);
  let last = 0;
  let count = 0;
  return values.map((value) => {
    if (value === null || !Number.isFinite(value)) return null;
    last = last * clamped + (1 - clamped) * value;
    count++;
    return last / (1 - clamped ** count);
  });
}

/**
 * A live batch appended to a series (or replacing it after a reset). Points at or before the last
 * step already held are dropped unless the batch is a reset, so a batch delivered twice is harmless.
 */
export function appendPoints(base: ChartSeries | undefined, batch: SeriesPoints, reset: boolean): ChartSeries {
  if (reset || !base) return { ...copyPoints(batch), downsampled: base?.downsampled ?? false };
  const lastStep = base.steps.length > 0 ? base.steps[base.steps.length - 1]! : Number.NEGATIVE_INFINITY;
  let from = 0;
  while (from < batch.steps.length && batch.steps[from]! <= lastStep) from++;
  if (from === batch.steps.length) return base;
  return {
    steps: [...base.steps, ...batch.steps.slice(from)],
    values: [...base.values, ...batch.values.slice(from)],
    timestamps: [...base.timestamps, ...batch.timestamps.slice(from)],
    downsampled: base.downsampled,
  };
}

/**
 * A run's series from a new snapshot, with the points the page already holds beyond it when it is
 * the same run, live before and still live. The snapshot read the run's files a moment before it
 * arrived; live batches posted meanwhile may hold later steps, and the follow never sends them
 * again (its next batch starts after them). So each metric keeps the page's points after the
 * snapshot's last step, and a metric only the page has (first logged in that moment) stays. A run
 * that was not live, or started at another time (a re-run with the same id, e.g. DVCLive in the
 * same folder), gets the snapshot's read alone: the page's points are not its own.
 */
export function seriesAfterSnapshot(
  read: Readonly<Record<string, ChartSeries>>,
  run: { readonly startedAt?: number | null; readonly isLive: boolean },
  held:
    | {
        readonly startedAt?: number | null;
        readonly wasLive: boolean;
        readonly series: ReadonlyMap<string, SeriesState>;
      }
    | undefined,
): Readonly<Record<string, ChartSeries>> {
  if (!held?.wasLive || !run.isLive || held.startedAt !== run.startedAt) return read;
  const merged: Record<string, ChartSeries> = { ...read };
  for (const [metric, state] of held.series) merged[metric] = appendPoints(read[metric], state.overview, false);
  return merged;
}

function copyPoints(points: SeriesPoints): SeriesPoints {
  return { steps: [...points.steps], values: [...points.values], timestamps: [...points.timestamps] };
}

/**
 * The points to draw: the overview, with a zoom's detail spliced in over its range (overview
 * points outside the range stay, so panning past it still shows the coarse line).
 */
export function visiblePoints(state: SeriesState): SeriesPoints {
  const { overview, detail } = state;
  if (!detail) return overview;
  const xs = detail.column === 'step' ? overview.steps : overview.timestamps;
  const before: number[] = [];
  const after: number[] = [];
  xs.forEach((x, index) => {
    if (x === null) return;
    if (x < detail.min) before.push(index);
    else if (x > detail.max) after.push(index);
  });
  const pick = <T>(array: readonly T[], indexes: number[]) => indexes.map((index) => array[index]!);
  const detailXs = detail.column === 'step' ? detail.points.steps : detail.points.timestamps;
  // The worker adds one neighbour on each side of the range; the overview already has those.
  const inside = detailXs.flatMap((x, index) => (x !== null && x >= detail.min && x <= detail.max ? [index] : []));
  return {
    steps: [...pick(overview.steps, before), ...pick(detail.points.steps, inside), ...pick(overview.steps, after)],
    values: [...pick(overview.values, before), ...pick(detail.points.values, inside), ...pick(overview.values, after)],
    timestamps: [
      ...pick(overview.timestamps, before),
      ...pick(detail.points.timestamps, inside),
      ...pick(overview.timestamps, after),
    ],
  };
}

export interface RefineTarget {
  readonly runId: string;
  readonly downsampled: boolean;
  /** Relative time's origin for this run. */
  readonly origin: number | null;
}

/**
 * What to ask the worker after a zoom to [min, max] (chart x units): for each run whose series was
 * reduced, the same range in its recorded column; `maxPoints` four per pixel. Undefined when no
 * run needs it.
 */
export function refineRequest(
  axis: ChartXAxis,
  min: number,
  max: number,
  pixelWidth: number,
  targets: readonly RefineTarget[],
): { readonly x: SeriesXColumn; readonly ranges: RefineRange[]; readonly maxPoints: number } | undefined {
  const ranges: RefineRange[] = [];
  for (const target of targets) {
    if (!target.downsampled) continue;
    const low = fromChartX(axis, min, target.origin);
    const high = fromChartX(axis, max, target.origin);
    if (low === null || high === null || !(low <= high)) continue;
    ranges.push({ runId: target.runId, min: low, max: high });
  }
  if (ranges.length === 0) return undefined;
  const maxPoints = Math.min(100_000, Math.max(4, Math.round(4 * pixelWidth)));
  return { x: xColumnOf(axis), ranges, maxPoints };
}

/** One series on a chart's x axis: x values (ascending) and their values. */
export interface XYSeries {
  readonly xs: readonly number[];
  readonly ys: readonly (number | null)[];
}

/** Points of a series as chart x and y (points without an x on this axis left out; x ascending). */
export function toXY(points: SeriesPoints, axis: ChartXAxis, origin: number | null, logScale: boolean): XYSeries {
  if (axis === 'step' && !logScale && isAscending(points.steps)) {
    // The usual case needs no copy: steps in order, values as they are.
    return { xs: points.steps, ys: points.values };
  }
  const xs: number[] = [];
  const ys: (number | null)[] = [];
  for (let index = 0; index < points.steps.length; index++) {
    const x = toChartX(axis, points.steps[index]!, points.timestamps[index] ?? null, origin);
    if (x === null) continue;
    const y = points.values[index] ?? null;
    xs.push(x);
    ys.push(logScale && y !== null && !(y > 0) ? null : y);
  }
  if (isAscending(xs)) return { xs, ys };
  // A stable sort keeps points with the same x in file order.
  const order = xs.map((_, index) => index).sort((left, right) => xs[left]! - xs[right]! || left - right);
  return { xs: order.map((index) => xs[index]!), ys: order.map((index) => ys[index]!) };
}

function isAscending(xs: readonly number[]): boolean {
  for (let index = 1; index < xs.length; index++) if (xs[index]! < xs[index - 1]!) return false;
  return true;
}

/**
 * Aligned data: one shared ascending x array, and per series a value at each x, or a hole (read
 * as undefined, a gap to uPlot). Holes rather than nulls keep the arrays of unboxed doubles: a
 * million nulls and numbers mixed would box every number.
 */
export type AlignedValues = (number | null | undefined)[];

export interface AlignedSeries {
  readonly xs: Float64Array;
  readonly ys: AlignedValues[];
  /** True when x values were snapped to a grid because the union was larger than the budget. */
  readonly snapped: boolean;
}

/**
 * Merges many series onto one x array, as uPlot draws them (a null where a series has no point at
 * an x; lines span the gaps). Series that share their x values (runs logged at the same steps)
 * cost no merge. When the union of distinct x values exceeds `budget` (wall time of many runs:
 * every run has its own timestamps), x is snapped to a grid of budget/2 columns and each series
 * keeps its minimum and maximum in each column, so no peak or dip disappears.
 */
export function mergeSeries(series: readonly XYSeries[], budget: number): AlignedSeries {
  const first = series[0];
  if (!first) return { xs: new Float64Array(0), ys: [], snapped: false };
  if (series.every((other) => sameXs(first.xs, other.xs))) {
    return {
      xs: Float64Array.from(first.xs),
      ys: series.map((other) => dedupeLast(first.xs, other.ys)),
      snapped: false,
    };
  }
  const union = unionOfXs(series);
  const unique = union.length;
  if (unique <= budget) return { xs: union, ys: series.map((other) => placeOnXs(union, other)), snapped: false };
  return snapToGrid(series, union[0]!, union[unique - 1]!, Math.max(1, Math.floor(budget / 2)));
}

/**
 * The distinct x values of all series, ascending. Steps (integers in a range not much wider than
 * the point count) are marked in a bitmap, in one pass; other x values are sorted.
 */
function unionOfXs(series: readonly XYSeries[]): Float64Array {
  let total = 0;
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  let isIntegral = true;
  for (const { xs } of series) {
    total += xs.length;
    for (const x of xs) {
      if (x < low) low = x;
      if (x > high) high = x;
      if (isIntegral && !Number.isInteger(x)) isIntegral = false;
    }
  }
  if (total === 0) return new Float64Array(0);
  if (isIntegral && high - low <= 4 * total + 1024) {
    const seen = new Uint8Array(high - low + 1);
    for (const { xs } of series) for (const x of xs) seen[x - low] = 1;
    let count = 0;
    for (const mark of seen) count += mark;
    const union = new Float64Array(count);
    let position = 0;
    for (let offset = 0; offset < seen.length; offset++) if (seen[offset]) union[position++] = low + offset;
    return union;
  }
  const all = new Float64Array(total);
  let offset = 0;
  for (const { xs } of series) {
    all.set(xs, offset);
    offset += xs.length;
  }
  all.sort();
  let unique = 0;
  for (let index = 0; index < all.length; index++) {
    if (index === 0 || all[index] !== all[unique - 1]) all[unique++] = all[index]!;
  }
  return all.slice(0, unique);
}

function sameXs(left: readonly number[], right: readonly number[]): boolean {
  if (left === right) return true;
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) if (left[index] !== right[index]) return false;
  return true;
}

/** Values on their own xs, except that repeated x values (a step logged twice) keep the last. */
function dedupeLast(xs: readonly number[], ys: readonly (number | null)[]): AlignedValues {
  let hasRepeats = false;
  for (let index = 0; index + 1 < xs.length && !hasRepeats; index++) hasRepeats = xs[index] === xs[index + 1];
  if (!hasRepeats) return ys as AlignedValues;
  const out = ys.slice() as AlignedValues;
  for (let index = 0; index + 1 < xs.length; index++) if (xs[index] === xs[index + 1]) out[index] = null;
  return out;
}

/** A series' values at the positions of the shared xs (both ascending; a repeated x keeps the last). */
function placeOnXs(xs: Float64Array, series: XYSeries): AlignedValues {
  const out: AlignedValues = new Array<number | undefined>(xs.length);
  let position = 0;
  for (let index = 0; index < series.xs.length; index++) {
    const x = series.xs[index]!;
    while (xs[position]! < x) position++;
    const value = series.ys[index];
    if (value !== null && value !== undefined) out[position] = value;
    else if (out[position] !== undefined) delete out[position];
  }
  return out;
}

function snapToGrid(series: readonly XYSeries[], low: number, high: number, columns: number): AlignedSeries {
  const width = high > low ? (high - low) / columns : 1;
  // Two slots per column: its minimum at a quarter of the column, its maximum at three quarters.
  const xs = new Float64Array(columns * 2);
  for (let column = 0; column < columns; column++) {
    xs[2 * column] = low + width * (column + 0.25);
    xs[2 * column + 1] = low + width * (column + 0.75);
  }
  const ys = series.map((other) => {
    const minimums = new Float64Array(columns).fill(Number.NaN);
    const maximums = new Float64Array(columns).fill(Number.NaN);
    for (let index = 0; index < other.xs.length; index++) {
      const value = other.ys[index];
      if (value === null || value === undefined) continue;
      const column = Math.min(columns - 1, Math.floor((other.xs[index]! - low) / width));
      if (!(value >= minimums[column]!)) minimums[column] = value;
      if (!(value <= maximums[column]!)) maximums[column] = value;
    }
    const out: AlignedValues = new Array<number | undefined>(columns * 2);
    for (let column = 0; column < columns; column++) {
      if (Number.isNaN(minimums[column]!)) continue;
      out[2 * column] = minimums[column]!;
      if (maximums[column] !== minimums[column]) out[2 * column + 1] = maximums[column]!;
    }
    return out;
  });
  return { xs, ys, snapped: true };
}

/**
 * The value a hover readout shows for one series at the cursor's index: the value there, else the
 * nearest one within `reach` positions (series of other runs leave nulls between their points).
 */
export function valueNear(
  xs: ArrayLike<number>,
  ys: readonly (number | null | undefined)[],
  index: number,
  reach = 256,
): number | null {
  const here = ys[index];
  if (here !== null && here !== undefined) return here;
  const x = xs[index]!;
  let best: number | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let offset = 1; offset <= reach; offset++) {
    for (const candidate of [index - offset, index + offset]) {
      const value = ys[candidate];
      if (value === null || value === undefined) continue;
      const distance = Math.abs(xs[candidate]! - x);
      if (distance < bestDistance) {
        best = value;
        bestDistance = distance;
      }
    }
    if (best !== null) return best;
  }
  return best;
}

/** A chart's data as a CSV table: the x column, then one column per run (its raw values). */
export function chartCsv(
  xTitle: string,
  runTitles: readonly string[],
  aligned: AlignedSeries,
): { header: string[]; rows: string[][] } {
  const rows: string[][] = [];
  for (let index = 0; index < aligned.xs.length; index++) {
    const values = aligned.ys.map((ys) => (ys[index] === null || ys[index] === undefined ? '' : String(ys[index])));
    if (values.every((value) => value === '')) continue;
    rows.push([String(aligned.xs[index]), ...values]);
  }
  return { header: [xTitle, ...runTitles], rows };
}

/** All the raw points drawn on a chart (the e2e test reads it to see a live curve grow). */
export function countPoints(aligned: AlignedSeries): number {
  let count = 0;
  for (const ys of aligned.ys) for (const value of ys) if (value !== null && value !== undefined) count++;
  return count;
}
