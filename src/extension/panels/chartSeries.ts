/**
 * Series from the run index worker as the Metric Charts panel receives them. No `vscode` import,
 * so benchmarks and unit tests use it as is.
 */
import type { MetricSeries, RunAlertNote } from '../../engine/runs/model';
import type { ChartAlert, ChartSeries, SeriesPoints } from '../../protocol/metricCharts';

/**
 * Points per series in a snapshot and in a follow's first batch: four per pixel (first, min, max,
 * last per bucket) of a chart 1,000 px wide. A zoom asks again for the visible range at the
 * chart's own width.
 */
export const SNAPSHOT_MAX_POINTS = 4 * 1000;

/** A series as the panel receives it: JSON numbers, NaN and missing times as null. */
export function toSeriesPoints(series: MetricSeries): SeriesPoints {
  const finiteOrNull = (array: Float64Array) => Array.from(array, (value) => (Number.isFinite(value) ? value : null));
  return {
    steps: Array.from(series.steps),
    values: finiteOrNull(series.values),
    timestamps: finiteOrNull(series.timestamps),
  };
}

/**
 * The worker's answer as chart series. A series reduced to `maxPoints` keeps at most that many
 * points and usually more than a quarter of them (up to four per bucket), so one that long may hide
 * detail a zoom would show: the panel asks for its visible range again.
 */
export function toChartSeries(
  series: Readonly<Record<string, MetricSeries>>,
  maxPoints: number,
): Record<string, ChartSeries> {
  const shaped: Record<string, ChartSeries> = {};
  for (const [name, values] of Object.entries(series)) {
    shaped[name] = { ...toSeriesPoints(values), downsampled: values.steps.length > maxPoints / 4 };
  }
  return shaped;
}

/** The alerts a chart can place: those that fired at a step of a metric. */
export function chartAlertsOf(alerts: readonly RunAlertNote[]): ChartAlert[] {
  return alerts.flatMap(({ message, metric, step }) =>
    metric !== undefined && step !== undefined ? [{ metric, step, message }] : [],
  );
}
