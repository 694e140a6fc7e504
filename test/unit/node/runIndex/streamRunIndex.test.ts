import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { createCsvLoggerReader } from '../../../../src/engine/readers/csvLogger/csvLoggerReader';
import { buildRunIndex, indexRuns } from '../../../../src/engine/runIndex/buildRunIndex';
import { collectNewestRuns, compareRunsNewestFirst } from '../../../../src/engine/runIndex/queryRunIndex';
import type { RunSummary } from '../../../../src/engine/runs/model';
import { createRunIndexService } from '../../../../src/node/runIndex/createRunIndexService';
import { runIndexCachePath, serializeRunIndex } from '../../../../src/node/runIndex/runIndexCache';
import { previousFromCache } from '../../../../src/node/runIndex/streamRunIndex';
import { lightningMetricsCsv } from '../../../support/csvLoggerWriter';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';
import { makeTempDir } from '../../../support/tempDir';
import { nodeFileSystem } from '../../../../src/node/nodeFileSystem';

const clock = { now: () => 2_000_000_000_000 };

/** Lightning run folders `logs/<name>`, each with its metrics.csv; the loss is the run's number. */
function lightningFiles(names: readonly string[], prefix = ''): Record<string, string> {
  return Object.fromEntries(
    names.map((name, index) => [
      `${prefix}logs/${name}/metrics.csv`,
      lightningMetricsCsv([{ step: 0, loss: index }], { lineEnding: '\n' }),
    ]),
  );
}

test('a streamed build reads the previous index beside the walk: when a store is listed, only the lines up to its folder have been read', async () => {
  const names = Array.from({ length: 200 }, (_value, index) => `version_${String(index).padStart(3, '0')}`);
  const fs = createMemoryFileSystem(lightningFiles(names, '/ws/'));
  const readers = [createCsvLoggerReader({ workspaceRoot: '/ws', clock })];
  const first = await buildRunIndex({ fs, clock: { now: () => 1_900_000_000_000 }, root: '/ws', readers });
  const lines = [...serializeRunIndex(first.snapshot)];
  let linesRead = 0;
  const counted = (function* () {
    for (const line of lines) {
      linesRead++;
      yield line;
    }
  })();
  const readWhenListed: number[] = [];
  const previous = previousFromCache(counted)!;
  const result = await indexRuns({
    fs,
    clock,
    root: '/ws',
    readers,
    previous,
    sink: { folder() {}, store: () => void readWhenListed.push(linesRead) },
  });
  assert.equal(result.stats.storesReused, 200, 'every store reused from the stream');
  assert.equal(result.isUnchanged, true);
  // Header, /ws, /ws/logs, then each run's folder line and store line: the first store was
  // reused after 5 lines, each next one 2 lines later; never the whole cache ahead of the walk.
  assert.deepEqual(readWhenListed.slice(0, 3), [5, 7, 9], 'the lines read when the first stores were listed');
  assert.equal(readWhenListed.at(-1), 3 + 2 * 200);
  assert.equal(previous.isWhole(), true);
  assert.equal(linesRead, lines.length, 'the trailer read last');
});

