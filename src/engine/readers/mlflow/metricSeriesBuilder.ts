import type { MetricSeries } from '../../runs/model';

/** Where parsed points go: a whole series, or only the latest point. */
export interface MetricPointSink {
  push(step: number, value: number, timestamp: number): void;
}

/**
 * Collects points into growing typed arrays (doubling), so a long history costs 24 bytes a point
 * and no per-point objects. `finish` trims to the exact length.
 */
export class MetricSeriesBuilder implements MetricPointSink {
  private steps: Float64Array;
  private values: Float64Array;
  private timestamps: Float64Array;
  length = 0;

  constructor(capacity = 16) {
    this.steps = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.timestamps = new Float64Array(capacity);
  }

  push(step: number, value: number, timestamp: number): void {
    if (this.length === this.steps.length) this.grow();
    this.steps[this.length] = step;
    this.values[this.length] = value;
    this.timestamps[this.length] = timestamp;
    this.length++;
  }

  finish(): MetricSeries {
    return {
      steps: this.steps.slice(0, this.length),
      values: this.values.slice(0, this.length),
      timestamps: this.timestamps.slice(0, this.length),
    };
  }

  private grow(): void {
    const capacity = Math.max(16, this.steps.length * 2);
    const grown = (old: Float64Array) => {
      const next = new Float64Array(capacity);
      next.set(old);
      return next;
    };
    this.steps = grown(this.steps);
    this.values = grown(this.values);
    this.timestamps = grown(this.timestamps);
  }
}

/**
 * Keeps only MLflow's latest point while parsing, for the run table: no arrays at all for the
 * ten metrics of each of 10,000 runs.
 */
export class LatestPointTracker implements MetricPointSink {
  private step = Number.NaN;
  private timestamp = Number.NaN;
  value: number | undefined;

  push(step: number, value: number, timestamp: number): void {
    if (this.value === undefined || isGreater(step, timestamp, value, this.step, this.timestamp, this.value)) {
      this.step = step;
      this.timestamp = timestamp;
      this.value = value;
    }
  }
}

/**
 * MLflow's "latest" value of a metric: the point with the greatest (step, timestamp, value), as
 * `_get_metric_from_file` and the SQL store's `latest_metrics` pick it. Undefined when empty.
 */
export function latestMetricValue(series: MetricSeries): number | undefined {
  let best = -1;
  for (let index = 0; index < series.steps.length; index++) {
    if (best === -1 || isGreaterPoint(series, index, best)) best = index;
  }
  return best === -1 ? undefined : series.values[best];
}

function isGreaterPoint(series: MetricSeries, index: number, best: number): boolean {
  return isGreater(
    series.steps[index]!,
    series.timestamps[index]!,
    series.values[index]!,
    series.steps[best]!,
    series.timestamps[best]!,
    series.values[best]!,
  );
}

/** (step, timestamp, value) > (bestStep, bestTimestamp, bestValue), as Python compares tuples. */
function isGreater(
  step: number,
  timestamp: number,
  value: number,
  bestStep: number,
  bestTimestamp: number,
  bestValue: number,
): boolean {
  if (step !== bestStep) return step > bestStep;
  if (timestamp !== bestTimestamp) return timestamp > bestTimestamp;
  // NaN compares false both ways in Python too; prefer a real number over NaN.
  return value > bestValue || (Number.isNaN(bestValue) && !Number.isNaN(value));
}
