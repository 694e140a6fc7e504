import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { createCsvLoggerReader } from '../../../../src/engine/readers/csvLogger/csvLoggerReader';
import { createDvcliveReader } from '../../../../src/engine/readers/dvclive/dvcliveReader';
import { createTensorboardReader } from '../../../../src/engine/readers/tensorboard/tensorboardReader';
import { buildRunIndex } from '../../../../src/engine/runIndex/buildRunIndex';
import { findRun, queryRuns } from '../../../../src/engine/runIndex/queryRunIndex';
import { inputFingerprints, STAT_FIELDS } from '../../../../src/engine/runIndex/storeInputs';
import type { RunReader } from '../../../../src/engine/runs/model';
import { kerasCsvLog, lightningMetricsCsv } from '../../../support/csvLoggerWriter';
import { dvcliveFiles } from '../../../support/dvcliveWriter';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';
import { scalarEvents, writeEventFile } from '../../../support/tfeventsWriter';

const clock = { now: () => 2_000_000_000_000 };
const readersFor = (root: string): RunReader[] => [
  createDvcliveReader({ workspaceRoot: root, clock }),
  createTensorboardReader({ workspaceRoot: root, clock }),
  createCsvLoggerReader({ workspaceRoot: root, clock }),
];

function workspace() {
  return createMemoryFileSystem({
    ...dvcliveFiles({
      folder: '/ws/exp/dvclive',
      series: { loss: [{ step: 0, value: 1, timestamp: 1_700_000_300_000 }] },
    }),
    '/ws/tb/run1/events.out.tfevents.1': writeEventFile(
      scalarEvents('loss', [{ step: 1, value: 2, wallTime: 1_700_000_100 }]),
    ),
    '/ws/tb/run2/events.out.tfevents.1': writeEventFile(
      scalarEvents('loss', [{ step: 1, value: 3, wallTime: 1_700_000_200 }]),
    ),
    '/ws/keras/training.log': kerasCsvLog([{ epoch: 0, loss: 4 }]),
    '/ws/node_modules/pkg/training.log': kerasCsvLog([{ epoch: 0, loss: 9 }]),
  });
}

test('one walk finds the runs of every reader, newest first, skipping dependency folders', async () => {
  const fs = workspace();
  const { snapshot, stats } = await buildRunIndex({ fs, clock, root: '/ws', readers: readersFor('/ws') });
  assert.equal(stats.runs, 4);
  assert.deepEqual(
    queryRuns(snapshot).map((run) => run.id),
    ['dvclive:exp/dvclive', 'tensorboard:tb/run2', 'tensorboard:tb/run1', 'csv:keras/training.log'],
  );
  assert.deepEqual(
    queryRuns(snapshot, { source: 'tensorboard', limit: 1 }).map((run) => run.id),
    ['tensorboard:tb/run2'],
  );
});

test('a second build reuses every store whose files did not change, and re-reads a changed one', async () => {
  const fs = workspace();
  const readers = readersFor('/ws');
  const first = await buildRunIndex({ fs, clock, root: '/ws', readers });
  const second = await buildRunIndex({ fs, clock, root: '/ws', readers, previous: first.snapshot });
  assert.equal(second.stats.storesReused, second.stats.stores);
  assert.equal(second.stats.foldersReused, second.stats.folders);
  fs.appendFile('/ws/keras/training.log', '1,2\r\n');
  const third = await buildRunIndex({ fs, clock, root: '/ws', readers, previous: second.snapshot });
  assert.equal(third.stats.storesReused, third.stats.stores - 1);
  const keras = queryRuns(third.snapshot).find((run) => run.id === 'csv:keras/training.log')!;
  assert.equal(keras.metrics.loss, 2);
});

test('a different reader list or root invalidates the previous index', async () => {
  const fs = workspace();
  const first = await buildRunIndex({ fs, clock, root: '/ws', readers: readersFor('/ws') });
  const fewer = await buildRunIndex({
    fs,
    clock,
    root: '/ws',
    readers: readersFor('/ws').slice(1),
    previous: first.snapshot,
  });
  assert.equal(fewer.stats.storesReused, 0);
});

