import { formatBenchRow } from './benchTable';

export type Comparison = '<=' | '>=';

/**
 * What counts as good. `{ value, comparison }` compares the figure itself (`{ value: 300, comparison: '<=' }`
 * for "<= 300 kB"); `{ ratio, comparison }` compares figure / baseline (`{ ratio: 0.85, comparison: '>=' }`
 * for "at least 85% of md5sum's throughput", `{ ratio: 3, comparison: '<=' }` for "at most 3x make -j2").
 */
export type BenchTarget =
  | { readonly value: number; readonly comparison: Comparison }
  | { readonly ratio: number; readonly comparison: Comparison };

export interface ReportInput {
  /** What was measured, e.g. "status: 100k unchanged deps (warm)". Unique within a benchmark. */
  readonly name: string;
  readonly value: number;
  /** e.g. "ms", "MB/s", "kB", "runs/s". */
  readonly unit: string;
  /** The same work done by a reference tool or a raw operation, measured in the same run. */
  readonly baseline?: { readonly name: string; readonly value: number };
  readonly target?: BenchTarget;
  /** Anything a reader needs to interpret the figure (data size, sample count, p95...). */
  readonly note?: string;
}

/** One line of bench/results/latest.json. */
export interface BenchRecord {
  /** The benchmark file's name without `.bench.ts`, filled in by runBench. */
  readonly bench: string;
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline: string | null;
  readonly baselineValue: number | null;
  /** value / baselineValue, or null without a baseline. */
  readonly ratio: number | null;
  readonly target: BenchTarget | null;
  /** The target as text: "<= 300 kB", ">= 0.85x baseline". */
  readonly targetText: string | null;
  /** Whether the target is met; null when there is no target (or a ratio target has no baseline). */
  readonly met: boolean | null;
  readonly note: string | null;
}

const collected: BenchRecord[] = [];
let currentBench = 'unnamed';

/** Called by runBench so that records carry their benchmark's name. */
export function setCurrentBench(name: string): void {
  currentBench = name;
}

const compare = (actual: number, comparison: Comparison, limit: number) =>
  comparison === '<=' ? actual <= limit : actual >= limit;

/** Builds the record (ratio, met) without printing or collecting it. */
export function toBenchRecord(input: ReportInput, bench = currentBench): BenchRecord {
  const baselineValue = input.baseline?.value ?? null;
  const ratio = baselineValue !== null && baselineValue !== 0 ? input.value / baselineValue : null;
  const target = input.target ?? null;
  let met: boolean | null = null;
  let targetText: string | null = null;
  if (target && 'value' in target) {
    met = compare(input.value, target.comparison, target.value);
    targetText = `${target.comparison} ${target.value} ${input.unit}`;
  } else if (target) {
    met = ratio === null ? null : compare(ratio, target.comparison, target.ratio);
    targetText = `${target.comparison} ${target.ratio}x baseline`;
  }
  return {
    bench,
    name: input.name,
    value: input.value,
    unit: input.unit,
    baseline: input.baseline?.name ?? null,
    baselineValue,
    ratio,
    target,
    targetText,
    met,
    note: input.note ?? null,
  };
}

/**
 * Records one figure: prints it as a table row on stdout (so a bench run alone is readable) and
 * keeps it for the `BENCH_JSON` line that runBench prints at the end. Returns the record.
 *
 *   report({ name: 'md5, 1 core', value: mbPerSecond, unit: 'MB/s',
 *            baseline: { name: 'md5sum', value: md5sumMbPerSecond },
 *            target: { ratio: 0.85, comparison: '>=' } });
 */
export function report(input: ReportInput): BenchRecord {
  const record = toBenchRecord(input);
  collected.push(record);
  process.stdout.write(`${formatBenchRow(record)}\n`);
  return record;
}

/** Every record reported so far in this process. */
export function reportedRecords(): readonly BenchRecord[] {
  return collected;
}
