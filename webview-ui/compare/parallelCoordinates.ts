/**
 * The geometry of the parallel-coordinates chart, pure (unit-tested): one vertical axis per
 * chosen param and the chosen metric, each scaled to its runs' range, one polyline per run, and
 * brushes (a value range on an axis) that keep only the runs inside every brush.
 */
import type { CompareRow } from '../../src/protocol/compare';

export interface Axis {
  readonly name: string;
  readonly kind: 'param' | 'metric';
  readonly min: number;
  readonly max: number;
  /** One value per run (null where the run has no number). */
  readonly values: readonly (number | null)[];
}

export interface Brush {
  readonly axis: string;
  /** Inclusive value range. */
  readonly low: number;
  readonly high: number;
}

/** Rows with a number for at least one run can be axes. */
export function numericRows(rows: readonly CompareRow[]): CompareRow[] {
  return rows.filter((row) => row.cells.some((cell) => cell.value !== null && Number.isFinite(cell.value)));
}

export function buildAxes(rows: readonly CompareRow[], params: readonly string[], metric: string | undefined): Axis[] {
  const pick = (kind: CompareRow['kind'], name: string) => rows.find((row) => row.kind === kind && row.name === name);
  const chosen = [
    ...params.map((name) => pick('param', name)),
    ...(metric === undefined ? [] : [pick('metric', metric)]),
  ].filter((row): row is CompareRow => row !== undefined);
  return chosen.map((row) => {
    const values = row.cells.map((cell) => (cell.value !== null && Number.isFinite(cell.value) ? cell.value : null));
    const present = values.filter((value): value is number => value !== null);
    const min = present.length > 0 ? Math.min(...present) : 0;
    const max = present.length > 0 ? Math.max(...present) : 1;
    return { name: row.name, kind: row.kind, min, max, values };
  });
}

/** 0 at the axis bottom, 1 at its top; a flat axis puts every run in the middle. */
export function normalise(axis: Axis, value: number): number {
  return axis.max === axis.min ? 0.5 : (value - axis.min) / (axis.max - axis.min);
}

/** The value at a fraction (0 = bottom, 1 = top) of an axis: what a brush drawn there means. */
export function valueAt(axis: Axis, fraction: number): number {
  return axis.min + Math.max(0, Math.min(1, fraction)) * (axis.max - axis.min);
}

/** Indexes of the runs inside every brush (a run without a value on a brushed axis is out). */
export function runsInBrushes(axes: readonly Axis[], brushes: readonly Brush[], runCount: number): number[] {
  const kept: number[] = [];
  for (let run = 0; run < runCount; run++) {
    const inside = brushes.every((brush) => {
      const axis = axes.find((candidate) => candidate.name === brush.axis);
      if (!axis) return true;
      const value = axis.values[run];
      return value !== null && value !== undefined && value >= brush.low && value <= brush.high;
    });
    if (inside) kept.push(run);
  }
  return kept;
}