test('a reader that throws loses only its own store, with a located problem', async () => {
  const fs = workspace();
  const broken: RunReader = {
    source: 'mlflow',
    watches: () => false,
    detect: (folder) => ({ stores: folder === '/ws' ? [{ source: 'mlflow', path: '/ws/mlruns' }] : [], descend: true }),
    list: async () => {
      throw new Error('boom');
    },
    series: async () => ({ series: {}, problems: [] }),
  };
  const { snapshot } = await buildRunIndex({ fs, clock, root: '/ws', readers: [broken, ...readersFor('/ws')] });
  assert.equal(queryRuns(snapshot).length, 4);
  const failed = snapshot.stores.find((store) => store.store.path === '/ws/mlruns')!;
  assert.equal(failed.problems[0]?.code, 'runStoreUnreadable');
  assert.match(failed.problems[0]!.message, /boom/);
});

test('findRun: exact ids, workspace paths, unique prefixes, ambiguity and near matches', async () => {
  const { snapshot } = await buildRunIndex({ fs: workspace(), clock, root: '/ws', readers: readersFor('/ws') });
  const id = (lookup: ReturnType<typeof findRun>) => (lookup.kind === 'found' ? lookup.found.run.id : lookup);
  assert.equal(id(findRun(snapshot, 'tensorboard:tb/run1')), 'tensorboard:tb/run1');
  assert.equal(id(findRun(snapshot, 'tb/run1/')), 'tensorboard:tb/run1');
  assert.equal(id(findRun(snapshot, 'csv:ker')), 'csv:keras/training.log');
  assert.deepEqual(findRun(snapshot, 'tensorboard:tb/run'), {
    kind: 'ambiguous',
    candidates: ['tensorboard:tb/run1', 'tensorboard:tb/run2'],
  });
  const missing = findRun(snapshot, 'tensorboard:tb/runX');
  assert.equal(missing.kind, 'missing');
  assert.ok(missing.kind === 'missing' && missing.nearMatches.includes('tensorboard:tb/run1'));
});

/** The memory file system with folder mtimes that change when an entry is added, as on disk. */
function withFolderMtimes(fs: ReturnType<typeof workspace>) {
  const statted: string[] = [];
  const signature = (path: string) => {
    let hash = 0;
    for (const char of fs
      .readDirectory(path)
      .map((entry) => entry.name)
      .join('/')) {
      hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
    }
    return hash >>> 0;
  };
  const tracked = {
    ...fs,
    stat(path: string) {
      statted.push(path);
      const stat = fs.stat(path);
      return stat?.kind === 'directory' ? { ...stat, mtimeMs: signature(path) } : stat;
    },
  };
  return { fs: tracked, statted };
}

test('a reopen trusts an optional file to stay absent while its folder is unchanged, and sees it appear', async () => {
  const memory = workspace();
  const { fs, statted } = withFolderMtimes(memory);
  const readers = readersFor('/ws');
  const first = await buildRunIndex({ fs, clock, root: '/ws', readers });
  const absentInputs = inputFingerprints(
    first.snapshot.stores.find((store) => store.store.path === '/ws/keras/training.log')!.inputs,
  )
    .filter((input) => input.kind === 'absent')
    .map((input) => input.path);
  assert.ok(absentInputs.includes('/ws/keras/mlc.yaml'), 'the CSV reader looks for a pipeline file beside the log');

  statted.length = 0;
  const second = await buildRunIndex({ fs, clock, root: '/ws', readers, previous: first.snapshot });
  assert.equal(second.stats.storesReused, second.stats.stores);
  assert.ok(!statted.includes('/ws/keras/mlc.yaml'));

  memory.writeFileAtomic('/ws/keras/mlc.yaml', 'stages: {}\n');
  const third = await buildRunIndex({ fs, clock, root: '/ws', readers, previous: second.snapshot });
  assert.equal(third.stats.storesReused, third.stats.stores - 1);
  const keras = third.snapshot.stores.find((store) => store.store.path === '/ws/keras/training.log')!;
  assert.equal(inputFingerprints(keras.inputs).find((input) => input.path === '/ws/keras/mlc.yaml')?.kind, 'file');
});

test('a folder whose entries changed with its mtime put back is listed again (its ctime moved)', async () => {
  const memory = workspace();
  const { fs: tracked } = withFolderMtimes(memory);
  // The folders' mtimes stay put (`touch -d` after the change); their ctimes follow their entries.
  const fs = {
    ...tracked,
    stat(path: string) {
      const stat = tracked.stat(path);
      return stat?.kind === 'directory' ? { ...stat, mtimeMs: 1, ctimeMs: stat.mtimeMs } : stat;
    },
  };
  const readers = readersFor('/ws');
  const first = await buildRunIndex({ fs, clock, root: '/ws', readers });
  memory.writeFileAtomic(
    '/ws/tb/run3/events.out.tfevents.1',
    writeEventFile(scalarEvents('loss', [{ step: 1, value: 4, wallTime: 1_700_000_300 }])),
  );
  const second = await buildRunIndex({ fs, clock, root: '/ws', readers, previous: first.snapshot });
  assert.ok(findRun(second.snapshot, 'tensorboard:tb/run3').kind === 'found');
});

