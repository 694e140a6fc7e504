import * as fs from 'node:fs';
import { join } from 'node:path';
import { RUN_INDEX_VERSION, type RunIndexSnapshot } from '../../engine/runIndex/runIndexModel';
import { writeFileAtomicSync } from '../nodeFileSystem';

/** Where a workspace's run index is cached. */
export function runIndexCachePath(workspaceRoot: string): string {
  return join(workspaceRoot, '.mlc', 'cache', 'run-index.json');
}

/**
 * JSON has no NaN or infinities, and metrics hold them (a diverged loss), so non-finite numbers
 * are written as the strings "NaN", "Infinity", "-Infinity" inside `metrics` objects and turned
 * back into numbers on load (a JSON reviver over the whole file would cost more than the parse).
 */
const NON_FINITE: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
};

export function serializeRunIndex(snapshot: RunIndexSnapshot): string {
  return JSON.stringify(snapshot, (key, value: unknown) => {
    if (key !== 'metrics' || value === null || typeof value !== 'object') return value;
    let copy: Record<string, unknown> | undefined;
    for (const [name, metric] of Object.entries(value as Record<string, unknown>)) {
      if (typeof metric === 'number' && !Number.isFinite(metric)) {
        copy ??= { ...(value as Record<string, unknown>) };
        copy[name] = String(metric);
      }
    }
    return copy ?? value;
  });
}

export function deserializeRunIndex(text: string): RunIndexSnapshot | undefined {
  let snapshot: RunIndexSnapshot;
  try {
    snapshot = JSON.parse(text) as RunIndexSnapshot;
  } catch {
    return undefined;
  }
  if (snapshot?.version !== RUN_INDEX_VERSION || !Array.isArray(snapshot.stores)) return undefined;
  for (const store of snapshot.stores) {
    for (const run of store.runs) {
      const metrics = run.metrics as Record<string, number | string>;
      for (const name in metrics) {
        const value = metrics[name];
        if (typeof value === 'string' && value in NON_FINITE) metrics[name] = NON_FINITE[value]!;
      }
    }
  }
  return snapshot;
}

/** The cached index, or undefined when there is none or it is unreadable (then it is rebuilt). */
export function loadRunIndexCache(path: string): RunIndexSnapshot | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  return deserializeRunIndex(text);
}

/** Written atomically (temp file, fsync, rename): a crash never leaves a half-written cache. */
export function saveRunIndexCache(path: string, snapshot: RunIndexSnapshot): boolean {
  try {
    writeFileAtomicSync(path, serializeRunIndex(snapshot));
    return true;
  } catch {
    // A read-only workspace still works; it only loses the speed-up of the cache.
    return false;
  }
}
