import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { RUN_INDEX_VERSION } from '../../../../src/engine/runIndex/runIndexModel';
import type { Clock } from '../../../../src/engine/ports';
import type { RunReader, RunSummary } from '../../../../src/engine/runs/model';
import { createRunIndexService, REREAD_INTERVAL_MS } from '../../../../src/node/runIndex/createRunIndexService';
import { deserializeRunIndex, loadRunIndexCache, serializeRunIndex } from '../../../../src/node/runIndex/runIndexCache';
import { kerasCsvLog, lightningMetricsCsv } from '../../../support/csvLoggerWriter';
import { dvcliveFiles } from '../../../support/dvcliveWriter';
import { scalarEvents, writeEventFile } from '../../../support/tfeventsWriter';
import { makeTempDir } from '../../../support/tempDir';

function makeWorkspace(files: Record<string, string | Uint8Array>): string {
  const root = makeTempDir('mlc-run-index-');
  for (const [relative, data] of Object.entries(files)) {
    const path = join(root, relative);
    fs.mkdirSync(dirname(path), { recursive: true });
    fs.writeFileSync(path, data);
  }
  return root;
}

/**
 * For the tests that reopen files they have just written or backdated (utimes sets the mtime, but
 * moves the ctime to now): a service whose builds start 10 s from now counts them as settled,
 * as one running long after the writes does (the racy rule, statCanVouch).
 */
const tenSecondsLater: Clock = { now: () => Date.now() + 10_000 };

/** How a listing meets the index: held in memory (the extension, most commands), or streamed (`mlc runs`). */
type ListingMode = 'held' | 'streamed';
const LISTING_MODES: readonly ListingMode[] = ['held', 'streamed'];
const modeName = (mode: ListingMode) => (mode === 'held' ? 'index held in memory' : 'streamed, as mlc runs lists');

const prefixed = (prefix: string, files: Record<string, string>) =>
  Object.fromEntries(Object.entries(files).map(([path, text]) => [`${prefix}${path}`, text]));

test('the index is cached under .mlc/cache, reopened without re-reading, and picks up new and changed runs', async () => {
  const root = makeWorkspace({
    'a/training.log': kerasCsvLog([
      { epoch: 0, loss: 1 },
      { epoch: 1, loss: Number.NaN },
    ]),
    ...prefixed('', dvcliveFiles({ folder: 'exp/dvclive', series: { loss: [{ step: 0, value: 0.5 }] } })),
  });
  // Files written a moment ago are trusted at once here; the mtime tick has its own tests below.
  const first = createRunIndexService({ workspaceRoot: root, staleAfterMs: 0, racyWindowMs: 0 });
  const listed = await first.listRuns();
  // Writing the first cache creates .mlc/ in the root, which changes the root folder once.
  await first.listRuns();
  first.dispose();
  assert.deepEqual(listed.runs.map((run) => run.id).sort(), ['csv:a/training.log', 'dvclive:exp/dvclive']);
  const cached = loadRunIndexCache(join(root, '.mlc', 'cache', 'run-index.jsonl'));
  assert.ok(cached);
  assert.ok(
    Number.isNaN(cached.stores.flatMap((store) => store.runs).find((run) => run.source === 'csv')!.metrics.loss),
  );

  const reopened = createRunIndexService({ workspaceRoot: root, staleAfterMs: 0, racyWindowMs: 0 });
  const again = await reopened.listRuns();
  assert.equal(again.stats.storesReused, again.stats.stores);
  assert.equal(again.stats.foldersReused, again.stats.folders);

  fs.mkdirSync(join(root, 'b'));
  fs.writeFileSync(join(root, 'b', 'history.csv'), 'epoch,acc\n0,0.5\n');
  fs.appendFileSync(join(root, 'a', 'training.log'), '2,0.25\r\n');
  const fromCache = createRunIndexService({ workspaceRoot: root, staleAfterMs: 0, racyWindowMs: 0 });
  const unvalidated = await fromCache.listRuns({}, { revalidate: false });
  fromCache.dispose();
  assert.ok(
    Number.isNaN(unvalidated.runs.find((run) => run.id === 'csv:a/training.log')!.metrics.loss),
    'answered from the cache as it was',
  );
  const changed = await reopened.listRuns();
  reopened.dispose();
  assert.deepEqual(changed.runs.map((run) => run.id).sort(), [
    'csv:a/training.log',
    'csv:b/history.csv',
    'dvclive:exp/dvclive',
  ]);
  assert.equal(changed.runs.find((run) => run.id === 'csv:a/training.log')!.metrics.loss, 0.25);
  assert.equal(changed.stats.storesReused, changed.stats.stores - 2, 'only the changed and the new store are read');
});

