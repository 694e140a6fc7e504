// How cost grows with the work (issue 17): `npm run bench -- scaling`. Four curves, each with a
// baseline measured in the same run, printed as a table with the cost per unit and the growth
// exponent between sizes, and drawn log-log in bench/results/scaling-<curve>.svg:
//  - `mlc status --json` (a fresh process, warm, nothing changed) vs dependency files of one stage:
//    1k, 10k, 100k (and 1M with MLC_BENCH_FULL=1); baseline a Node process that lists and stats
//    the same tree. Peak RSS of each process (`mlc status` on the largest tree is the memory figure);
//  - `mlc status --json` and the up-to-date `mlc run` vs stages (10 to 10,000, a chain); baseline
//    `make -q -r` on the same graph (-r: no built-in implicit rules to search for every file);
//  - the run index vs runs (100 to 10,000 Lightning folders; 100,000 with MLC_BENCH_FULL=1, which
//    alone takes minutes on 2 cores): first index and reopen from the validated cache, in-process;
//    baseline a raw read of every file. Peak RSS of `mlc runs --json` indexing each set in its own
//    process;
//  - chart downsampling (min/max/first/last to 2,000 points) vs points (10k to 10M); baseline one
//    min/max pass over the values.
// The growth records' target is "linear or better": the largest local exponent <= 1.15 (noise
// allowance); a super-linear step is a bug to fix.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildLockEntry } from '../src/engine/lock/recordStageSuccess';
import type { StageLockEntry } from '../src/engine/lock/model';
import { serializeLockFile } from '../src/engine/lock/serializeLockEntry';
import { loadWorkspace } from '../src/engine/pipeline/loadWorkspace';
import { downsampleSeries } from '../src/engine/series/downsampleSeries';
import { createContentHasher } from '../src/node/hashing/createContentHasher';
import { nodeFileSystem } from '../src/node/nodeFileSystem';
import { RACY_WINDOW_MS } from '../src/engine/racyWindow';
import { createRunIndexService } from '../src/node/runIndex/createRunIndexService';
import { loadRunIndexCache, runIndexCachePath } from '../src/node/runIndex/runIndexCache';
import { inputFingerprints } from '../src/engine/runIndex/storeInputs';
import { bundleCli } from './support/bundleCli';
import { logLogSvg } from './support/logLogSvg';
import { readEverything } from './support/readEverything';
import { measure } from './support/measure';
import { writeLightningRuns } from './support/lightningRuns';
import { runBench, type BenchContext } from './support/runBench';
import { minPlusMax, randomWalkSeries } from './support/seriesFixtures';
import { type CurvePoint, formatCurveTable, formatPerUnit, growthExponents } from './support/scalingCurve';

const FULL = process.env.MLC_BENCH_FULL === '1';
/** SCALING_BENCH_CAP=10000 for a quick look: every curve stops at that size. */
const CAP = Number(process.env.SCALING_BENCH_CAP ?? Number.POSITIVE_INFINITY);
/**
 * SCALING_BENCH_CURVES=run-index (comma-separated prefixes of curve ids) measures only those curves,
 * e.g. the run index's two curves in a few minutes.
 */
const CURVES = (process.env.SCALING_BENCH_CURVES ?? '').split(',').filter((name) => name.length > 0);
const wanted = (...ids: string[]) =>
  CURVES.length === 0 || ids.some((id) => CURVES.some((prefix) => id.startsWith(prefix)));
const upToCap = (sizes: readonly number[]) => {
  const kept = sizes.filter((size) => size <= CAP);
  return kept.length >= 2 ? kept : sizes.slice(0, 2);
};
const FILE_SIZES = upToCap(FULL ? [1_000, 10_000, 100_000, 1_000_000] : [1_000, 10_000, 100_000]);
const STAGE_SIZES = upToCap([10, 100, 1_000, 10_000]);
/** SCALING_BENCH_RUNS=1000,10000,30000 picks the run index curves' sizes (the memory growth). */
const RUN_SIZES = process.env.SCALING_BENCH_RUNS
  ? process.env.SCALING_BENCH_RUNS.split(',').map(Number)
  : upToCap(FULL ? [100, 1_000, 10_000, 100_000] : [100, 1_000, 10_000]);
