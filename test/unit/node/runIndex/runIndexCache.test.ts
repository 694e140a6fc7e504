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

test("each store's line is made when it is written, not all of them before the first (the write holds no second copy of the index)", async () => {
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
  // Header, path table, folders, then the first store's line.
  for (let line = 0; line < 4; line++) lines.next();
  assert.deepEqual(runsRead, [snapshot.stores[0]!.store.path]);
  // The lines as a whole are still the cache of the same index.
  assert.deepEqual([...serializeRunIndex(watched)].join('\n'), [...serializeRunIndex(snapshot)].join('\n'));
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

test('a cache line that names a path the table does not hold, or is not of its shape, makes the whole cache unread', async () => {
  const lines = [...serializeRunIndex(await lightningIndex())];
  const storeLine = JSON.parse(lines[3]!) as unknown[];
  const folders = JSON.parse(lines[2]!) as unknown[][];
  const damaged = {
    'folder path': [folders.map((folder, index) => (index === 0 ? [999, ...folder.slice(1)] : folder))],
    "folder's store path": [folders.map((folder) => [...folder.slice(0, 6), ['csv-logger#0', 'csv-logger', 999]])],
    'folder not an array': [[7, ...folders.slice(1)]],
    'store path': [undefined, [...storeLine.slice(0, 2), 999, ...storeLine.slice(3)]],
    // A present input is folder, name, kind, size, mtime, ctime, inode; an absent one folder, name.
    "store's file folder": [undefined, [...storeLine.slice(0, 4), [999, 0, 0, 1, 1, 1, 1], ...storeLine.slice(5)]],
    "store's file name": [undefined, [...storeLine.slice(0, 4), [0, 999, 0, 1, 1, 1, 1], ...storeLine.slice(5)]],
    "store's file cut short": [undefined, [...storeLine.slice(0, 4), [0, 0, 0, 1, 1, 1], ...storeLine.slice(5)]],
    "store's file stat not a number": [
      undefined,
      [...storeLine.slice(0, 4), [0, 0, 0, 1, '1', 1, 1], ...storeLine.slice(5)],
    ],
    "store's absent path": [undefined, [...storeLine.slice(0, 5), [999, 0], ...storeLine.slice(6)]],
    "store's absent pair cut short": [undefined, [...storeLine.slice(0, 5), [0], ...storeLine.slice(6)]],
    'store runs not a list': [undefined, [...storeLine.slice(0, 7), 3, ...storeLine.slice(8)]],
  };
  for (const [name, [foldersLine, firstStoreLine]] of Object.entries(damaged)) {
    const text = [...lines];
    if (foldersLine) text[2] = JSON.stringify(foldersLine);
    if (firstStoreLine) text[3] = JSON.stringify(firstStoreLine);
    assert.equal(deserializeRunIndex(text), undefined, name);
  }
  assert.equal(deserializeRunIndex(lines.slice(0, -1)), undefined, 'no trailer');
  assert.ok(deserializeRunIndex(lines));
});