test('bad files give located problems on their own run and never stop the others', async () => {
  const root = makeWorkspace({
    'good/training.log': kerasCsvLog([{ epoch: 0, loss: 1 }]),
    'junk/events.out.tfevents.1.host': new Uint8Array(
      Array.from({ length: 500 }, (_value, index) => (index * 37) & 0xff),
    ),
    'yaml/lightning_logs/version_0/metrics.csv': lightningMetricsCsv([{ step: 1, loss: 2 }]),
    'yaml/lightning_logs/version_0/hparams.yaml': 'lr: [0.1\n  bad: : :\n',
    'big/dvclive/metrics.json': '{"loss": 3}\n',
    'big/dvclive/plots/metrics/loss.tsv': 'step\tloss\n0\t3\n',
  });
  // A 2 GB metric file (sparse: no disk used) must never be read whole.
  const huge = join(root, 'big', 'dvclive', 'plots', 'metrics', 'huge.tsv');
  fs.writeFileSync(huge, 'step\thuge\n0\t1\n');
  fs.truncateSync(huge, 2 * 1024 ** 3);
  fs.symlinkSync(root, join(root, 'good', 'loop'));
  fs.symlinkSync(join(root, 'big', 'dvclive', 'plots'), join(root, 'big', 'dvclive', 'plots', 'metrics', 'again'));
  const service = createRunIndexService({ workspaceRoot: root, cachePath: false, staleAfterMs: 0 });
  const started = performance.now();
  const { runs, problems } = await service.listRuns();
  const elapsed = performance.now() - started;
  service.dispose();
  const byId = new Map(runs.map((run) => [run.id, run]));
  assert.deepEqual([...byId.keys()].sort(), [
    'csv:good/training.log',
    'csv:yaml/lightning_logs/version_0',
    'dvclive:big/dvclive',
  ]);
  assert.equal(byId.get('csv:good/training.log')!.metrics.loss, 1);
  // Junk with no valid event is not a run (TensorBoard ignores it); the index says why.
  for (const code of ['tfrecordLengthCrcMismatch', 'tensorboardNoEvents']) {
    assert.ok(
      problems.some((problem) => problem.code === code && problem.file.endsWith('events.out.tfevents.1.host')),
      code,
    );
  }
  const yaml = byId.get('csv:yaml/lightning_logs/version_0')!;
  assert.equal(yaml.metrics.loss, 2);
  assert.ok(yaml.problems!.some((problem) => problem.code === 'paramsYamlInvalid' && problem.line >= 1));
  assert.equal(byId.get('dvclive:big/dvclive')!.metrics.loss, 3);
  assert.ok(elapsed < 5000, `listing took ${elapsed} ms: the 2 GB file must not be read whole`);
});

test('series are read incrementally between calls and downsampled on request', async () => {
  const root = makeWorkspace({
    'tb/events.out.tfevents.1.host': writeEventFile(
      scalarEvents(
        'loss',
        Array.from({ length: 1000 }, (_value, step) => ({ step, value: step === 500 ? 99 : 1 })),
      ),
    ),
  });
  const service = createRunIndexService({ workspaceRoot: root, cachePath: false });
  const full = await service.series('tensorboard:tb');
  assert.equal(full.series.loss!.steps.length, 1000);
  const reduced = await service.series('tensorboard:tb', ['loss'], 40);
  assert.ok(reduced.series.loss!.steps.length <= 40);
  assert.ok([...reduced.series.loss!.values].includes(99));
  fs.appendFileSync(
    join(root, 'tb', 'events.out.tfevents.1.host'),
    writeEventFile(scalarEvents('loss', [{ step: 1000, value: 5 }]), { withVersion: false }),
  );
  const grown = await service.series('tensorboard:tb');
  service.dispose();
  assert.equal(grown.series.loss!.steps.length, 1001);
  assert.equal(grown.series.loss!.values[1000], 5);
});