const POINT_SIZES = upToCap([10_000, 100_000, 1_000_000, 10_000_000]);
/** Local growth exponent allowed before a curve counts as super-linear (timing noise on 2 shared cores). */
const LINEAR_ENOUGH = 1.15;

const resultsFolder = resolve(__dirname, 'results');

/** Writes at exit, to stderr, the peak RSS of the process it is preloaded into (`node -r`). */
const PEAK_RSS_PRELOAD = `process.on('exit', () => require('node:fs').writeSync(2, '\\nMLC_PEAK_RSS_KB ' + process.resourceUsage().maxRSS + '\\n'));\n`;

/** Lists and stats every file under a folder: the floor of any status of that tree, as a process. */
const STAT_TREE_SCRIPT = `const fs = require('node:fs'); const path = require('node:path'); let count = 0;
const walk = (folder) => { for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
  const child = path.join(folder, entry.name); if (entry.isDirectory()) walk(child); else { fs.statSync(child); count++; } } };
walk(process.argv[1]); process.stdout.write(String(count));`;

interface Curve {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly ours: string;
  readonly baseline: string;
  readonly points: readonly CurvePoint[];
}

interface ProcessRun {
  readonly stdout: string;
  readonly peakRssMb: number;
}

void runBench('scaling', async (context) => {
  const { tempDir, log } = context;
  const tools = tempDir('scaling-cli');
  log('bundling the CLI');
  const cliPath = await bundleCli(tools);
  const preload = join(tools, 'peak-rss.cjs');
  writeFileSync(preload, PEAK_RSS_PRELOAD);

  /** One process with the peak-RSS preload; throws on a non-zero exit unless allowed. */
  const spawnMeasured = (args: readonly string[], cwd: string, okCodes: readonly number[] = [0]): ProcessRun => {
    const result = spawnSync(process.execPath, ['-r', preload, ...args], {
      cwd,
      encoding: 'utf8',
      maxBuffer: 256 << 20,
    });
    if (!okCodes.includes(result.status ?? -1))
      throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    const rss = /MLC_PEAK_RSS_KB (\d+)/.exec(result.stderr);
    return { stdout: result.stdout, peakRssMb: rss ? Number(rss[1]) / 1024 : Number.NaN };
  };
  const mlc = (cwd: string, ...args: string[]) => spawnMeasured([cliPath, ...args], cwd);
  const nodeIdle = spawnMeasured(['-e', '0'], tools);
  log(`node -e 0: peak RSS ${nodeIdle.peakRssMb.toFixed(0)} MB`);

  const curves: Curve[] = [];
  if (wanted('status-files')) curves.push(await statusVersusFiles(context, mlc, spawnMeasured, cliPath));
  if (wanted('status-stages', 'run-stages')) curves.push(...(await statusAndRunVersusStages(context, mlc)));
  /** mlc with V8's old space capped: the process dies (and the bench with it) if its heap outgrows the cap. */
  const mlcInHeap: MlcInHeap = (oldSpaceMb, cwd, ...args) =>
    spawnMeasured([`--max-old-space-size=${oldSpaceMb}`, cliPath, ...args], cwd);
  if (wanted('run-index-first', 'run-index-reopen'))
    curves.push(...(await runIndexVersusRuns(context, mlc, mlcInHeap)));
  if (wanted('downsample-points')) curves.push(await downsampleVersusPoints(context));

  mkdirSync(resultsFolder, { recursive: true });
  for (const curve of curves) reportCurve(context, curve, nodeIdle.peakRssMb);
  log(`curves drawn in ${resultsFolder}/scaling-*.svg`);
});

