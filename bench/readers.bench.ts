// Run-output readers against PERFORMANCE-TARGETS.md. Baselines are measured in the same run:
//  - a 1,000,000-point series (DVCLive TSV, Lightning CSV): first parse <= 300 ms, against a raw
//    read of the same bytes + split into lines (and, as a row of its own, against the floor: that
//    read + split + Number() of each cell); reopen through the on-disk series cache <= 25 ms;
//  - TensorBoard event files: read throughput with every CRC-32C verified >= 150 MB/s, against a
//    raw read of the same bytes;
//  - one row appended to a live DVCLive TSV: incremental read < 5 ms; and the append-to-delivery
//    latency of the follow API with a real writer process (p50 <= 50 ms, p95 <= 150 ms);
//  - 10,000 runs (Lightning folders with 10 params and 10 metrics): first index <= 1.5 s against a
//    raw read of every file, and reopen from the validated cache <= 100 ms.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runIndexCachePath } from '../src/node/runIndex/runIndexCache';
import { lightningMetricsCsv } from '../test/support/csvLoggerWriter';
import { frameRecord, encodeEvent, concatBytes } from '../test/support/tfeventsWriter';
import { loadBundled } from './support/loadBundled';
import type * as ShippedReaders from './support/shippedReaders';
import { interleaved } from './support/interleaved';
import { measure } from './support/measure';
import { readEverything } from './support/readEverything';
import { writeLightningRuns } from './support/lightningRuns';
import { type BenchContext, runBench } from './support/runBench';

const POINTS = 1_000_000;
// READERS_BENCH_RUNS=0 leaves out the run index section (the slowest to write).
const RUNS = Number(process.env.READERS_BENCH_RUNS ?? 10_000);
/** Alternating rounds of each 1M-row parse and its raw read (more rounds, steadier ratios). */
const SERIES_ROUNDS = Number(process.env.READERS_BENCH_ROUNDS ?? 7);

function rawReadAndSplit(path: string): number {
  return readFileSync(path, 'utf8').split('\n').length;
}

/**
 * The least any reader that returns numbers must do: the raw read and split, then `Number()` of
 * each non-empty cell of every row after the header (a substring each: the only exact reading
 * JavaScript offers for any text, whatever shortcuts a reader takes for common shapes).
 */
function rawReadSplitAndNumbers(path: string, separator: string): number {
  const lines = readFileSync(path, 'utf8').split('\n');
  let sum = 0;
  for (let index = 1; index < lines.length; index++) {
    const line = lines[index]!;
    for (let start = 0; start < line.length;) {
      let end = line.indexOf(separator, start);
      if (end < 0) end = line.length;
      if (end > start) sum += Number(line.slice(start, end));
      start = end + 1;
    }
  }
  return sum;
}

/**
 * The least any reader that returns numbers from the bytes must do (stop 23): one read of the
 * file's bytes (no decoding) and one pass over them that finds every cell (separators, line ends)
 * and sums each digit's value: no number is made, no series kept. What mlc does beyond it is the
 * numbers' exact assembly (place values, the point and exponent, the rounding), the row's checks
 * and the series.
 */
function bareByteScan(path: string, separator: number): number {
  const bytes = readFileSync(path);
  let cells = 0;
  let digitSum = 0;
  for (let index = bytes.indexOf(10) + 1; index < bytes.length; index++) {
    const byte = bytes[index]!;
    if ((byte - 48) >>> 0 <= 9) digitSum += byte - 48;
    else if (byte === separator || byte === 10) cells++;
  }
  return cells + digitSum;
}

/**
 * A 1M-row parse against its raw read + split: PERFORMANCE-TARGETS.md's time, and issue 17's ratio
 * (the ratio of the medians; the note gives the median of each round's own ratio).
 */