test('a zoom asks for the visible range only, downsampled over the chosen x column', async (t) => {
  const root = makeWorkspace({
    'tb/events.out.tfevents.1.host': writeEventFile(
      scalarEvents(
        'loss',
        Array.from({ length: 10_000 }, (_value, step) => ({ step, value: step === 5001 ? -7 : step % 10 })),
      ),
    ),
  });
  const service = createRunIndexService({ workspaceRoot: root, cachePath: false });
  t.after(() => service.dispose());
  const zoomed = (await service.series('tensorboard:tb', ['loss'], 400, { x: 'step', range: { min: 5000, max: 6000 } }))
    .series.loss!;
  const inside = [...zoomed.steps].filter((step) => step >= 5000 && step <= 6000);
  assert.ok(zoomed.steps.length <= 402, `at most maxPoints plus a neighbour on each side (${zoomed.steps.length})`);
  // Over the whole run, 400 points leave about 40 for this tenth of it; over the zoom, all of them.
  assert.ok(inside.length > 150, `the points are spent on the visible range (${inside.length})`);
  assert.equal(zoomed.steps[0], 4999, 'one neighbour before the range, so the line enters the chart');
  assert.ok([...zoomed.values].includes(-7), 'the dip inside the range survives');
  const exact = (await service.series('tensorboard:tb', ['loss'], 4000, { x: 'step', range: { min: 10, max: 20 } }))
    .series.loss!;
  assert.deepEqual([...exact.steps], [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21], 'few points: all of them');
});

test('a followed run arrives downsampled when its batch is longer than maxPoints, then in small batches', async (t) => {
  const file = 'tb/events.out.tfevents.1.host';
  const root = makeWorkspace({
    [file]: writeEventFile(
      scalarEvents(
        'loss',
        Array.from({ length: 5000 }, (_value, step) => ({ step, value: 1 })),
      ),
    ),
  });
  const service = createRunIndexService({ workspaceRoot: root, cachePath: false });
  t.after(() => service.dispose());
  const updates: { reset: boolean; length: number }[] = [];
  const subscription = await service.follow(
    'tensorboard:tb',
    undefined,
    (update) => updates.push({ reset: update.reset, length: update.series.loss?.steps.length ?? 0 }),
    400,
  );
  t.after(() => subscription.dispose());
  assert.equal(updates[0]!.reset, true);
  assert.ok(updates[0]!.length <= 400 && updates[0]!.length > 100, `downsampled first batch (${updates[0]!.length})`);
  fs.appendFileSync(
    join(root, file),
    writeEventFile(scalarEvents('loss', [{ step: 5000, value: 2 }]), { withVersion: false }),
  );
  const deadline = Date.now() + 30_000;
  while (updates.length < 2 && Date.now() < deadline) await new Promise((resume) => setTimeout(resume, 50));
  assert.deepEqual(updates[1], { reset: false, length: 1 }, 'an appended point arrives as it is');
});

// A reader without createTail, like mlc's own (metrics.jsonl is read whole).
const wholeFileReader: RunReader = {
  source: 'csv',
  watches: (relativePath) => relativePath.endsWith('points.txt'),
  detect: (folder, entries) => ({
    stores: entries.some((entry) => entry.name === 'points.txt') ? [{ source: 'csv', path: folder }] : [],
    descend: true,
  }),
  list: async (store) => ({
    runs: [
      { id: 'whole', source: 'csv', name: 'whole', status: 'running', params: {}, metrics: {}, location: store.path },
    ],
    problems: [],
  }),
  series: async (store, _runId, context) => {
    const values = context.fs.readText(join(store.path, 'points.txt')).trim().split('\n').map(Number);
    return {
      series: {
        loss: {
          steps: Float64Array.from(values, (_value, index) => index),
          values: Float64Array.from(values),
          timestamps: new Float64Array(values.length),
        },
      },
      problems: [],
    };
  },
};

test('a run whose reader cannot read incrementally is followed by reading it again after each change', async (t) => {
  const root = makeWorkspace({ 'run/points.txt': '1\n2\n' });
  const pointsFile = join(root, 'run', 'points.txt');
  const service = createRunIndexService({ workspaceRoot: root, cachePath: false, readers: [wholeFileReader] });
  t.after(() => service.dispose());
  const lengths: number[] = [];
  const subscription = await service.follow('whole', undefined, (update) => {
    assert.equal(update.reset, true, 'the whole series each time');
    lengths.push(update.series.loss!.steps.length);
  });
  t.after(() => subscription.dispose());
  assert.deepEqual(lengths, [2]);
  fs.appendFileSync(pointsFile, '3\n');
  const deadline = Date.now() + 30_000;
  while (lengths.length < 2 && Date.now() < deadline) await new Promise((resume) => setTimeout(resume, 50));
  assert.deepEqual(lengths, [2, 3]);
});