/** Prints the curve's table, reports its largest point and its growth, and draws its SVG. */
function reportCurve({ report }: BenchContext, curve: Curve, idleRssMb: number): void {
  process.stdout.write(`\n${formatCurveTable(curve.title, curve.unit, curve.baseline, curve.points)}\n\n`);
  const largest = curve.points.at(-1)!;
  const exponents = growthExponents(curve.points.map((point) => ({ x: point.size, y: point.ms })));
  report({
    name: `${curve.title}: ${largest.size.toLocaleString('en-US')} ${curve.unit}s`,
    value: largest.ms,
    unit: 'ms',
    ...(largest.baselineMs === undefined ? {} : { baseline: { name: curve.baseline, value: largest.baselineMs } }),
    note: `${formatPerUnit(largest.ms, largest.size, curve.unit)}`,
  });
  report({
    name: `${curve.title}: growth exponent (largest step)`,
    value: Math.max(...exponents),
    unit: 'n^x',
    target: { value: LINEAR_ENOUGH, comparison: '<=' },
    note: `steps ${exponents.map((exponent) => exponent.toFixed(2)).join(', ')} (1 = linear)`,
  });
  if (largest.peakRssMb !== undefined) {
    report({
      name: `${curve.title}: peak RSS, ${largest.size.toLocaleString('en-US')} ${curve.unit}s`,
      value: largest.peakRssMb,
      unit: 'MB',
      baseline: { name: 'node -e 0', value: idleRssMb },
      note: `${curve.points.map((point) => `${point.size.toLocaleString('en-US')}: ${point.peakRssMb?.toFixed(0)} MB`).join(', ')}`,
    });
  }
  const series = [
    { name: curve.ours, points: curve.points.map((point) => ({ x: point.size, y: point.ms })) },
    {
      name: curve.baseline,
      dashed: true,
      points: curve.points.flatMap((point) =>
        point.baselineMs === undefined ? [] : [{ x: point.size, y: point.baselineMs }],
      ),
    },
  ];
  writeFileSync(
    join(resultsFolder, `scaling-${curve.id}.svg`),
    logLogSvg({ title: curve.title, xLabel: `${curve.unit}s`, yLabel: 'ms (median)', series }),
  );
}

/**
 * Hashes every stage's deps and outs (as a successful run would) and writes dvc.lock and the hash
 * cache, once the files just written are past the racy window (before it their hashes are not
 * kept, and a user's status comes later than that).
 */
async function recordLocks(root: string): Promise<void> {
  await new Promise((resolveWait) => setTimeout(resolveWait, RACY_WINDOW_MS + 100));
  const workspace = loadWorkspace(nodeFileSystem, root);
  const hasher = createContentHasher({ workspaceRoot: root, workers: 0 });
  try {
    const entries = new Map<string, StageLockEntry>();
    for (const stage of workspace.graph.stages)
      entries.set(stage.name, await buildLockEntry(stage, { fs: nodeFileSystem, hasher }));
    writeFileSync(join(root, 'dvc.lock'), serializeLockFile(entries));
    await hasher.flush();
  } finally {
    hasher.dispose();
  }
}

function assertUpToDate(statusJson: string, stages: number): void {
  const listed = (JSON.parse(statusJson) as { stages: Array<{ state: string }> }).stages;
  const upToDate = listed.filter((stage) => stage.state === 'up-to-date').length;
  if (upToDate !== stages) throw new Error(`${upToDate} of ${stages} stages up to date`);
}

type Mlc = (cwd: string, ...args: string[]) => ProcessRun;
type MlcInHeap = (oldSpaceMb: number, cwd: string, ...args: string[]) => ProcessRun;
type SpawnMeasured = (args: readonly string[], cwd: string, okCodes?: readonly number[]) => ProcessRun;

/** Median time and the largest peak RSS of a few processes. */
async function timeProcesses(run: () => ProcessRun, iterations: number): Promise<{ ms: number; peakRssMb: number }> {
  let peakRssMb = 0;
  const timing = await measure(
    () => {
      peakRssMb = Math.max(peakRssMb, run().peakRssMb);
    },
    { warmup: 1, iterations },
  );
  return { ms: timing.medianMs, peakRssMb };
}

/** The V8 old space (MB) `mlc status` on the largest tree must fit in: far below its files' names. */
const BOUNDED_OLD_SPACE_MB = 32;