test('a streamed build matches folders by walk order: folders added between, before and after cached ones, and removed ones', async () => {
  const root = makeWorkspace(lightningFiles(['b', 'd', 'd-x', 'f']));
  const readers = [createCsvLoggerReader({ workspaceRoot: root, clock })];
  const later = { now: () => Date.now() + 10_000 };
  const first = await buildRunIndex({ fs: nodeFileSystem, clock: later, root, readers });
  for (const name of ['b', 'f']) fs.rmSync(join(root, 'logs', name), { recursive: true });
  // A folder below d/ is walked after d/ and before d-x/ (`/` sorts first).
  for (const name of ['a', 'c', 'e', 'g', 'd/sub']) {
    fs.mkdirSync(join(root, 'logs', name), { recursive: true });
    fs.writeFileSync(join(root, 'logs', name, 'metrics.csv'), lightningMetricsCsv([{ step: 0, loss: 1 }]));
  }
  const held = await buildRunIndex({ fs: nodeFileSystem, clock: later, root, readers, previous: first.snapshot });
  const ids: string[] = [];
  const streamed = await indexRuns({
    fs: nodeFileSystem,
    clock: later,
    root,
    readers,
    previous: previousFromCache(serializeRunIndex(first.snapshot))!,
    sink: { folder() {}, store: (store) => void ids.push(...store.runs.map((run) => run.id)) },
  });
  assert.deepEqual(
    ids,
    held.snapshot.stores.flatMap((store) => store.runs.map((run) => run.id)),
  );
  assert.deepEqual(ids, [
    'csv:logs/a',
    'csv:logs/c',
    'csv:logs/d',
    'csv:logs/d/sub',
    'csv:logs/d-x',
    'csv:logs/e',
    'csv:logs/g',
  ]);
  assert.deepEqual(streamed.stats, held.stats);
  assert.equal(streamed.stats.storesReused, 1, 'd-x reused (d/ changed: a folder was added to it)');
  assert.equal(streamed.isUnchanged, false);
});

test('collecting the newest runs with a limit answers what sorting them all and taking the first would', () => {
  let seed = 7;
  const random = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
  const runs: RunSummary[] = Array.from({ length: 300 }, (_value, index) => ({
    id: `csv:run${Math.floor(random() * 50)}`,
    source: index % 3 === 0 ? 'tensorboard' : 'csv',
    name: `run${index}`,
    status: 'succeeded',
    // Ties and runs without a time, as real stores have.
    startedAt: random() < 0.2 ? undefined : Math.floor(random() * 20),
    endedAt: random() < 0.5 ? undefined : Math.floor(random() * 20),
    params: {},
    metrics: { index },
    location: `/ws/run${index}`,
  }));
  for (const query of [
    {},
    { limit: 0 },
    { limit: 1 },
    { limit: 7 },
    { limit: 500 },
    { source: 'csv' as const, limit: 5 },
  ]) {
    const collected = collectNewestRuns(query);
    for (let at = 0; at < runs.length; at += 13) collected.add(runs.slice(at, at + 13));
    const sorted = runs.filter((run) => !query.source || run.source === query.source).sort(compareRunsNewestFirst);
    const expected = query.limit === undefined ? sorted : sorted.slice(0, query.limit);
    assert.deepEqual(
      collected.runs().map((run) => run.metrics.index),
      expected.map((run) => run.metrics.index),
      JSON.stringify(query),
    );
  }
});

function makeWorkspace(files: Record<string, string>): string {
  const root = makeTempDir('mlc-stream-index-');
  for (const [relative, data] of Object.entries(files)) {
    const path = join(root, relative);
    fs.mkdirSync(dirname(path), { recursive: true });
    fs.writeFileSync(path, data);
  }
  const hourAgo = new Date(Date.now() - 3_600_000);
  const backdate = (path: string) => {
    if (fs.statSync(path).isDirectory()) for (const name of fs.readdirSync(path)) backdate(join(path, name));
    fs.utimesSync(path, hourAgo, hourAgo);
  };
  backdate(root);
  return root;
}

test('mlc runs streamed and an index held in memory answer the same queries, and write the same cache', async () => {
  const root = makeWorkspace({
    ...Object.fromEntries(
      Array.from({ length: 12 }, (_value, index) => [
        `lightning_logs/version_${index}/metrics.csv`,
        lightningMetricsCsv([{ step: 0, loss: index }]),
      ]),
    ),
    '.mlc/keep': '',
  });
  const later = { now: () => Date.now() + 10_000 };
  const list = async (holdIndex: boolean, query: { limit?: number } = {}) => {
    const service = createRunIndexService({ workspaceRoot: root, staleAfterMs: 0, clock: later });
    try {
      return await service.listRuns(query, { holdIndex });
    } finally {
      service.dispose();
    }
  };
  const cachePath = runIndexCachePath(root);
  const cacheBody = () => fs.readFileSync(cachePath, 'utf8').split('\n').slice(1).join('\n');
  await list(true);
  const writtenHeld = cacheBody();
  fs.rmSync(cachePath);
  await list(false);
  assert.equal(cacheBody(), writtenHeld, 'the same lines after the header');
  for (const query of [{}, { limit: 1 }, { limit: 5 }]) {
    assert.deepEqual((await list(false, query)).runs, (await list(true, query)).runs, JSON.stringify(query));
  }
  // A reopen from the streamed cache reuses everything, and leaves the cache as it was.
  const before = fs.statSync(cachePath);
  const reopened = await list(false, { limit: 1 });
  assert.equal(reopened.stats.storesReused, reopened.stats.stores, JSON.stringify(reopened.stats));
  assert.equal(reopened.runs.length, 1);
  assert.equal(fs.statSync(cachePath).ino, before.ino, 'an unchanged index is not written again');
  assert.deepEqual(
    fs.readdirSync(dirname(cachePath)).filter((name) => name.endsWith('.tmp')),
    [],
    'no temp file left',
  );
});