test('a run read again on each change is read at most every REREAD_INTERVAL_MS while it writes fast, and its last state arrives', async (t) => {
  const root = makeWorkspace({ 'run/points.txt': '0\n' });
  const pointsFile = join(root, 'run', 'points.txt');
  const service = createRunIndexService({ workspaceRoot: root, cachePath: false, readers: [wholeFileReader] });
  t.after(() => service.dispose());
  const lengths: number[] = [];
  const subscription = await service.follow('whole', undefined, (update) =>
    lengths.push(update.series.loss!.steps.length),
  );
  t.after(() => subscription.dispose());
  // A row every 5 ms for a second, as a stage writing its plot fast does.
  const started = Date.now();
  for (let row = 1; row <= 200; row++) {
    fs.appendFileSync(pointsFile, `${row}\n`);
    await new Promise((resume) => setTimeout(resume, 5));
  }
  const deadline = Date.now() + 30_000;
  while (lengths.at(-1) !== 201 && Date.now() < deadline) await new Promise((resume) => setTimeout(resume, 50));
  const elapsed = Date.now() - started;
  assert.equal(lengths.at(-1), 201, 'the last state arrives');
  // Not a timing assertion: whatever the machine's speed, reads start REREAD_INTERVAL_MS apart at
  // least, so the deliveries after the first are bounded by the time the test took.
  assert.ok(
    lengths.length - 1 <= Math.ceil(elapsed / REREAD_INTERVAL_MS) + 1,
    `${lengths.length - 1} deliveries in ${elapsed} ms`,
  );
});

test('the cache keeps NaN and infinities in metrics', () => {
  const snapshot = {
    version: RUN_INDEX_VERSION,
    root: '/ws',
    readersKey: 'csv#0',
    builtAt: 0,
    // A store is written after the folder whose visit listed it.
    folders: {
      '/ws/a': {
        mtimeMs: 1,
        ctimeMs: 1,
        ino: 1,
        subfolders: [],
        stores: [{ readerKey: 'csv#0', store: { source: 'csv' as const, path: '/ws/a' } }],
        descend: true,
      },
    },
    stores: [
      {
        readerKey: 'csv#0',
        store: { source: 'csv' as const, path: '/ws/a' },
        runs: [
          {
            id: 'csv:a',
            source: 'csv' as const,
            name: 'a',
            status: 'succeeded' as const,
            params: {},
            metrics: { a: Number.NaN, b: Infinity, c: -Infinity, d: 1 },
            location: '/ws/a',
          },
        ],
        problems: [],
        inputs: { present: [], stats: [], absent: [] },
        isLive: false,
      },
    ],
  };
  const restored = deserializeRunIndex(serializeRunIndex(snapshot))!;
  const metrics = restored.stores[0]!.runs[0]!.metrics;
  assert.ok(Number.isNaN(metrics.a));
  assert.equal(metrics.b, Infinity);
  assert.equal(metrics.c, -Infinity);
  assert.equal(metrics.d, 1);
  assert.equal(deserializeRunIndex('{"version": 0}'), undefined);
  assert.equal(deserializeRunIndex('not json'), undefined);
});

test('a long series is cached on disk for the next window and dropped once its file changes', async () => {
  const rows = Array.from({ length: 60_000 }, (_value, step) => `${step},${step / 2}`);
  const root = makeWorkspace({ 'v/metrics.csv': `step,loss\n${rows.join('\n')}\n`, '.mlc/keep': '' });
  const hourAgo = new Date(Date.now() - 3_600_000);
  fs.utimesSync(join(root, 'v', 'metrics.csv'), hourAgo, hourAgo);
  const first = createRunIndexService({ workspaceRoot: root, clock: tenSecondsLater });
  assert.equal((await first.series('csv:v')).series.loss!.steps.length, 60_000);
  first.dispose();
  const cached = fs.readdirSync(join(root, '.mlc', 'cache', 'series'));
  assert.equal(cached.length, 1);
  const reopened = createRunIndexService({ workspaceRoot: root, clock: tenSecondsLater });
  const fromCache = (await reopened.series('csv:v')).series.loss!;
  reopened.dispose();
  assert.equal(fromCache.steps.length, 60_000);
  assert.equal(fromCache.values[59_999], 29_999.5);
  fs.appendFileSync(join(root, 'v', 'metrics.csv'), '60000,1\n');
  const changed = createRunIndexService({ workspaceRoot: root, clock: tenSecondsLater });
  const reread = (await changed.series('csv:v')).series.loss!;
  changed.dispose();
  assert.equal(reread.steps.length, 60_001);
});

