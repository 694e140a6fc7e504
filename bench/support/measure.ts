import { performance } from 'node:perf_hooks';

export interface MeasureOptions {
  /** Untimed calls first, so that JIT compilation and cold caches do not count. Default 3. */
  readonly warmup?: number;
  /** Timed calls. Default 20. */
  readonly iterations?: number;
  /** Stop early once this much time has been spent on timed calls (at least 1 call always runs). */
  readonly maxTimeMs?: number;
  /** Runs untimed before every call (warmup and timed), e.g. to delete a cache the call would reuse. */
  readonly beforeEach?: () => unknown;
}

export interface Measurement {
  readonly medianMs: number;
  /** 95th percentile by nearest rank: with fewer than 20 samples it is the maximum. */
  readonly p95Ms: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly meanMs: number;
  readonly iterations: number;
  /** Every timed sample, in call order. */
  readonly samplesMs: readonly number[];
}

const isPromise = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';

/**
 * Times `fn` with `performance.now()`. A synchronous `fn` is timed without an `await` per call,
 * so microsecond-scale work is not drowned by promise overhead; an async `fn` is awaited.
 *
 *   const { medianMs, p95Ms } = await measure(() => parseRuns(text), { warmup: 5, iterations: 50 });
 */
export async function measure(fn: () => unknown, options: MeasureOptions = {}): Promise<Measurement> {
  const { warmup = 3, iterations = 20, maxTimeMs = Number.POSITIVE_INFINITY, beforeEach } = options;
  const call = async (): Promise<number> => {
    if (beforeEach) {
      const prepared = beforeEach();
      if (isPromise(prepared)) await prepared;
    }
    const start = performance.now();
    const result = fn();
    if (isPromise(result)) await result;
    return performance.now() - start;
  };

  for (let index = 0; index < warmup; index += 1) await call();
  const samplesMs: number[] = [];
  let spentMs = 0;
  while (samplesMs.length < Math.max(1, iterations) && (samplesMs.length === 0 || spentMs < maxTimeMs)) {
    const elapsed = await call();
    samplesMs.push(elapsed);
    spentMs += elapsed;
  }
  return summarise(samplesMs);
}

/** Median, p95 (nearest rank), min, max and mean of samples in milliseconds. */
export function summarise(samplesMs: readonly number[]): Measurement {
  if (samplesMs.length === 0) throw new Error('summarise needs at least one sample');
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (rank: number) => sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number;
  const middle = Math.floor(sorted.length / 2);
  const medianMs = sorted.length % 2 === 1 ? at(middle) : (at(middle - 1) + at(middle)) / 2;
  return {
    medianMs,
    p95Ms: at(Math.ceil(0.95 * sorted.length) - 1),
    minMs: at(0),
    maxMs: at(sorted.length - 1),
    meanMs: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
    iterations: sorted.length,
    samplesMs: [...samplesMs],
  };
}