function reportFirstParse(
  report: BenchContext['report'],
  format: string,
  timed: Awaited<ReturnType<typeof interleaved>>,
  floor: Awaited<ReturnType<typeof interleaved>>,
  note: string,
): void {
  const baseline = { name: 'raw read + split lines', value: timed.baseline.medianMs };
  const value = timed.ours.medianMs;
  report({
    name: `${format} 1M rows: first parse`,
    value,
    unit: 'ms',
    baseline,
    target: { value: 300, comparison: '<=' },
    note,
  });
  report({
    name: `${format} 1M rows vs raw read + split (issue 17)`,
    value,
    unit: 'ms',
    baseline,
    target: { ratio: 1.5, comparison: '<=' },
    note: `median of ${timed.ratios.length} alternating rounds' ratios: ${timed.medianRatio.toFixed(2)}x`,
  });
  report({
    name: `${format} 1M rows vs the floor: raw read + split + Number() of each cell`,
    value: floor.ours.medianMs,
    unit: 'ms',
    baseline: { name: 'read + split + Number() per cell', value: floor.baseline.medianMs },
    note: `rounds' median ${floor.medianRatio.toFixed(2)}x; the floor is ${(floor.baseline.medianMs / timed.baseline.medianMs).toFixed(2)}x the read + split`,
  });
}