/** A CSV log of 60,000 rows (cached on disk when read), whose last value is `last` (same size for any digit). */
const longLog = (last: number) =>
  `step,loss\n${Array.from({ length: 60_000 }, (_value, step) => `${step},${step === 59_999 ? last : step / 2}`).join('\n')}\n`;

const seriesFiles = (root: string) => {
  const folder = join(root, '.mlc', 'cache', 'series');
  return fs.existsSync(folder) ? fs.readdirSync(folder) : [];
};

async function lastLoss(root: string, clock?: Clock): Promise<number> {
  // staleAfterMs 0: a file written just now is a finished run, whose long series is cached.
  const service = createRunIndexService({ workspaceRoot: root, staleAfterMs: 0, ...(clock ? { clock } : {}) });
  try {
    return (await service.series('csv:v')).series.loss!.values[59_999]!;
  } finally {
    service.dispose();
  }
}

test('a long series read within the racy window of its file is not cached: a same-size rewrite within the same tick is read', async () => {
  const root = makeWorkspace({ 'v/metrics.csv': longLog(1), '.mlc/keep': '' });
  const log = join(root, 'v', 'metrics.csv');
  // A whole-millisecond mtime of now, which utimes can set again exactly after the rewrite.
  const tick = new Date(Math.floor(Date.now()));
  fs.utimesSync(log, tick, tick);
  assert.equal(await lastLoss(root), 1);
  assert.deepEqual(seriesFiles(root), [], 'racy: used, not kept');
  fs.writeFileSync(log, longLog(7));
  fs.utimesSync(log, tick, tick);
  assert.equal(await lastLoss(root), 7);
});

test('a cached long series is dropped when its file is rewritten with the same size and its mtime put back (ctime moved)', async () => {
  const root = makeWorkspace({ 'v/metrics.csv': longLog(1), '.mlc/keep': '' });
  const log = join(root, 'v', 'metrics.csv');
  const tick = new Date(Math.floor(Date.now()) - 3_600_000);
  fs.utimesSync(log, tick, tick);
  assert.equal(await lastLoss(root, tenSecondsLater), 1);
  assert.equal(seriesFiles(root).length, 1, 'settled: kept');
  assert.equal(await lastLoss(root, tenSecondsLater), 1, 'and answered from the cache');
  const before = fs.statSync(log);
  fs.writeFileSync(log, longLog(7));
  fs.utimesSync(log, tick, tick);
  assert.deepEqual([fs.statSync(log).size, fs.statSync(log).mtimeMs], [before.size, before.mtimeMs]);
  assert.equal(await lastLoss(root, tenSecondsLater), 7);
});

test('series and follow of a run id that names no run answer a runNotFound problem, not an empty series', async (t) => {
  const root = makeWorkspace({ 'a/training.log': kerasCsvLog([{ epoch: 0, loss: 1 }]) });
  const service = createRunIndexService({ workspaceRoot: root, cachePath: false });
  t.after(() => service.dispose());
  const answer = await service.series('csv:a/trainin.log');
  assert.deepEqual(answer.series, {});
  assert.deepEqual(
    answer.problems.map((problem) => [problem.file, problem.severity, problem.code]),
    [[root, 'error', 'runNotFound']],
  );
  assert.match(answer.problems[0]!.message, /did you mean csv:a\/training\.log\?/);
  const updates: unknown[] = [];
  const following = await service.follow('nothing-like-it', undefined, (update) => updates.push(update));
  following.dispose();
  assert.deepEqual(updates, [
    {
      runId: 'nothing-like-it',
      reset: true,
      series: {},
      problems: [
        {
          file: root,
          line: 1,
          column: 1,
          severity: 'error',
          code: 'runNotFound',
          message: 'No run nothing-like-it in this workspace.',
        },
      ],
    },
  ]);
});