async function statusVersusFiles(
  { tempDir, log, report }: BenchContext,
  mlc: Mlc,
  spawnMeasured: SpawnMeasured,
  cliPath: string,
): Promise<Curve> {
  const points: CurvePoint[] = [];
  let largestRoot = '';
  for (const files of FILE_SIZES) {
    const root = tempDir(`scaling-files-${files}`);
    log(`status vs files: writing ${files.toLocaleString('en-US')} dependency files`);
    const perFolder = 1000;
    for (let folder = 0; folder * perFolder < files; folder++) {
      const path = join(root, 'data', `part${String(folder).padStart(4, '0')}`);
      mkdirSync(path, { recursive: true });
      for (let index = 0; index < perFolder && folder * perFolder + index < files; index++)
        writeFileSync(join(path, `row${index}.csv`), `${folder},${index}\n`);
    }
    // An out beside the folder, as a real stage has: its hash comes from hashes.tsv, which must not
    // hold (or load) the folder's files.
    writeFileSync(join(root, 'summary.txt'), 'rows\n');
    writeFileSync(
      join(root, 'dvc.yaml'),
      'stages:\n  consume:\n    cmd: python consume.py\n    deps: [data]\n    outs: [summary.txt]\n',
    );
    const recording = performance.now();
    await recordLocks(root);
    log(`  hashed and recorded in ${((performance.now() - recording) / 1000).toFixed(1)} s`);
    assertUpToDate(mlc(root, 'status', '--json').stdout, 1);
    const iterations = files >= 1_000_000 ? 2 : 3;
    const ours = await timeProcesses(() => mlc(root, 'status', '--json'), iterations);
    const baseline = await timeProcesses(
      () => spawnMeasured(['-e', STAT_TREE_SCRIPT, join(root, 'data')], root),
      iterations,
    );
    log(
      `  mlc status ${ours.ms.toFixed(0)} ms (peak RSS ${ours.peakRssMb.toFixed(0)} MB), stat tree ${baseline.ms.toFixed(0)} ms`,
    );
    points.push({ size: files, ms: ours.ms, baselineMs: baseline.ms, peakRssMb: ours.peakRssMb });
    if (files === FILE_SIZES.at(-1)) largestRoot = root;
  }
  // Peak RSS counts garbage not yet collected; what status keeps is bounded if it runs at all in a
  // V8 old space far smaller than the names of the files it stat-ed.
  const boundedHeap = spawnSync(
    process.execPath,
    [`--max-old-space-size=${BOUNDED_OLD_SPACE_MB}`, cliPath, 'status', '--json'],
    { cwd: largestRoot, encoding: 'utf8', maxBuffer: 256 << 20 },
  );
  const ranBounded = boundedHeap.status === 0;
  log(
    `  mlc status in a ${BOUNDED_OLD_SPACE_MB} MB old space on ${FILE_SIZES.at(-1)!.toLocaleString('en-US')} files: ${ranBounded ? 'ran' : `failed (${boundedHeap.stderr.split('\n').find((line) => line.includes('FATAL')) ?? boundedHeap.status})`}`,
  );
  report({
    name: `mlc status vs dependency files: runs in a ${BOUNDED_OLD_SPACE_MB} MB V8 old space, ${FILE_SIZES.at(-1)!.toLocaleString('en-US')} files`,
    value: ranBounded ? 1 : 0,
    unit: 'yes',
    target: { value: 1, comparison: '>=' },
    note: 'nothing kept per file: the memory a status keeps does not grow with the files',
  });
  return {
    id: 'status-files',
    title: 'mlc status vs dependency files',
    unit: 'file',
    ours: 'mlc status --json (process)',
    baseline: 'node readdir + stat (process)',
    points,
  };
}

