import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandom, type Random, seedFromName } from './createRandom';
import { report, reportedRecords, setCurrentBench } from './report';

/** The line prefix scripts/run-benchmarks.mjs looks for on a benchmark's stdout. */
export const benchJsonPrefix = 'BENCH_JSON ';

export interface BenchContext {
  /** A new empty folder under the system temp dir, deleted when the benchmark ends (even on error). */
  tempDir(label?: string): string;
  /** A seeded generator; without a seed, one derived from the benchmark's name (same data every run). */
  random(seed?: number): Random;
  /** Progress for humans, on stderr (stdout carries the figures). */
  log(message: string): void;
  /** Same as the `report` export. */
  report: typeof report;
}

/**
 * The frame of every `bench/<name>.bench.ts`:
 *
 *   import { runBench } from './support/runBench';
 *   import { measure } from './support/measure';
 *
 *   void runBench('hashing', async ({ tempDir, random, report }) => {
 *     const file = join(tempDir(), 'data.bin');
 *     writeFileSync(file, random().bytes(64 << 20));
 *     const ours = await measure(() => hashFile(file), { warmup: 1, iterations: 5 });
 *     const theirs = await measure(() => spawnSync('md5sum', [file]), { warmup: 1, iterations: 5 });
 *     report({ name: 'md5 64 MiB, 1 core', value: ours.medianMs, unit: 'ms',
 *              baseline: { name: 'md5sum', value: theirs.medianMs }, target: { ratio: 1.18, comparison: '<=' } });
 *   });
 *
 * It deletes the temp folders in `finally` (and on SIGINT/SIGTERM), prints the error and sets
 * exit code 1 when the body throws, and always ends with one `BENCH_JSON {"records":[...]}` line
 * holding every reported figure, which `npm run bench` collects.
 */
export async function runBench(name: string, body: (context: BenchContext) => unknown): Promise<void> {
  setCurrentBench(name);
  const folders: string[] = [];
  const cleanUp = () => {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    cleanUp();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const context: BenchContext = {
    tempDir: (label = name) => {
      const folder = mkdtempSync(join(tmpdir(), `mlc-bench-${label}-`));
      folders.push(folder);
      return folder;
    },
    random: (seed = seedFromName(name)) => createRandom(seed),
    log: (message) => process.stderr.write(`[${name}] ${message}\n`),
    report,
  };

  let error: string | null = null;
  try {
    await body(context);
  } catch (thrown) {
    error = thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown);
    process.stderr.write(`[${name}] failed: ${error}\n`);
    process.exitCode = 1;
  } finally {
    cleanUp();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  process.stdout.write(`${benchJsonPrefix}${JSON.stringify({ bench: name, error, records: reportedRecords() })}\n`);
}