test('a listing asked for while a build is under way sees what changed after that build began', async (t) => {
  const root = makeWorkspace({ 'runs/first.run': '' });
  // The first listing of the store waits at this gate, after it has read the folder.
  let openGate: () => void = () => undefined;
  let gate: Promise<void> | undefined = new Promise((resolve) => (openGate = resolve));
  let listings = 0;
  const reader: RunReader = {
    source: 'csv',
    watches: () => false,
    detect: (folder, entries) => ({
      stores: entries.some((entry) => entry.name === 'runs') ? [{ source: 'csv', path: join(folder, 'runs') }] : [],
      descend: false,
    }),
    async list(store, context) {
      listings++;
      const names = context.fs
        .readDirectory(store.path)
        .map((entry) => entry.name)
        .sort();
      const waiting = gate;
      gate = undefined;
      await waiting;
      const runs = names.map((name): RunSummary => ({
        id: `csv:${name}`,
        source: 'csv',
        name,
        status: 'succeeded',
        params: {},
        metrics: {},
        location: join(store.path, name),
      }));
      return { runs, problems: [] };
    },
    series: async () => ({ series: {}, problems: [] }),
  };
  const service = createRunIndexService({ workspaceRoot: root, readers: [reader], cachePath: false });
  t.after(() => service.dispose());
  const underWay = service.listRuns();
  while (listings === 0) await new Promise((resolve) => setImmediate(resolve));
  // A run appears while the first build waits: the callers told of it must see it.
  fs.writeFileSync(join(root, 'runs', 'second.run'), '');
  const afterChange = [service.listRuns(), service.listRuns(), service.lookup('csv:second.run')];
  openGate();
  assert.deepEqual(
    (await underWay).runs.map((run) => run.id),
    ['csv:first.run'],
    'the build under way answers its own caller',
  );
  const [asked, alsoAsked, lookedUp] = await Promise.all(afterChange);
  for (const listed of [asked, alsoAsked] as Awaited<ReturnType<typeof service.listRuns>>[]) {
    assert.deepEqual(listed.runs.map((run) => run.id).sort(), ['csv:first.run', 'csv:second.run']);
  }
  assert.equal((lookedUp as Awaited<ReturnType<typeof service.lookup>>).kind, 'found');
  assert.equal(listings, 2, 'the callers that came during the first build shared one more build');
});

test('a store indexed by a reader this service does not have is a runReaderMissing problem', async (t) => {
  const root = makeWorkspace({ 'a/training.log': kerasCsvLog([{ epoch: 0, loss: 1 }]) });
  const writer = createRunIndexService({ workspaceRoot: root });
  await writer.listRuns();
  writer.dispose();
  // The same cache read back by a service whose reader list differs (a reader added or dropped).
  const cachePath = join(root, '.mlc', 'cache', 'run-index.jsonl');
  const cache = fs.readFileSync(cachePath, 'utf8').replaceAll('csv#5', 'csv#9');
  fs.writeFileSync(cachePath, cache);
  const reader = createRunIndexService({ workspaceRoot: root });
  t.after(() => reader.dispose());
  const { runs } = await reader.listRuns({}, { revalidate: false });
  assert.deepEqual(
    runs.map((run) => run.id),
    ['csv:a/training.log'],
  );
  const answer = await reader.series('csv:a/training.log');
  assert.deepEqual(
    answer.problems.map((problem) => problem.code),
    ['runReaderMissing'],
  );
});

for (const [when, mtimeBack, clock] of [
  // A write within the same mtime tick as the index's read of the file: the stat was racy.
  ['within the same mtime tick', 0, undefined],
  // A file an hour old, its rewrite's mtime put back: settled, but its ctime moved.
  ['with its mtime put back, though settled (ctime moved)', 3_600_000, tenSecondsLater],
] as const) {
  for (const mode of LISTING_MODES) {
    test(`a run file rewritten with the same size and inode ${when} is read again on reopen (${modeName(mode)})`, async () => {
      const root = makeWorkspace({ 'a/training.log': kerasCsvLog([{ epoch: 0, loss: 0.5 }]), '.mlc/keep': '' });
      const log = join(root, 'a', 'training.log');
      // A whole-millisecond mtime, so that it can be set again exactly after the rewrite.
      const tick = new Date(Math.floor(Date.now()) - mtimeBack);
      fs.utimesSync(log, tick, tick);
      const open = () => createRunIndexService({ workspaceRoot: root, staleAfterMs: 0, ...(clock ? { clock } : {}) });
      const first = open();
      assert.equal((await first.listRuns({}, { holdIndex: mode === 'held' })).runs[0]!.metrics.loss, 0.5);
      first.dispose();
      // The same size with one digit changed, written in place (same inode), with the same mtime.
      const before = fs.statSync(log);
      fs.writeFileSync(log, kerasCsvLog([{ epoch: 0, loss: 0.7 }]));
      fs.utimesSync(log, tick, tick);
      const after = fs.statSync(log);
      assert.deepEqual([after.ino, after.size, after.mtimeMs], [before.ino, before.size, before.mtimeMs]);
      const reopened = open();
      const again = await reopened.listRuns({}, { holdIndex: mode === 'held' });
      reopened.dispose();
      assert.equal(again.runs[0]!.metrics.loss, 0.7, 'the cache must not answer the old content');
    });
  }
}