async function statusAndRunVersusStages({ tempDir, log }: BenchContext, mlc: Mlc): Promise<Curve[]> {
  const statusPoints: CurvePoint[] = [];
  const runPoints: CurvePoint[] = [];
  for (const stages of STAGE_SIZES) {
    const root = tempDir(`scaling-stages-${stages}`);
    log(`status and run vs stages: writing a ${stages.toLocaleString('en-US')}-stage chain`);
    mkdirSync(join(root, 'in'));
    mkdirSync(join(root, 'out'));
    const pipeline = ['stages:'];
    const makefile = [`all: ${Array.from({ length: stages }, (_, index) => `out/${index}.txt`).join(' ')}`];
    // Outputs are written after their inputs and a second later in mtime, so make sees them current.
    const inputTime = new Date(Date.now() - 60_000);
    const outputTime = new Date(Date.now() - 30_000);
    for (let index = 0; index < stages; index++) {
      writeFileSync(join(root, 'in', `${index}.txt`), `input ${index}\n`);
      utimesSync(join(root, 'in', `${index}.txt`), inputTime, inputTime);
      writeFileSync(join(root, 'out', `${index}.txt`), `output ${index}\n`);
      utimesSync(join(root, 'out', `${index}.txt`), outputTime, outputTime);
      const deps = index === 0 ? [`in/${index}.txt`] : [`in/${index}.txt`, `out/${index - 1}.txt`];
      pipeline.push(
        `  s${index}:`,
        `    cmd: cp in/${index}.txt out/${index}.txt`,
        `    deps: [${deps.join(', ')}]`,
        `    params: [k${index % 10}]`,
        `    outs: [out/${index}.txt]`,
      );
      makefile.push(`out/${index}.txt: ${deps.join(' ')}`, `\tcp in/${index}.txt out/${index}.txt`);
    }
    writeFileSync(join(root, 'dvc.yaml'), `${pipeline.join('\n')}\n`);
    writeFileSync(
      join(root, 'params.yaml'),
      Array.from({ length: 10 }, (_, index) => `k${index}: ${index}\n`).join(''),
    );
    writeFileSync(join(root, 'Makefile'), `${makefile.join('\n')}\n`);
    await recordLocks(root);
    assertUpToDate(mlc(root, 'status', '--json').stdout, stages);
    const iterations = stages >= 10_000 ? 2 : 3;
    const make = await measure(
      () => {
        const result = spawnSync('make', ['-q', '-r'], { cwd: root });
        if (result.status !== 0) throw new Error(`make -q -r: the graph is not up to date (${result.status})`);
      },
      { warmup: 1, iterations },
    );
    const status = await timeProcesses(() => mlc(root, 'status', '--json'), iterations);
    const run = await timeProcesses(() => mlc(root, 'run', '--json'), iterations);
    log(
      `  status ${status.ms.toFixed(0)} ms, up-to-date run ${run.ms.toFixed(0)} ms, make -q ${make.medianMs.toFixed(0)} ms`,
    );
    statusPoints.push({ size: stages, ms: status.ms, baselineMs: make.medianMs, peakRssMb: status.peakRssMb });
    runPoints.push({ size: stages, ms: run.ms, baselineMs: make.medianMs, peakRssMb: run.peakRssMb });
  }
  const common = { unit: 'stage', baseline: 'make -q -r (process)' };
  return [
    {
      ...common,
      id: 'status-stages',
      title: 'mlc status vs stages',
      ours: 'mlc status --json (process)',
      points: statusPoints,
    },
    {
      ...common,
      id: 'run-stages',
      title: 'up-to-date mlc run vs stages',
      ours: 'mlc run --json (process)',
      points: runPoints,
    },
  ];
}

/**
 * A full collection before each measured index (the bench runs with --expose-gc): the garbage of
 * the previous build or size is not this one's cost. Without it the 30,000-run reopen's median
 * caught 400+ ms of collecting earlier garbage (60 collections against 14 when settled) and the
 * curve showed a super-linear step that a settled reopen does not have.
 */
function collectEarlierGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * The old space `mlc runs --limit 1` must list in at every size, first and reopened: what it keeps
 * does not grow with the runs (streamRunIndex.ts), so a cap the smallest size fits is enough for
 * 100,000 runs. A process that outgrows it dies, and the bench fails.
 */
const RUNS_LISTING_OLD_SPACE_MB = 24;