test('a first index stats an absent pipeline file up the tree once, and every store still records it (as strings and numbers, no object per input)', async () => {
  const memory = workspace();
  memory.writeFileAtomic('/ws/more/a/training.log', kerasCsvLog([{ epoch: 0, loss: 5 }]));
  memory.writeFileAtomic('/ws/more/b/training.log', kerasCsvLog([{ epoch: 0, loss: 6 }]));
  const { fs, statted } = withFolderMtimes(memory);
  const { snapshot } = await buildRunIndex({ fs, clock, root: '/ws', readers: readersFor('/ws') });
  // Three CSV logs look for the pipeline files of /ws (and two of them for those of /ws/more).
  assert.equal(statted.filter((path) => path === '/ws/dvc.yaml').length, 1);
  assert.equal(statted.filter((path) => path === '/ws/more/mlc.yaml').length, 1);
  const csvStores = snapshot.stores.filter((store) => store.readerKey.startsWith('csv'));
  assert.equal(csvStores.length, 3);
  const rootPipelines = csvStores.map((store) =>
    inputFingerprints(store.inputs).find((input) => input.path === '/ws/dvc.yaml'),
  );
  for (const rootPipeline of rootPipelines) assert.equal(rootPipeline?.kind, 'absent');
  // No object per input: the index is kept in memory whole, so each store holds its inputs as
  // folder and name strings (shared: the walk's folder strings, one string per name) and numbers.
  for (const store of csvStores) {
    const { present, stats, absent } = store.inputs;
    assert.ok([...present, ...absent].every((part) => typeof part === 'string'));
    assert.ok(stats.every((value) => typeof value === 'number'));
    assert.equal(stats.length, (present.length / 2) * STAT_FIELDS);
  }
  // The shared answer is still checked on the next build: a pipeline created at the root that
  // declares one log as a stage output takes that run away.
  memory.writeFileAtomic(
    '/ws/dvc.yaml',
    'stages:\n  train:\n    cmd: python train.py\n    outs:\n      - more/a/training.log\n',
  );
  const next = await buildRunIndex({ fs, clock, root: '/ws', readers: readersFor('/ws'), previous: snapshot });
  assert.deepEqual(
    queryRuns(next.snapshot, { source: 'csv' })
      .map((run) => run.id)
      .sort(),
    ['csv:keras/training.log', 'csv:more/b/training.log'],
  );
});

/** The workspace plus one Lightning run at /ws/lightning_logs/version_0 (lr 0.1). */
function workspaceWithLightningRun() {
  const memory = workspace();
  memory.writeFileAtomic(
    '/ws/lightning_logs/version_0/metrics.csv',
    lightningMetricsCsv([{ step: 0, loss: 1 }], { lineEnding: '\n' }),
  );
  memory.writeFileAtomic('/ws/lightning_logs/version_0/hparams.yaml', 'lr: 0.1\n');
  return memory;
}

test("a first index stats a Lightning version folder once: the listing reuses the walk's stat, and still records the folder", async () => {
  const memory = workspaceWithLightningRun();
  const { fs, statted } = withFolderMtimes(memory);
  const readers = readersFor('/ws');
  const { snapshot } = await buildRunIndex({ fs, clock, root: '/ws', readers });
  assert.equal(statted.filter((path) => path === '/ws/lightning_logs/version_0').length, 1);
  const store = snapshot.stores.find((found) => found.store.path === '/ws/lightning_logs/version_0')!;
  assert.equal(store.runs[0]?.params.lr, 0.1);
  assert.equal(inputFingerprints(store.inputs).find((input) => input.path === store.store.path)?.kind, 'directory');
  // A file added to the folder after the walk moves the folder's mtime: the store is listed again.
  memory.writeFileAtomic('/ws/lightning_logs/version_0/hparams.yaml', 'lr: 0.2\n');
  memory.writeFileAtomic('/ws/lightning_logs/version_0/extra.txt', 'x');
  const next = await buildRunIndex({ fs, clock, root: '/ws', readers, previous: snapshot });
  assert.equal(findRun(next.snapshot, 'csv:lightning_logs/version_0').kind, 'found');
  const listed = next.snapshot.stores.find((found) => found.store.path === '/ws/lightning_logs/version_0')!;
  assert.equal(listed.runs[0]?.params.lr, 0.2);
});

