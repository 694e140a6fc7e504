/**
 * The columns of the Run History table and the value of each cell, pure (unit-tested). A column
 * id is `run:<field>`, `param:<key>` or `metric:<key>`, so params and metrics that share a name
 * stay apart.
 */
import { formatDuration, formatMetricValue } from '../../src/protocol/formatRunValues';
import type { RunRow } from '../../src/protocol/runRow';
import { formatTime, runDurationMs } from '../shared/runTimes';

export type ColumnGroup = 'run' | 'params' | 'metrics';
export type CellValue = string | number | boolean | null;

export interface Column {
  readonly id: string;
  readonly group: ColumnGroup;
  /** The name shown in the header and used in filter expressions (`train.lr`, `status`). */
  readonly label: string;
  /** Right-aligned, compared as numbers. */
  readonly numeric: boolean;
  readonly value: (row: RunRow, now: number) => CellValue;
  readonly text: (row: RunRow, now: number) => string;
}

const EMPTY = '';

/** A metric value as the Runs view writes it; null stands for NaN (JSON has no NaN). */
export function formatNumber(value: number | null): string {
  return value === null ? 'NaN' : formatMetricValue(value);
}

const runColumn = (
  field: string,
  label: string,
  value: Column['value'],
  text: Column['text'] = (row, now) => {
    const cell = value(row, now);
    return cell === null ? EMPTY : String(cell);
  },
  numeric = false,
): Column => ({ id: `run:${field}`, group: 'run', label, numeric, value, text });

export const RUN_COLUMNS: readonly Column[] = [
  runColumn(
    'starred',
    'starred',
    (row) => row.annotation.starred,
    (row) => (row.annotation.starred ? '★' : EMPTY),
  ),
  runColumn('status', 'status', (row) => row.status),
  runColumn('name', 'name', (row) => row.name),
  runColumn('source', 'source', (row) => row.source),
  runColumn(
    'started',
    'started',
    (row) => row.startedAt,
    (row) => formatTime(row.startedAt),
    true,
  ),
  runColumn(
    'duration',
    'duration',
    (row, now) => {
      const duration = runDurationMs(row, now);
      // In seconds, so that `duration > 60` reads naturally in a filter.
      return duration === null ? null : duration / 1000;
    },
    (row, now) => {
      const duration = runDurationMs(row, now);
      return duration === null ? EMPTY : formatDuration(duration);
    },
    true,
  ),
  runColumn(
    'commit',
    'commit',
    (row) => row.gitCommit,
    (row) => (row.gitCommit ? `${row.gitCommit.slice(0, 8)}${row.gitDirty ? '*' : EMPTY}` : EMPTY),
  ),
  runColumn('experiment', 'experiment', (row) => row.experiment),
  runColumn('id', 'id', (row) => row.id),
  runColumn('note', 'note', (row) => row.annotation.note || null),
  runColumn('tags', 'tags', (row) => (row.annotation.tags.length > 0 ? row.annotation.tags.join(', ') : null)),
];

/** Run columns shown until the user chooses (id and experiment are available but hidden). */
export const DEFAULT_HIDDEN_COLUMNS: readonly string[] = ['run:id', 'run:experiment'];

function paramColumn(key: string): Column {
  const value = (row: RunRow): CellValue => (key in row.params ? row.params[key]! : null);
  return {
    id: `param:${key}`,
    group: 'params',
    label: key,
    numeric: false,
    value,
    text: (row) => {
      if (!(key in row.params)) return EMPTY;
      const cell = row.params[key];
      return cell === null ? 'null' : typeof cell === 'number' ? formatNumber(cell) : String(cell);
    },
  };
}

function metricColumn(key: string): Column {
  return {
    id: `metric:${key}`,
    group: 'metrics',
    label: key,
    numeric: true,
    value: (row) => (key in row.metrics ? (row.metrics[key] ?? Number.NaN) : null),
    text: (row) => (key in row.metrics ? formatNumber(row.metrics[key] ?? null) : EMPTY),
  };
}

/** Every column: the run's fields, then each param and each metric any run has, by name. */
export function columnsOf(rows: readonly RunRow[]): Column[] {
  const params = new Set<string>();
  const metrics = new Set<string>();
  for (const row of rows) {
    for (const key in row.params) params.add(key);
    for (const key in row.metrics) metrics.add(key);
  }
  const byName = (left: string, right: string) => (left < right ? -1 : left > right ? 1 : 0);
  return [...RUN_COLUMNS, ...[...params].sort(byName).map(paramColumn), ...[...metrics].sort(byName).map(metricColumn)];
}