async function runIndexVersusRuns(
  { tempDir, random, log, report }: BenchContext,
  mlc: Mlc,
  mlcInHeap: MlcInHeap,
): Promise<Curve[]> {
  const generator = random();
  const statFloors: { runs: number; ms: number; paths: number; reopenMs: number; readFloorMs: number }[] = [];
  const firstPoints: CurvePoint[] = [];
  const reopenPoints: CurvePoint[] = [];
  const cappedRuns: { runs: number; firstMb: number; reopenMb: number }[] = [];
  for (const runs of RUN_SIZES) {
    const root = tempDir(`scaling-runs-${runs}`);
    log(`run index vs runs: writing ${runs.toLocaleString('en-US')} Lightning run folders`);
    writeLightningRuns(root, runs, generator);
    // An hour old, as finished runs are: `mlc runs` (the default staleAfterMs of 5 minutes) would
    // take younger runs for running ones, and a running run's store is read again on every open.
    backdateTree(root, Date.now() - 3_600_000);
    // The CLI keeps its cache only where .mlc/ exists (openRunIndex).
    mkdirSync(join(root, '.mlc'));
    const iterations = runs >= 100_000 ? 1 : 3;
    const listAll = async (options: { revalidate?: boolean } = {}) => {
      const service = createRunIndexService({ workspaceRoot: root, staleAfterMs: 0 });
      try {
        const listed = (await service.listRuns({}, options)).runs.length;
        if (listed !== runs) throw new Error(`indexed ${listed} of ${runs} runs`);
      } finally {
        service.dispose();
      }
    };
    const cacheFolder = join(root, '.mlc', 'cache');
    const first = await measure(() => listAll(), {
      warmup: runs >= 100_000 ? 0 : 1,
      iterations,
      beforeEach: () => {
        spawnSync('rm', ['-rf', cacheFolder]);
        collectEarlierGarbage();
      },
    });
    // Files younger than an mtime tick are read again on every open (RACY_WINDOW_MS): let the
    // tick pass, then two opens create .mlc/ and settle the root folder's mtime; then reopening
    // is measured.
    await new Promise((resolveWait) => setTimeout(resolveWait, RACY_WINDOW_MS));
    await listAll();
    await listAll();
    const reopen = await measure(() => listAll(), { warmup: 1, iterations: 3, beforeEach: collectEarlierGarbage });
    const raw = await measure(() => readEverything(root), { warmup: 1, iterations: runs >= 100_000 ? 1 : 3 });
    // The floor of any validated reopen: one stat of every folder and every present file the
    // index was read from (a file's content can change without its folder's mtime moving).
    const checked = pathsAReopenStats(root);
    const statFloor = await measure(() => checked.forEach((path) => statSync(path, { throwIfNoEntry: false })), {
      warmup: 1,
      iterations: 3,
    });
    // The floor of any reader of this cache that validates it: those stats, plus reading the cache
    // file and JSON.parse of each of its lines, the parsed values kept until all are read (as a
    // reopen keeps its index: what survives the scavenges is part of the cost).
    const cachePath = runIndexCachePath(root);
    const readFloor = await measure(
      () => {
        checked.forEach((path) => statSync(path, { throwIfNoEntry: false }));
        return parseEveryLine(cachePath).length;
      },
      { warmup: 1, iterations: 3, beforeEach: collectEarlierGarbage },
    );
    statFloors.push({
      runs,
      ms: statFloor.medianMs,
      paths: checked.length,
      reopenMs: reopen.medianMs,
      readFloorMs: readFloor.medianMs,
    });
    // The same index in its own process, for its peak RSS: first (no cache), then reopened (after
    // a second process, as above: writing the cache changes .mlc/ once).
    spawnSync('rm', ['-rf', cacheFolder]);
    const firstProcess = mlc(root, 'runs', '--json', '--limit', '1');
    mlc(root, 'runs', '--json', '--limit', '1');
    const reopenProcess = mlc(root, 'runs', '--json', '--limit', '1');
    if (!/"id"/.test(reopenProcess.stdout)) throw new Error(`mlc runs listed nothing: ${reopenProcess.stdout}`);
    spawnSync('rm', ['-rf', cacheFolder]);
    const cappedFirst = mlcInHeap(RUNS_LISTING_OLD_SPACE_MB, root, 'runs', '--json', '--limit', '1');
    const cappedReopen = mlcInHeap(RUNS_LISTING_OLD_SPACE_MB, root, 'runs', '--json', '--limit', '1');
    if (cappedReopen.stdout !== reopenProcess.stdout) throw new Error('mlc runs answered otherwise in a capped heap');
    cappedRuns.push({ runs, firstMb: cappedFirst.peakRssMb, reopenMb: cappedReopen.peakRssMb });
    log(
      `  first ${first.medianMs.toFixed(0)} ms, reopen ${reopen.medianMs.toFixed(0)} ms, raw read ${raw.medianMs.toFixed(0)} ms, ` +
        `stat of the ${checked.length.toLocaleString('en-US')} paths a reopen checks ${statFloor.medianMs.toFixed(0)} ms, ` +
        `those stats + reading and JSON.parse of the cache ${readFloor.medianMs.toFixed(0)} ms; ` +
        `mlc runs peak RSS ${firstProcess.peakRssMb.toFixed(0)} MB first, ${reopenProcess.peakRssMb.toFixed(0)} MB reopened`,
    );
    firstPoints.push({ size: runs, ms: first.medianMs, baselineMs: raw.medianMs, peakRssMb: firstProcess.peakRssMb });
    reopenPoints.push({
      size: runs,
      ms: reopen.medianMs,
      baselineMs: raw.medianMs,
      peakRssMb: reopenProcess.peakRssMb,
    });
  }
  const largestCapped = cappedRuns.at(-1)!;
  report({
    name: `run index vs runs: mlc runs --limit 1 in a ${RUNS_LISTING_OLD_SPACE_MB} MB old space, ${largestCapped.runs.toLocaleString('en-US')} runs (peak RSS, reopened)`,
    value: largestCapped.reopenMb,
    unit: 'MB',
    note: `listed at every size, first and reopened: ${cappedRuns
      .map(
        (point) => `${point.runs.toLocaleString('en-US')}: ${point.firstMb.toFixed(0)}/${point.reopenMb.toFixed(0)} MB`,
      )
      .join(', ')}`,
  });
  const largestFloor = statFloors.at(-1)!;
  report({
    name: `run index vs runs: reopen vs its stat floor, ${largestFloor.runs.toLocaleString('en-US')} runs`,
    value: largestFloor.reopenMs,
    unit: 'ms',
    baseline: {
      name: `statSync of the ${largestFloor.paths.toLocaleString('en-US')} paths checked`,
      value: largestFloor.ms,
    },
    note: statFloors
      .map((floor) => `${floor.runs.toLocaleString('en-US')}: ${(floor.reopenMs / floor.ms).toFixed(2)}x`)
      .join(', '),
  });
  report({
    name: `run index vs runs: reopen vs its read floor, ${largestFloor.runs.toLocaleString('en-US')} runs`,
    value: largestFloor.reopenMs,
    unit: 'ms',
    baseline: {
      name: `statSync of the ${largestFloor.paths.toLocaleString('en-US')} paths + read and JSON.parse of the cache`,
      value: largestFloor.readFloorMs,
    },
    note: statFloors
      .map((floor) => `${floor.runs.toLocaleString('en-US')}: ${(floor.reopenMs / floor.readFloorMs).toFixed(2)}x`)
      .join(', '),
  });
  const common = { unit: 'run', baseline: 'raw sync read of every file' };
  return [
    {
      ...common,
      id: 'run-index-first',
      title: 'run index vs runs: first index',
      ours: 'first index (in-process)',
      points: firstPoints,
    },
    {
      ...common,
      id: 'run-index-reopen',
      title: 'run index vs runs: reopen',
      ours: 'reopen, validated (in-process)',
      points: reopenPoints,
    },
  ];
}