/** Sets every file and folder under `path` (and its own mtime) an hour back (their ctime is now). */
function backdateHourAgo(path: string): void {
  if (fs.statSync(path).isDirectory()) for (const name of fs.readdirSync(path)) backdateHourAgo(join(path, name));
  const hourAgo = new Date(Date.now() - 3_600_000);
  fs.utimesSync(path, hourAgo, hourAgo);
}

for (const mode of LISTING_MODES) {
  test(`files older than the racy window are trusted: a reopen reuses every store and folder (${modeName(mode)})`, async () => {
    const root = makeWorkspace({
      'a/training.log': kerasCsvLog([{ epoch: 0, loss: 0.5 }]),
      ...prefixed('', dvcliveFiles({ folder: 'exp/dvclive', series: { loss: [{ step: 0, value: 0.5 }] } })),
      '.mlc/cache/keep': '',
    });
    backdateHourAgo(root);
    const first = await listFresh(root, mode);
    assert.equal(first.runs.length, 2);
    const again = await listFresh(root, mode);
    assert.equal(again.stats.storesReused, again.stats.stores);
    assert.equal(again.stats.foldersReused, again.stats.folders);
    assert.deepEqual(again.runs, first.runs);
  });
}

/** A workspace of Lightning runs with every file and folder an hour old (trusted by a reopen). */
function settledLightningWorkspace(versions: readonly number[]): string {
  const root = makeWorkspace({
    ...Object.fromEntries(
      versions.flatMap((version) => [
        [`lightning_logs/version_${version}/hparams.yaml`, `lr: 0.${version + 1}\n`],
        [
          `lightning_logs/version_${version}/metrics.csv`,
          lightningMetricsCsv([{ step: 0, loss: version === 0 ? Number.NaN : version }]),
        ],
      ]),
    ),
    '.mlc/cache/keep': '',
  });
  backdateHourAgo(root);
  return root;
}

/**
 * A listing by a service of its own, as a new window or process makes it: the index held in memory
 * (the extension, most commands), or streamed from the cache to the new cache (`mlc runs`).
 */
async function listFresh(root: string, mode: ListingMode = 'held') {
  const service = createRunIndexService({ workspaceRoot: root, staleAfterMs: 0, clock: tenSecondsLater });
  try {
    return await service.listRuns({}, { holdIndex: mode === 'held' });
  } finally {
    service.dispose();
  }
}

const runsOf = (listed: { runs: readonly RunSummary[] }) =>
  Object.fromEntries(listed.runs.map((run) => [run.id, [run.params.lr, run.metrics.loss]]));