test('runs looked up in one streamed pass are those the held index finds, for every kind of id, and the series of a run found so needs no index', async () => {
  const root = makeWorkspace({
    ...Object.fromEntries(
      ['version_0', 'version_1', 'version_10', 'version_2'].map((name, index) => [
        `lightning_logs/${name}/metrics.csv`,
        lightningMetricsCsv([{ step: 0, loss: index }]),
      ]),
    ),
    '.mlc/keep': '',
  });
  const later = { now: () => Date.now() + 10_000 };
  // An exact id, a path without the source, a unique prefix, an ambiguous prefix, a near miss,
  // and nothing like any run.
  const ids = [
    'csv:lightning_logs/version_1',
    'lightning_logs/version_2/',
    'csv:lightning_logs/version_10',
    'csv:lightning_logs/version_',
    'csv:lightning_logs/versoin_2',
    'zzz',
  ];
  // Every build stats each folder of the workspace, its root first (a reused one too).
  const statted: string[] = [];
  const fs = { ...nodeFileSystem, stat: (path: string) => (statted.push(path), nodeFileSystem.stat(path)) };
  const lookUp = async (holdIndex: boolean) => {
    const service = createRunIndexService({ workspaceRoot: root, staleAfterMs: 0, clock: later, fs });
    try {
      const lookups = await service.lookupRuns(ids, { holdIndex });
      const found = lookups[0]!.kind === 'found' ? lookups[0]!.found.run.id : '';
      statted.length = 0;
      const series = await service.series(found);
      // No second pass over the workspace for the run just found.
      assert.ok(!statted.includes(root), `${holdIndex ? 'held' : 'streamed'}: the workspace was walked again`);
      return { lookups, series, indexed: await service.listRuns({}, { revalidate: false }) };
    } finally {
      service.dispose();
    }
  };
  const held = await lookUp(true);
  const streamed = await lookUp(false);
  const summary = (lookups: Awaited<ReturnType<typeof lookUp>>['lookups']) =>
    lookups.map((lookup) =>
      lookup.kind === 'found'
        ? lookup.found.run.id
        : lookup.kind === 'ambiguous'
          ? `ambiguous ${lookup.candidates.join(' ')}`
          : `missing ${lookup.nearMatches.join(' ')}`,
    );
  assert.deepEqual(summary(streamed.lookups), summary(held.lookups));
  assert.deepEqual(summary(streamed.lookups), [
    'csv:lightning_logs/version_1',
    'csv:lightning_logs/version_2',
    'csv:lightning_logs/version_10',
    'ambiguous csv:lightning_logs/version_0 csv:lightning_logs/version_1 csv:lightning_logs/version_10 csv:lightning_logs/version_2',
    'missing csv:lightning_logs/version_2 csv:lightning_logs/version_0 csv:lightning_logs/version_1 csv:lightning_logs/version_10',
    'missing ',
  ]);
  assert.deepEqual(streamed.series.series, held.series.series);
  // The streamed pass wrote the cache (a later reopen reads it) and kept no index in memory.
  assert.equal(streamed.indexed.runs.length, 4, 'the cache the streamed pass wrote');
});
