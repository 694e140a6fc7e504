/**
 * Runs side by side: one row per param and per metric any of the runs has, a cell per run, and
 * deltas against a baseline run. `mlc compare` prints it and the Compare panel shows it, so both
 * always agree.
 */
import type { ParamValue, RunSummary } from './model';

export interface ComparedCell {
  /** The value as text: `null` for a null param, empty when the run lacks it. */
  readonly text: string;
  /** The number, when the value is one (finite or not). */
  readonly value: number | null;
  /** value − baseline value, when both are finite numbers and this is not the baseline. */
  readonly delta: number | null;
  /** delta as a percentage of |baseline value|, when that is not 0. */
  readonly deltaPercent: number | null;
}

export interface ComparedRow {
  readonly kind: 'param' | 'metric';
  readonly name: string;
  readonly cells: readonly ComparedCell[];
  /** Some run's value differs from another's (a missing value counts as different). */
  readonly differs: boolean;
}

export interface RunComparison {
  readonly baselineIndex: number;
  readonly rows: readonly ComparedRow[];
}

const byCodePoint = (left: string, right: string) => (left < right ? -1 : left > right ? 1 : 0);

function cellOf(value: ParamValue | undefined): { text: string; value: number | null } {
  if (value === undefined) return { text: '', value: null };
  if (value === null) return { text: 'null', value: null };
  return { text: String(value), value: typeof value === 'number' ? value : null };
}

/** Compares `runs` (in that order); `baselineId` defaults to the first run. */
export function compareRuns(runs: readonly RunSummary[], baselineId?: string): RunComparison {
  const found = runs.findIndex((run) => run.id === baselineId);
  const baselineIndex = found >= 0 ? found : 0;
  const keysOf = (pick: (run: RunSummary) => object) =>
    [...new Set(runs.flatMap((run) => Object.keys(pick(run))))].sort(byCodePoint);
  const rowOf = (kind: ComparedRow['kind'], name: string): ComparedRow => {
    const records = runs.map((run): Readonly<Record<string, ParamValue>> =>
      kind === 'param' ? run.params : run.metrics,
    );
    const present = records.map((record) => Object.prototype.hasOwnProperty.call(record, name));
    const raw = records.map((record, index) => cellOf(present[index] ? record[name] : undefined));
    const base = raw[baselineIndex]?.value ?? null;
    const cells = raw.map((cell, index): ComparedCell => {
      const comparable =
        index !== baselineIndex &&
        cell.value !== null &&
        base !== null &&
        Number.isFinite(cell.value) &&
        Number.isFinite(base);
      const delta = comparable ? cell.value! - base! : null;
      return {
        ...cell,
        delta,
        deltaPercent: delta !== null && base !== 0 ? (delta / Math.abs(base!)) * 100 : null,
      };
    });
    const differs = present.includes(false) || new Set(raw.map((cell) => cell.text)).size > 1;
    return { kind, name, cells, differs };
  };
  return {
    baselineIndex,
    rows: [
      ...keysOf((run) => run.params).map((name) => rowOf('param', name)),
      ...keysOf((run) => run.metrics).map((name) => rowOf('metric', name)),
    ],
  };
}
