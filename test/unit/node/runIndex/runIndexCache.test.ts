import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCsvLoggerReader } from '../../../../src/engine/readers/csvLogger/csvLoggerReader';
import { buildRunIndex } from '../../../../src/engine/runIndex/buildRunIndex';
import type { RunIndexSnapshot } from '../../../../src/engine/runIndex/runIndexModel';
import { deserializeRunIndex, serializeRunIndex } from '../../../../src/node/runIndex/runIndexCache';
import { kerasCsvLog, lightningMetricsCsv } from '../../../support/csvLoggerWriter';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

const clock = { now: () => 2_000_000_000_000 };

async function lightningIndex() {
  const fs = createMemoryFileSystem({
    '/ws/logs/version_0/metrics.csv': lightningMetricsCsv([{ step: 0, loss: Number.NaN }], { lineEnding: '\n' }),
    '/ws/logs/version_0/hparams.yaml': 'lr: 0.1\nname: "null"\n',
    '/ws/logs/version_1/metrics.csv': lightningMetricsCsv([{ step: 0, loss: 2 }], { lineEnding: '\n' }),
    '/ws/keras/training.log': kerasCsvLog([{ epoch: 0, loss: 4 }]),
  });
  return (
    await buildRunIndex({ fs, clock, root: '/ws', readers: [createCsvLoggerReader({ workspaceRoot: '/ws', clock })] })
  ).snapshot;
}

test('the cache reads back the index it was written from, NaN included', async () => {
  const snapshot = await lightningIndex();
  const restored = deserializeRunIndex(serializeRunIndex(snapshot));
  // The inputs come back packed as they were, present and absent in their order, ctime included.
  assert.deepEqual(restored, snapshot);
  assert.ok(
    snapshot.stores.some((store) => store.inputs.stats[3]! > 0),
    'ctimes are recorded',
  );
  const version0 = restored!.stores.find((store) => store.store.path === '/ws/logs/version_0')!.runs[0]!;
  assert.ok(Number.isNaN(version0.metrics.loss));
  assert.equal(version0.params.name, 'null');
});

test("each folder's lines are made when they are written, not all of them before the first (the write holds no second copy of the index)", async () => {
  const snapshot = await lightningIndex();
  const runsRead: string[] = [];
  const watched: RunIndexSnapshot = {
    ...snapshot,
    stores: snapshot.stores.map((store) => ({
      ...store,
      get runs() {
        runsRead.push(store.store.path);
        return store.runs;
      },
    })),
  };
  const lines = serializeRunIndex(watched);
  // Header, the root's folder line, keras/ and the first store's line.
  for (let line = 0; line < 4; line++) lines.next();
  assert.deepEqual(runsRead, ['/ws/keras/training.log']);
  // The lines as a whole are still the cache of the same index.
  assert.deepEqual([...serializeRunIndex(watched)].join('\n'), [...serializeRunIndex(snapshot)].join('\n'));
});

test('the cache holds the folders in walk order, each followed by its stores, paths written from the folder', async () => {
  const lines = [...serializeRunIndex(await lightningIndex())].map((line) => JSON.parse(line) as unknown[]);
  const folderPaths = lines
    .filter((line) => Array.isArray(line) && (line[0] as string).startsWith('/'))
    .map((line) => line[0]);
  assert.deepEqual(folderPaths, ['/ws', '/ws/keras', '/ws/logs', '/ws/logs/version_0', '/ws/logs/version_1']);
  // keras/ says one store line follows, and names its store from itself.
  assert.equal(lines[2]![6], 1);
  assert.deepEqual(lines[2]![7], ['csv#0', 'csv', './training.log']);
  assert.equal(lines[3]![2], './training.log');
  // The pipeline files it looked for: in keras/ itself, then up the tree in /ws (`..`).
  assert.deepEqual(lines[3]![5], ['.', 'mlc.yaml', '.', 'dvc.yaml', '..', 'mlc.yaml', '..', 'dvc.yaml']);
  // version_0/'s own folder is an input too: from /ws/logs/version_0, /ws/logs is `..`.
  assert.deepEqual((lines[6]![4] as unknown[]).slice(0, 2), ['..', 'version_0']);
  assert.deepEqual(lines.at(-1), { folders: 5, stores: 3 });
});

test('a reopened cache gives every folder and store objects of their own, none frozen (the snapshot is handed out)', async () => {
  const restored = deserializeRunIndex(serializeRunIndex(await lightningIndex()))!;
  const stores = restored.stores;
  const detected = Object.values(restored.folders).flatMap((folder) => folder.stores);
  assert.equal(detected.length, stores.length);
  const locations = [...stores, ...detected].map((found) => found.store);
  assert.equal(new Set(locations).size, locations.length, 'no location object shared');
  for (const found of detected) assert.ok(!stores.includes(found as (typeof stores)[number]));
  for (const value of [...locations, ...stores, ...detected, ...stores.map((store) => store.inputs)])
    assert.ok(!Object.isFrozen(value));
});

test('a cache line that is not of the shape written makes the whole cache unread', async () => {
  const lines = [...serializeRunIndex(await lightningIndex())];
  // 0 header, 1 /ws, 2 keras/, 3 its store, 4 logs/, 5 version_0/, 6 its store...
  const folderLine = JSON.parse(lines[2]!) as unknown[];
  const storeLine = JSON.parse(lines[3]!) as unknown[];
  const withFolder = (index: number, value: unknown) => ({ 2: folderLine.with(index, value) });
  const withStore = (index: number, value: unknown) => ({ 3: storeLine.with(index, value) });
  const damaged: Record<string, Record<number, unknown>> = {
    'folder path not absolute': withFolder(0, 'ws/keras'),
    'folder not an array': { 2: 7 },
    'a sub-folder named ..': withFolder(5, ['..']),
    'a sub-folder with a slash': withFolder(5, ['a/b']),
    'store count not a count': withFolder(6, -1),
    'more store lines said than follow': withFolder(6, 2),
    "folder's store path relative": withFolder(7, ['csv#0', 'csv', 'training.log']),
    'store path relative': withStore(2, 'training.log'),
    // A present input is folder, name, kind, size, mtime, ctime, inode; an absent one folder, name.
    "store's file name a path": withStore(4, ['.', '../training.log', 0, 1, 1, 1, 1]),
    "store's file cut short": withStore(4, ['.', 'training.log', 0, 1, 1, 1]),
    "store's file stat not a number": withStore(4, ['.', 'training.log', 0, 1, '1', 1, 1]),
    "store's absent pair cut short": withStore(5, ['.']),
    'a climb not of the written form': withStore(5, ['../x', 'mlc.yaml']),
    'a climb of dots': withStore(5, ['...', 'mlc.yaml']),
    'store runs not a list': withStore(7, 3),
  };
  for (const [name, replaced] of Object.entries(damaged)) {
    const text = lines.map((line, index) => (index in replaced ? JSON.stringify(replaced[index]) : line));
    assert.equal(deserializeRunIndex(text), undefined, name);
  }
  assert.equal(deserializeRunIndex(lines.slice(0, -1)), undefined, 'no trailer');
  assert.equal(deserializeRunIndex([...lines.slice(0, -1), '{"folders":4,"stores":3}']), undefined, 'a folder missing');
  assert.ok(deserializeRunIndex(lines));
});
