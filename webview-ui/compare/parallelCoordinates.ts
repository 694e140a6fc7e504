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

/** How far one arrow key moves or sizes a brush, and the brush a first key press draws: fractions of the axis. */
export const BRUSH_KEY_STEP = 0.05;
const FIRST_BRUSH_HALF_HEIGHT = 0.1;

/**
 * The brush after an arrow key on an axis: Up/Down move it (kept inside the axis), Shift+Up widens
 * it and Shift+Down narrows it (by a step at each end, never below one step tall). Without a
 * brush yet, any of them draws one around the middle of the axis, so the first key press shows
 * where the brush is.
 */
export function brushAfterKey(axis: Axis, brush: Brush | undefined, direction: 'up' | 'down', resize: boolean): Brush {
  if (!brush) {
    return {
      axis: axis.name,
      low: valueAt(axis, 0.5 - FIRST_BRUSH_HALF_HEIGHT),
      high: valueAt(axis, 0.5 + FIRST_BRUSH_HALF_HEIGHT),
    };
  }
  let low = normalise(axis, brush.low);
  let high = normalise(axis, brush.high);
  const sign = direction === 'up' ? 1 : -1;
  if (resize) {
    // Sized around its middle, by a step at each end; never narrower than one step.
    const middle = (low + high) / 2;
    const halfHeight = Math.max(BRUSH_KEY_STEP / 2, (high - low) / 2 + sign * BRUSH_KEY_STEP);
    [low, high] = [Math.max(0, middle - halfHeight), Math.min(1, middle + halfHeight)];
  } else {
    // Moved whole: it keeps its height and stops at the axis ends.
    const shift = sign > 0 ? Math.min(BRUSH_KEY_STEP, 1 - high) : -Math.min(BRUSH_KEY_STEP, low);
    [low, high] = [low + shift, high + shift];
  }
  return { axis: axis.name, low: valueAt(axis, low), high: valueAt(axis, high) };
}
