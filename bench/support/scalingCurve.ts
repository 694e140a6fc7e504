// One scaling curve of bench/scaling.bench.ts: cost against the size of the work, ours and a
// baseline measured in the same run, with the cost per unit and the growth between sizes.
import { formatFigure } from './benchTable';
import type { ChartPoint } from './logLogSvg';

export interface CurvePoint {
  /** The size of the work: files, stages, runs, points. */
  readonly size: number;
  readonly ms: number;
  readonly baselineMs?: number;
  /** Peak resident set of the process that did the work, when measured in its own process. */
  readonly peakRssMb?: number;
}

/**
 * The local growth exponents of a curve: log(cost ratio) / log(size ratio) between each size and
 * the next. 1 is linear, below 1 is better (a fixed cost still dominates), above 1 super-linear.
 */
export function growthExponents(points: readonly ChartPoint[]): number[] {
  const exponents: number[] = [];
  for (let index = 1; index < points.length; index++) {
    const previous = points[index - 1]!;
    const current = points[index]!;
    exponents.push(Math.log(current.y / previous.y) / Math.log(current.x / previous.x));
  }
  return exponents;
}

/** Cost per unit in a readable unit: ns, µs or ms per unit. */
export function formatPerUnit(ms: number, size: number, unit: string): string {
  const nanoseconds = (ms * 1e6) / size;
  if (nanoseconds < 1000) return `${formatFigure(nanoseconds)} ns/${unit}`;
  if (nanoseconds < 1e6) return `${formatFigure(nanoseconds / 1000)} µs/${unit}`;
  return `${formatFigure(nanoseconds / 1e6)} ms/${unit}`;
}

/** The printed table of a curve: one row per size with cost, cost per unit, baseline and growth. */
export function formatCurveTable(
  title: string,
  unit: string,
  baselineName: string,
  points: readonly CurvePoint[],
): string {
  const exponents = growthExponents(points.map((point) => ({ x: point.size, y: point.ms })));
  const header = [
    'size',
    'ms',
    'per unit',
    `${baselineName} ms`,
    'baseline per unit',
    'x baseline',
    'growth',
    'peak RSS',
  ];
  const rows = points.map((point, index) => [
    formatFigure(point.size),
    formatFigure(point.ms),
    formatPerUnit(point.ms, point.size, unit),
    point.baselineMs === undefined ? '' : formatFigure(point.baselineMs),
    point.baselineMs === undefined ? '' : formatPerUnit(point.baselineMs, point.size, unit),
    point.baselineMs === undefined ? '' : `${formatFigure(point.ms / point.baselineMs)}x`,
    index === 0 ? '' : `n^${exponents[index - 1]!.toFixed(2)}`,
    point.peakRssMb === undefined ? '' : `${formatFigure(point.peakRssMb)} MB`,
  ]);
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  return [title, line(header), ...rows.map(line)].join('\n');
}
