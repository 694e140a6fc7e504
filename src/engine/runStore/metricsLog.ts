import type { MetricSeries } from '../runs/model';
import type { MetricPoint } from './plotFileTailer';

/**
 * `metrics.jsonl` of a run folder: one point per line, appended while the stages run:
 * `{"stage":"train","name":"loss","step":3,"value":0.25,"timestamp":1764145000000}`.
 * JSON has no NaN or infinities, so those values are written as the strings "nan", "inf", "-inf".
 */
export function formatMetricLines(stage: string, points: readonly MetricPoint[]): string {
  let text = '';
  for (const point of points) {
    const value = Number.isFinite(point.value) ? point.value : encodeSpecial(point.value);
    text += `${JSON.stringify({ stage, name: point.name, step: point.step, value, timestamp: point.timestamp })}\n`;
  }
  return text;
}

function encodeSpecial(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  return value > 0 ? 'inf' : '-inf';
}

function decodeValue(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (value === 'nan') return Number.NaN;
  if (value === 'inf') return Number.POSITIVE_INFINITY;
  if (value === '-inf') return Number.NEGATIVE_INFINITY;
  return undefined;
}

export interface ParsedMetricsLog {
  readonly series: Record<string, MetricSeries>;
  /** Lines that were not valid points (a torn last line is not counted: it is expected). */
  readonly badLines: number;
}

/**
 * Reads the whole log into one series per name. The last line is ignored when it has no newline
 * (a writer was interrupted mid-line); other bad lines are skipped and counted.
 */
export function parseMetricsLog(text: string, names?: readonly string[]): ParsedMetricsLog {
  const wanted = names ? new Set(names) : undefined;
  const columns = new Map<string, { steps: number[]; values: number[]; timestamps: number[] }>();
  const lines = text.split('\n');
  // The element after the last newline is either '' or a torn line: never a complete point.
  lines.pop();
  let badLines = 0;
  for (const line of lines) {
    if (line.trim() === '') continue;
    let record: { name?: unknown; step?: unknown; value?: unknown; timestamp?: unknown };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      badLines++;
      continue;
    }
    const value = decodeValue(record.value);
    if (typeof record.name !== 'string' || typeof record.step !== 'number' || value === undefined) {
      badLines++;
      continue;
    }
    if (wanted && !wanted.has(record.name)) continue;
    let column = columns.get(record.name);
    if (!column) {
      column = { steps: [], values: [], timestamps: [] };
      columns.set(record.name, column);
    }
    column.steps.push(record.step);
    column.values.push(value);
    column.timestamps.push(typeof record.timestamp === 'number' ? record.timestamp : Number.NaN);
  }
  const series: Record<string, MetricSeries> = {};
  for (const [name, column] of columns) {
    series[name] = {
      steps: Float64Array.from(column.steps),
      values: Float64Array.from(column.values),
      timestamps: Float64Array.from(column.timestamps),
    };
  }
  return { series, badLines };
}

/** The latest value of each series (the last point written). */
export function latestValues(series: Readonly<Record<string, MetricSeries>>): Record<string, number> {
  const latest: Record<string, number> = {};
  for (const [name, points] of Object.entries(series)) {
    const last = points.values.length - 1;
    if (last >= 0) latest[name] = points.values[last]!;
  }
  return latest;
}