for (const mode of LISTING_MODES) {
  test(`a cache file that is absent, corrupt, truncated or of another format is rebuilt, never trusted (${modeName(mode)})`, async () => {
    const root = settledLightningWorkspace([0, 1, 2]);
    const cachePath = join(root, '.mlc', 'cache', 'run-index.jsonl');
    const expected = {
      'csv:lightning_logs/version_0': [0.1, Number.NaN],
      'csv:lightning_logs/version_1': [0.2, 1],
      'csv:lightning_logs/version_2': [0.3, 2],
    };
    // Absent: built from the files, then written.
    const first = await listFresh(root, mode);
    assert.deepEqual(runsOf(first), expected);
    assert.equal(first.stats.storesReused, 0);
    const whole = fs.readFileSync(cachePath, 'utf8');
    const lines = whole.split('\n');
    assert.equal(lines.at(-1), '', 'every line ends with a newline');
    const reopened = await listFresh(root, mode);
    assert.equal(reopened.stats.storesReused, reopened.stats.stores, 'a whole cache is reused');
    // A cache whose store lines hold other runs than the files shows when it is trusted.
    const planted = whole.replaceAll('"lr":0.2', '"lr":9');
    fs.writeFileSync(cachePath, planted);
    assert.equal(
      runsOf(await listFresh(root, mode))['csv:lightning_logs/version_1']![0],
      9,
      'the planted cache is read',
    );

    const damaged: Record<string, string> = {
      corrupt: planted.replace('"stores":', '"stores"'),
      'not JSON at all': 'not json\n',
      'cut in a line': planted.slice(0, Math.floor(planted.length / 2)),
      'cut before the trailer': `${planted.split('\n').slice(0, -2).join('\n')}\n`,
      'a store line missing': planted
        .split('\n')
        .filter((_line, index) => index !== 4)
        .join('\n'),
      'the previous format (7: a path table)': planted.replace('"format":8', '"format":7'),
      'another index version': planted.replace(`"version":${RUN_INDEX_VERSION}`, '"version":1'),
      'the legacy one-document cache': JSON.stringify({ format: 3, version: RUN_INDEX_VERSION, stores: [] }),
      empty: '',
    };
    for (const [name, text] of Object.entries(damaged)) {
      fs.writeFileSync(cachePath, text);
      const listed = await listFresh(root, mode);
      assert.deepEqual(runsOf(listed), expected, name);
      assert.equal(listed.stats.storesReused, 0, `${name}: nothing is reused from it`);
      assert.equal(fs.readFileSync(cachePath, 'utf8').split('\n').length, lines.length, `${name}: rewritten whole`);
      fs.writeFileSync(cachePath, planted);
    }
    // A folder where the cache file should be is unreadable, not fatal.
    fs.rmSync(cachePath);
    fs.mkdirSync(cachePath);
    assert.deepEqual(runsOf(await listFresh(root, mode)), expected);
  });
}

for (const mode of LISTING_MODES) {
  test(`writing the cache removes the one-document cache of earlier versions (${modeName(mode)})`, async () => {
    const root = settledLightningWorkspace([0]);
    const legacy = join(root, '.mlc', 'cache', 'run-index.json');
    fs.writeFileSync(legacy, '{"format":3}');
    await listFresh(root, mode);
    assert.equal(fs.existsSync(legacy), false);
    assert.equal(fs.existsSync(join(root, '.mlc', 'cache', 'run-index.jsonl')), true);
  });
}

for (const mode of LISTING_MODES) {
  test(`a store added, removed or changed between opens is seen by a reopen from the cache (${modeName(mode)})`, async () => {
    const root = settledLightningWorkspace([0, 1, 2]);
    await listFresh(root, mode);
    const settledFirst = await listFresh(root, mode);
    assert.equal(settledFirst.stats.storesReused, settledFirst.stats.stores);
    const version = (index: number) => join(root, 'lightning_logs', `version_${index}`);
    // Added: a new run folder (its parent folder's mtime moves).
    fs.mkdirSync(version(3));
    fs.writeFileSync(join(version(3), 'metrics.csv'), lightningMetricsCsv([{ step: 0, loss: 3 }]));
    // Removed: a run folder deleted.
    fs.rmSync(version(1), { recursive: true });
    // Changed: the same size, an older mtime than before (a restored backup), same folder.
    const metrics = join(version(2), 'metrics.csv');
    const before = fs.statSync(metrics);
    fs.writeFileSync(metrics, fs.readFileSync(metrics, 'utf8').replace('\n2,', '\n7,'));
    const older = new Date(before.mtimeMs - 60_000);
    fs.utimesSync(metrics, older, older);
    assert.equal(fs.statSync(metrics).size, before.size);
    const reopened = await listFresh(root, mode);
    assert.deepEqual(runsOf(reopened), {
      'csv:lightning_logs/version_0': [0.1, Number.NaN],
      'csv:lightning_logs/version_2': [0.3, 7],
      'csv:lightning_logs/version_3': [undefined, 3],
    });
    assert.equal(reopened.stats.storesReused, reopened.stats.stores - 2, 'version_2 and version_3 are read');
    // And the cache written by that reopen is whole: the next reopen (once the new files are old)
    // reuses everything and answers the same.
    backdateHourAgo(root);
    await listFresh(root, mode);
    const settled = await listFresh(root, mode);
    assert.equal(settled.stats.storesReused, settled.stats.stores);
    assert.deepEqual(runsOf(settled), runsOf(reopened));
  });
}