void runBench('readers', async ({ tempDir, random, report, log }) => {
  // The readers as the CLI and the workers ship them (see loadBundled).
  const { createDvcliveReader, readTfRecords, createTensorboardReader, nodeFileSystem, createRunIndexService } =
    await loadBundled<typeof ShippedReaders>(join(__dirname, 'support/shippedReaders.ts'), tempDir('bundle'));
  const generator = random();
  const root = tempDir('readers');

  // --- 1M-point DVCLive TSV -------------------------------------------------------------------
  log(`writing a ${POINTS}-row DVCLive TSV and Lightning CSV`);
  const tsvFolder = join(root, 'tsv', 'dvclive');
  mkdirSync(join(tsvFolder, 'plots', 'metrics'), { recursive: true });
  const tsvPath = join(tsvFolder, 'plots', 'metrics', 'loss.tsv');
  const rows: string[] = ['timestamp\tstep\tloss'];
  for (let step = 0; step < POINTS; step++)
    rows.push(`${1_700_000_000_000 + step * 50}\t${step}\t${generator.float(0, 2)}`);
  writeFileSync(tsvPath, `${rows.join('\n')}\n`);
  rows.length = 0; // free the generator's strings: a big live heap slows every GC that follows
  writeFileSync(join(tsvFolder, 'metrics.json'), '{"loss": 1}\n');
  const dvclive = createDvcliveReader({
    workspaceRoot: join(root, 'tsv'),
    clock: { now: () => Date.now() + 3_600_000 },
  });
  const dvcliveStore = { source: 'dvclive' as const, path: tsvFolder };
  let parsedPoints = 0;
  const tsv = await interleaved(
    async () => {
      parsedPoints = (await dvclive.series(dvcliveStore, 'x', { fs: nodeFileSystem })).series.loss!.steps.length;
    },
    () => rawReadAndSplit(tsvPath),
    SERIES_ROUNDS,
  );
  if (parsedPoints !== POINTS) throw new Error(`parsed ${parsedPoints} points`);
  const tsvFloor = await interleaved(
    () => dvclive.series(dvcliveStore, 'x', { fs: nodeFileSystem }),
    () => rawReadSplitAndNumbers(tsvPath, '\t'),
    SERIES_ROUNDS,
  );
  const tsvMiB = (readFileSync(tsvPath).length / 1048576).toFixed(1);
  reportFirstParse(report, 'DVCLive TSV', tsv, tsvFloor, `${tsvMiB} MiB; p95 ${tsv.ours.p95Ms.toFixed(0)} ms`);

  // --- 1M-row Lightning CSV (sparse: val_loss every 100 rows) ------------------------------------
  const csvFolder = join(root, 'csv', 'lightning_logs', 'version_0');
  mkdirSync(csvFolder, { recursive: true });
  const csvPath = join(csvFolder, 'metrics.csv');
  const csvRows = Array.from({ length: POINTS }, (_value, step) => ({
    epoch: Math.floor(step / 1000),
    step,
    train_loss: generator.float(0, 2),
    ...(step % 100 === 0 ? { val_loss: generator.float(0, 2) } : {}),
  }));
  writeFileSync(csvPath, lightningMetricsCsv(csvRows, { lineEnding: '\n' }));
  csvRows.length = 0;
  const service = createRunIndexService({ workspaceRoot: join(root, 'csv'), staleAfterMs: 0 });
  await service.listRuns();
  const csv = await interleaved(
    async () => {
      const fresh = createRunIndexService({ workspaceRoot: join(root, 'csv'), cachePath: false, staleAfterMs: 0 });
      const points = (await fresh.series('csv:lightning_logs/version_0', ['train_loss'])).series.train_loss!.steps
        .length;
      fresh.dispose();
      if (points !== POINTS) throw new Error(`parsed ${points} CSV points`);
    },
    () => rawReadAndSplit(csvPath),
    SERIES_ROUNDS,
  );
  const csvFloor = await interleaved(
    async () => {
      const fresh = createRunIndexService({ workspaceRoot: join(root, 'csv'), cachePath: false, staleAfterMs: 0 });
      await fresh.series('csv:lightning_logs/version_0', ['train_loss']);
      fresh.dispose();
    },
    () => rawReadSplitAndNumbers(csvPath, ','),
    SERIES_ROUNDS,
  );
  const csvNote = `${(readFileSync(csvPath).length / 1048576).toFixed(1)} MiB, 4 columns, sparse val_loss; through the run index`;
  reportFirstParse(report, 'Lightning CSV', csv, csvFloor, csvNote);
  const csvByteFloor = await interleaved(
    async () => {
      const fresh = createRunIndexService({ workspaceRoot: join(root, 'csv'), cachePath: false, staleAfterMs: 0 });
      await fresh.series('csv:lightning_logs/version_0', ['train_loss']);
      fresh.dispose();
    },
    () => bareByteScan(csvPath, 44),
    SERIES_ROUNDS,
  );
  report({
    name: 'Lightning CSV 1M rows vs the byte floor: read of the bytes + a pass summing every digit',
    value: csvByteFloor.ours.medianMs,
    unit: 'ms',
    baseline: { name: 'bytes read + cells found + digits summed', value: csvByteFloor.baseline.medianMs },
    note: `rounds' median ${csvByteFloor.medianRatio.toFixed(2)}x; the byte floor is ${(csvByteFloor.baseline.medianMs / csv.baseline.medianMs).toFixed(2)}x the read + split`,
  });
  // The first cached read writes .mlc/cache/series/*.bin; a new service (a reopened window) reads it.
  await service.series('csv:lightning_logs/version_0', ['train_loss']);
  service.dispose();
  const reopen = await measure(
    async () => {
      const reopened = createRunIndexService({ workspaceRoot: join(root, 'csv'), staleAfterMs: 0 });
      const points = (await reopened.series('csv:lightning_logs/version_0', ['train_loss'])).series.train_loss!.steps
        .length;
      reopened.dispose();
      if (points !== POINTS) throw new Error(`reopened ${points} points`);
    },
    { warmup: 1, iterations: 10 },
  );
  report({
    name: '1M-point series: reopen from the cache',
    value: reopen.medianMs,
    unit: 'ms',
    baseline: { name: 'first parse', value: csv.ours.medianMs },
    target: { value: 25, comparison: '<=' },
    note: 'includes revalidating the run index (2 stores) and the series inputs',
  });

  // --- appended row, incremental ----------------------------------------------------------------
  const tail = dvclive.createTail(dvcliveStore, 'x');
  tail.poll({ fs: nodeFileSystem });
  let nextStep = POINTS;
  const appended = await measure(
    () => {
      const update = tail.poll({ fs: nodeFileSystem });
      if (update.series.loss?.steps.length !== 1) throw new Error('the appended row was not read');
    },
    { warmup: 2, iterations: 50, beforeEach: () => appendFileSync(tsvPath, `${Date.now()}\t${nextStep++}\t0.5\n`) },
  );
  report({
    name: 'DVCLive TSV: read one appended row (1M-row file)',
    value: appended.medianMs,
    unit: 'ms',
    target: { value: 5, comparison: '<=' },
    note: `p95 ${appended.p95Ms.toFixed(3)} ms`,
  });

  // --- TensorBoard throughput ---------------------------------------------------------------------
  log('writing a 64 MiB event file');
  const tbFolder = join(root, 'tb', 'run');
  mkdirSync(tbFolder, { recursive: true });
  const tbPath = join(tbFolder, 'events.out.tfevents.1700000000.host.1.0');
  const records: Uint8Array[] = [frameRecord(encodeEvent({ wallTime: 1_700_000_000, fileVersion: 'brain.Event:2' }))];
  let bytes = records[0]!.length;
  const tags = ['train/loss', 'train/accuracy', 'val/loss', 'learning_rate'];
  for (let step = 0; bytes < 64 * 1048576; step++) {
    const record = frameRecord(
      encodeEvent({
        wallTime: 1_700_000_000 + step / 10,
        step,
        values: [{ tag: tags[step % 4]!, simpleValue: generator.float(0, 1) }],
      }),
    );
    records.push(record);
    bytes += record.length;
  }
  writeFileSync(tbPath, concatBytes(records));
  const eventCount = records.length;
  records.length = 0;
  const megabytes = bytes / 1048576;
  const tensorboard = createTensorboardReader({
    workspaceRoot: join(root, 'tb'),
    clock: { now: () => Date.now() + 3_600_000 },
  });
  const tbRead = await measure(
    () => tensorboard.series({ source: 'tensorboard', path: tbFolder }, 'x', { fs: nodeFileSystem }),
    {
      warmup: 1,
      iterations: 5,
    },
  );
  const framing = await measure(() => readTfRecords(nodeFileSystem, tbPath, 0, bytes, () => undefined), {
    warmup: 1,
    iterations: 5,
  });
  const rawRead = await measure(() => readFileSync(tbPath), { warmup: 1, iterations: 5 });
  report({
    name: 'TensorBoard: scalars read, CRC verified',
    value: megabytes / (tbRead.medianMs / 1000),
    unit: 'MB/s',
    baseline: { name: 'raw read of the bytes', value: megabytes / (rawRead.medianMs / 1000) },
    target: { value: 150, comparison: '>=' },
    note: `${megabytes.toFixed(0)} MiB, ${eventCount} events (PyTorch-style simple_value), decoded into series`,
  });
  report({
    name: 'TensorBoard: TFRecord framing + CRC-32C only',
    value: megabytes / (framing.medianMs / 1000),
    unit: 'MB/s',
    baseline: { name: 'raw read of the bytes', value: megabytes / (rawRead.medianMs / 1000) },
    target: { value: 150, comparison: '>=' },
  });

  // --- append-to-delivery latency with a real writer ----------------------------------------------
  log('measuring append-to-delivery latency with a writer process');
  const liveRoot = join(root, 'live');
  mkdirSync(join(liveRoot, 'dvclive', 'plots', 'metrics'), { recursive: true });
  const livePath = join(liveRoot, 'dvclive', 'plots', 'metrics', 'loss.tsv');
  writeFileSync(livePath, 'step\tloss\n0\t0\n');
  const liveService = createRunIndexService({ workspaceRoot: liveRoot, cachePath: false });
  const latencies: number[] = [];
  const SAMPLES = 60;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const subscription = await liveService.follow('dvclive:dvclive', ['loss'], (update) => {
    const received = performance.timeOrigin + performance.now();
    const values = update.series.loss?.values ?? new Float64Array();
    const steps = update.series.loss?.steps ?? new Float64Array();
    for (let index = 0; index < values.length; index++)
      if (steps[index]! > 0) latencies.push(received - values[index]!);
    if (latencies.length >= SAMPLES) resolveDone();
  });
  // The writer puts its own high-resolution clock (epoch ms) in the value column.
  const writer = spawn(
    process.execPath,
    [
      '-e',
      `const fs = require('node:fs'); let step = 1;
       const write = () => { fs.appendFileSync(${JSON.stringify(livePath)}, step + '\\t' + (performance.timeOrigin + performance.now()) + '\\n');
         if (++step <= ${SAMPLES}) setTimeout(write, 20 + Math.random() * 30); };
       setTimeout(write, 200);`,
    ],
    { stdio: 'ignore' },
  );
  const timer = setTimeout(resolveDone, 30_000);
  await done;
  clearTimeout(timer);
  subscription.dispose();
  liveService.dispose();
  writer.kill();
  const sorted = [...latencies].sort((a, b) => a - b);
  const percentile = (fraction: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
  report({
    name: 'append -> follow update latency, p50',
    value: percentile(0.5),
    unit: 'ms',
    target: { value: 50, comparison: '<=' },
    note: `${latencies.length} rows appended by a separate process`,
  });
  report({
    name: 'append -> follow update latency, p95',
    value: percentile(0.95),
    unit: 'ms',
    target: { value: 150, comparison: '<=' },
  });

  if (RUNS === 0) return; // READERS_BENCH_RUNS=0: the series and TensorBoard figures only
  // --- 10,000-run index ---------------------------------------------------------------------------
  log(`writing ${RUNS} Lightning run folders`);
  const indexRoot = join(root, 'many');
  writeLightningRuns(indexRoot, RUNS, generator);
  const cacheFolder = join(indexRoot, '.mlc');
  let listed = 0;
  const firstIndex = await measure(
    async () => {
      const fresh = createRunIndexService({ workspaceRoot: indexRoot, staleAfterMs: 0 });
      listed = (await fresh.listRuns()).runs.length;
      fresh.dispose();
    },
    { warmup: 1, iterations: 3, beforeEach: () => rmSync(cacheFolder, { recursive: true, force: true }) },
  );
  if (listed !== RUNS) throw new Error(`indexed ${listed} runs`);
  const rawEverything = await measure(() => readEverything(indexRoot), { warmup: 1, iterations: 3 });
  report({
    name: `${RUNS} runs: first index (no cache)`,
    value: firstIndex.medianMs,
    unit: 'ms',
    baseline: { name: 'raw sync read of every file', value: rawEverything.medianMs },
    target: { value: 1500, comparison: '<=' },
    note: 'Lightning folders: hparams.yaml (10 params) + metrics.csv (10 metrics); includes writing the cache',
  });
  // Two opens create .mlc/ and settle the root folder's mtime; then every reopen is measured.
  for (let index = 0; index < 2; index++) {
    const settle = createRunIndexService({ workspaceRoot: indexRoot, staleAfterMs: 0 });
    await settle.listRuns();
    settle.dispose();
  }
  let reused = 0;
  const reopenIndex = await measure(
    async () => {
      const reopened = createRunIndexService({ workspaceRoot: indexRoot, staleAfterMs: 0 });
      const result = await reopened.listRuns();
      reused = result.stats.storesReused;
      reopened.dispose();
    },
    { warmup: 1, iterations: 10 },
  );
  const unvalidated = await measure(
    async () => {
      const reopened = createRunIndexService({ workspaceRoot: indexRoot, staleAfterMs: 0 });
      const result = await reopened.listRuns({}, { revalidate: false });
      reopened.dispose();
      if (result.runs.length !== RUNS) throw new Error(`cached listing had ${result.runs.length} runs`);
    },
    { warmup: 1, iterations: 10 },
  );
  report({
    name: `${RUNS} runs: reopen, cached listing before validation`,
    value: unvalidated.medianMs,
    unit: 'ms',
    baseline: {
      name: 'JSON.parse of the cache file, line by line',
      value: (
        await measure(
          () =>
            readFileSync(runIndexCachePath(indexRoot), 'utf8')
              .split('\n')
              .map((line) => (line ? JSON.parse(line) : undefined)),
          {
            warmup: 1,
            iterations: 10,
          },
        )
      ).medianMs,
    },
    target: { value: 100, comparison: '<=' },
    note: `cache file ${(statSync(runIndexCachePath(indexRoot)).size / 1048576).toFixed(1)} MiB; the validated listing follows`,
  });
  report({
    name: `${RUNS} runs: reopen from the validated cache`,
    value: reopenIndex.medianMs,
    unit: 'ms',
    baseline: { name: 'first index', value: firstIndex.medianMs },
    target: { value: 100, comparison: '<=' },
    note: `${reused} stores reused; p95 ${reopenIndex.p95Ms.toFixed(0)} ms; every folder and present input file stat-checked`,
  });
});