test("a first index takes the absence of a store's optional files from the walk's listing of its folder, records it, and sees them appear", async () => {
  const memory = workspaceWithLightningRun();
  const { fs, statted } = withFolderMtimes(memory);
  const readers = readersFor('/ws');
  const { snapshot } = await buildRunIndex({ fs, clock, root: '/ws', readers });
  // The CSV reader looks for the pipeline files of the version folder, which the walk just listed.
  for (const name of ['dvc.yaml', 'mlc.yaml']) {
    const path = `/ws/lightning_logs/version_0/${name}`;
    assert.ok(!statted.includes(path), `${name} is not statted`);
    const store = snapshot.stores.find((found) => found.store.path === '/ws/lightning_logs/version_0')!;
    assert.equal(inputFingerprints(store.inputs).find((input) => input.path === path)?.kind, 'absent', name);
  }
  // Files the listing has are still statted (their fingerprints are the store's inputs), and so is
  // a name it has in another case (a case-insensitive file system's stat would find it).
  assert.ok(statted.includes('/ws/lightning_logs/version_0/hparams.yaml'));
  memory.writeFileAtomic('/ws/lightning_logs/version_1/metrics.csv', lightningMetricsCsv([{ step: 0, loss: 1 }]));
  memory.writeFileAtomic('/ws/lightning_logs/version_1/MLC.yaml', 'stages: {}\n');
  statted.length = 0;
  await buildRunIndex({ fs, clock, root: '/ws', readers });
  assert.ok(statted.includes('/ws/lightning_logs/version_1/mlc.yaml'));
  assert.ok(!statted.includes('/ws/lightning_logs/version_1/dvc.yaml'));
  // A pipeline file created there later changes the folder: the next build reads it, and the log it
  // declares as a stage output is no run of its own any more.
  memory.writeFileAtomic(
    '/ws/lightning_logs/version_0/dvc.yaml',
    'stages:\n  train:\n    cmd: python train.py\n    outs:\n      - metrics.csv\n',
  );
  const next = await buildRunIndex({ fs, clock, root: '/ws', readers, previous: snapshot });
  assert.equal(findRun(next.snapshot, 'csv:lightning_logs/version_0').kind, 'missing');
});

test('the runs and stores of a first index share their hidden classes (an object spread first in a literal made one per object)', async () => {
  // V8's own check of two objects' hidden class (map). A literal that began with a spread
  // (`{ ...identity, status, ... }`) got a new map and descriptor array per object in Node 20:
  // ~300 bytes more per run and per store kept, and more made in old space as garbage.
  setFlagsFromString('--allow-natives-syntax');
  const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
  const files: Record<string, string | Uint8Array> = {};
  for (const version of [0, 1, 2]) {
    files[`/ws/lightning_logs/version_${version}/metrics.csv`] = lightningMetricsCsv([{ step: 0, loss: version }], {
      lineEnding: '\n',
    });
    files[`/ws/lightning_logs/version_${version}/hparams.yaml`] = `lr: 0.${version + 1}\n`;
    files[`/ws/tb/run${version}/events.out.tfevents.1`] = writeEventFile(
      scalarEvents('loss', [{ step: 1, value: version, wallTime: 1_700_000_000 + version }]),
    );
    Object.assign(
      files,
      dvcliveFiles({
        folder: `/ws/dvc${version}/dvclive`,
        series: { loss: [{ step: 0, value: version, timestamp: 1_700_000_300_000 + version }] },
      }),
    );
  }
  const memory = createMemoryFileSystem(files);
  const { snapshot } = await buildRunIndex({ fs: memory, clock, root: '/ws', readers: readersFor('/ws') });
  for (const source of ['csv', 'tensorboard', 'dvclive'] as const) {
    const stores = snapshot.stores.filter((store) => store.store.source === source);
    assert.equal(stores.length, 3, source);
    assert.ok(haveSameMap(stores[0]!, stores[2]!), `${source} stores`);
    assert.ok(haveSameMap(stores[0]!.runs[0]!, stores[2]!.runs[0]!), `${source} runs`);
  }
});
