import type { ChartRun, ChartSeries, SeriesPoints } from '../../src/protocol/metricCharts';
import { HOSTILE_NAME } from './runRowFixtures';

const START = Date.UTC(2026, 0, 1);

/** A training-like curve: falls from ~1 with noise, deterministic per run and metric. */
export function curvePoints(runIndex: number, metricIndex: number, from: number, count: number): SeriesPoints {
  const steps: number[] = [];
  const values: number[] = [];
  const timestamps: number[] = [];
  for (let step = from; step < from + count; step++) {
    const noise = Math.sin(step * 0.37 + runIndex * 1.7 + metricIndex) * 0.05;
    steps.push(step);
    values.push(1 / (1 + step * 0.01 * (1 + runIndex * 0.05)) + noise + metricIndex * 0.1);
    timestamps.push(START + runIndex * 3_600_000 + step * 1000);
  }
  return { steps, values, timestamps };
}

/**
 * `count` runs of `points` points for each of `metrics` (named `train/loss`, `val/loss`, `m2`, ...),
 * as a Metric Charts snapshot carries them; run 0 is named like an XSS probe.
 */
export function manyChartRuns(count: number, points: number, metrics = 2, downsampled = false): ChartRun[] {
  const names = [
    'train/loss',
    'val/loss',
    ...Array.from({ length: Math.max(0, metrics - 2) }, (_, index) => `m${index + 2}`),
  ];
  return Array.from({ length: count }, (_unused, runIndex) => {
    const series: Record<string, ChartSeries> = {};
    names.slice(0, metrics).forEach((name, metricIndex) => {
      series[name] = { ...curvePoints(runIndex, metricIndex, 0, points), downsampled };
    });
    return {
      id: `run-${String(runIndex).padStart(5, '0')}`,
      name: runIndex === 0 ? HOSTILE_NAME : `train ${runIndex}`,
      source: (['mlc', 'mlflow', 'dvclive', 'tensorboard'] as const)[runIndex % 4]!,
      status: 'succeeded',
      startedAt: START + runIndex * 3_600_000,
      series,
    };
  });
}
