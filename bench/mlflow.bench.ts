// MLflow readers against PERFORMANCE-TARGETS.md: 10,000 runs (10 params, 10 metrics of 3 points,
// 3 tags each) indexed in <= 2 s warm, from the file store and from mlflow.db. Baselines measured
// in the same run: a raw synchronous read of every file of the store (the physical floor of any
// file-store reader), and sql.js opening the same database and running SELECT count(*).
// Plus: re-reading a live metric history from its last offset after one appended line.
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import initSqlJs from 'sql.js';
import type { FileSystem } from '../src/engine/ports';
import { nodeFileSystem } from '../src/node/nodeFileSystem';
import { createMlflowSqliteReader } from '../src/node/readers/mlflowSqliteReader';
import { systemClock } from '../src/node/systemTime';
import { createMlflowDatabase, generateMlflowStoreSpec, writeMlflowFileStore } from '../test/support/mlflowFixtures';
import { loadBundled } from './support/loadBundled';
import type * as ShippedReaders from './support/shippedReaders';
import { interleaved } from './support/interleaved';
import { measure } from './support/measure';
import { runBench } from './support/runBench';

// MLFLOW_BENCH_RUNS=2000 for a quick look; the 2 s target scales with the run count.
// MLFLOW_BENCH_SQLITE=0 leaves out mlflow.db (writing it is most of this benchmark's time).
const RUNS = Number(process.env.MLFLOW_BENCH_RUNS ?? 10_000);

/** Writes without fsync or temp files: generating 240k files must not dominate the benchmark. */
function fastWriter(): FileSystem {
  const made = new Set<string>();
  return {
    ...nodeFileSystem,
    writeFileAtomic(path, data) {
      const folder = dirname(path);
      if (!made.has(folder)) {
        mkdirSync(folder, { recursive: true });
        made.add(folder);
      }
      writeFileSync(path, data);
    },
  };
}

/** The floor: list every folder and read every file once, synchronously. */
function readEveryFile(folder: string): number {
  let bytes = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    bytes += entry.isDirectory() ? readEveryFile(path) : readFileSync(path).length;
  }
  return bytes;
}

void runBench('mlflow', async ({ tempDir, report, log }) => {
  // The file-store reader as the CLI and the workers ship it (see loadBundled).
  const { createMlflowFileStoreReader, readMetricHistory } = await loadBundled<typeof ShippedReaders>(
    join(__dirname, 'support/shippedReaders.ts'),
    tempDir('bundle'),
  );
  const spec = generateMlflowStoreSpec({ runs: RUNS, params: 10, metrics: 10, points: 3, seed: 1 });
  const root = tempDir('mlflow');
  const mlruns = join(root, 'mlruns');
  log(`writing a file store of ${RUNS} runs`);
  writeMlflowFileStore(fastWriter(), mlruns, spec);

  const store = { source: 'mlflow' as const, path: mlruns };
  const reader = createMlflowFileStoreReader({ clock: systemClock });
  let listed = 0;
  let totalBytes = 0;
  const fileStore = await interleaved(
    async () => {
      listed = (await reader.list(store, { fs: nodeFileSystem })).runs.length;
    },
    () => (totalBytes = readEveryFile(mlruns)),
    Number(process.env.MLFLOW_BENCH_ROUNDS ?? 3),
  );
  if (listed !== RUNS) throw new Error(`file store listed ${listed} runs, expected ${RUNS}`);
  report({
    name: `file store: first index of ${RUNS} runs (warm)`,
    value: fileStore.ours.medianMs,
    unit: 'ms',
    baseline: { name: 'raw sync read of every file', value: fileStore.baseline.medianMs },
    target: { value: (2000 * RUNS) / 10_000, comparison: '<=' },
    note: `${(totalBytes / 1048576).toFixed(1)} MiB in ~${RUNS * 24} files; ${((fileStore.ours.medianMs * 1000) / RUNS).toFixed(0)} us/run`,
  });
  report({
    name: `file store: first index of ${RUNS} runs vs raw read (issue 17)`,
    value: fileStore.ours.medianMs,
    unit: 'ms',
    baseline: { name: 'raw sync read of every file', value: fileStore.baseline.medianMs },
    target: { ratio: 1.2, comparison: '<=' },
    note: `median of ${fileStore.ratios.length} alternating rounds' ratios: ${fileStore.medianRatio.toFixed(3)}x`,
  });

  log('appending to a live metric history');
  const metricFile = join(mlruns, '0', spec.experiments[0]!.runs[0]!.id, 'metrics', 'metric_1');
  let offset = readMetricHistory(nodeFileSystem, metricFile).nextOffset;
  let step = 100;
  const tail = await measure(
    () => {
      const read = readMetricHistory(nodeFileSystem, metricFile, offset);
      if (read.series.values.length !== 1) throw new Error('the appended line was not read');
      offset = read.nextOffset;
    },
    {
      warmup: 2,
      iterations: 50,
      beforeEach: () => appendFileSync(metricFile, `${1_700_000_000_000 + step} 0.5 ${step++}\n`),
    },
  );
  report({
    name: 'file store: read one appended metric line',
    value: tail.medianMs,
    unit: 'ms',
    target: { value: 5, comparison: '<=' },
    note: `p95 ${tail.p95Ms.toFixed(3)} ms`,
  });

  if (process.env.MLFLOW_BENCH_SQLITE === '0') return; // the file-store figures only
  log(`writing mlflow.db with ${RUNS} runs`);
  const databasePath = join(tempDir('mlflow-db'), 'mlflow.db');
  writeFileSync(databasePath, await createMlflowDatabase(spec, '1bd49d398cd23'));
  const database = { source: 'mlflow' as const, path: databasePath };
  const SQL = await initSqlJs();
  let sqliteListed = 0;
  const sqlite = await interleaved(
    async () => {
      // A new reader each time: no open database is reused, as on the first index.
      const sqliteReader = createMlflowSqliteReader({ clock: systemClock });
      sqliteListed = (await sqliteReader.list(database, { fs: nodeFileSystem })).runs.length;
      sqliteReader.dispose();
    },
    () => {
      const opened = new SQL.Database(readFileSync(databasePath));
      opened.exec('SELECT count(*) FROM runs');
      opened.close();
    },
    3,
  );
  if (sqliteListed !== RUNS) throw new Error(`mlflow.db listed ${sqliteListed} runs, expected ${RUNS}`);
  report({
    name: `mlflow.db: first index of ${RUNS} runs (warm)`,
    value: sqlite.ours.medianMs,
    unit: 'ms',
    baseline: { name: 'sql.js open + SELECT count(*)', value: sqlite.baseline.medianMs },
    target: { value: (2000 * RUNS) / 10_000, comparison: '<=' },
    note: `${(readFileSync(databasePath).length / 1048576).toFixed(1)} MiB database`,
  });
});
