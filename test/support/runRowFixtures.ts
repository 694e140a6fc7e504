import type { RunRow, RunRowSource, RunRowStatus } from '../../src/protocol/runRow';
import { aRunRow } from './runRows';

export const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
const STATUSES: readonly RunRowStatus[] = ['succeeded', 'succeeded', 'succeeded', 'failed', 'running', 'cancelled'];
const SOURCES: readonly RunRowSource[] = ['mlc', 'mlflow', 'dvclive', 'tensorboard', 'csv'];

/**
 * `count` runs, newest first, with `params` + `metrics` numeric columns (deterministic values);
 * run 0 is named like an XSS probe, so every panel test sees it rendered as text.
 */
export function manyRunRows(
  count: number,
  columns: { params: number; metrics: number } = { params: 20, metrics: 25 },
): RunRow[] {
  const start = Date.UTC(2026, 0, 1);
  return Array.from({ length: count }, (_unused, index) => {
    const params: Record<string, number | string> = { model: index % 3 === 0 ? 'cnn' : 'mlp' };
    for (let param = 1; param < columns.params; param++)
      params[`train.p${param}`] = ((index * 7 + param * 13) % 100) / 1000;
    const metrics: Record<string, number> = { accuracy: ((index * 37) % 1000) / 1000 };
    for (let metric = 1; metric < columns.metrics; metric++) metrics[`m${metric}`] = ((index * 11 + metric) % 997) / 10;
    return aRunRow({
      id: `run-${String(index).padStart(5, '0')}`,
      name: index === 0 ? HOSTILE_NAME : `train ${index}`,
      source: SOURCES[index % SOURCES.length]!,
      status: STATUSES[index % STATUSES.length]!,
      startedAt: start + (count - index) * 60_000,
      endedAt: start + (count - index) * 60_000 + 30_000,
      params,
      metrics,
    });
  });
}