async function downsampleVersusPoints({ random, log }: BenchContext): Promise<Curve> {
  const generator = random();
  const points: CurvePoint[] = [];
  for (const size of POINT_SIZES) {
    log(`downsampling vs points: ${size.toLocaleString('en-US')}`);
    const series = randomWalkSeries(generator, size);
    const iterations = size >= 10_000_000 ? 5 : 20;
    const ours = await measure(() => downsampleSeries(series, { maxPoints: 2000 }), { warmup: 2, iterations });
    let sink = 0;
    const baseline = await measure(() => (sink += minPlusMax(series.values)), { warmup: 2, iterations });
    if (Number.isNaN(sink)) throw new Error('the baseline pass read NaN');
    points.push({ size, ms: ours.medianMs, baselineMs: baseline.medianMs });
  }
  return {
    id: 'downsample-points',
    title: 'chart downsampling vs points',
    unit: 'point',
    ours: 'downsampleSeries to 2,000',
    baseline: 'one min/max pass',
    points,
  };
}

/** Sets the mtime of every file and folder under `folder` (and its own) to `time`. */
function backdateTree(folder: string, time: number): void {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) backdateTree(path, time);
    else utimesSync(path, time / 1000, time / 1000);
  }
  utimesSync(folder, time / 1000, time / 1000);
}

/** Every folder of the cached index and every present file its stores were read from, once. */
function pathsAReopenStats(root: string): string[] {
  const snapshot = loadRunIndexCache(runIndexCachePath(root));
  if (!snapshot) throw new Error(`no run index cache in ${root}`);
  const paths = new Set(Object.keys(snapshot.folders));
  for (const store of snapshot.stores)
    for (const input of inputFingerprints(store.inputs)) if (input.kind !== 'absent') paths.add(input.path);
  return [...paths];
}

/** Every line of a cache file, JSON.parse-d and kept: what any reader of the cache must do. */
function parseEveryLine(path: string): unknown[] {
  const parsed: unknown[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) if (line.length > 0) parsed.push(JSON.parse(line));
  return parsed;
}
