import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { createCsvLoggerReader, isCsvLogHeader } from '../../../../../src/engine/readers/csvLogger/csvLoggerReader';
import type { RunReader, RunStoreLocation } from '../../../../../src/engine/runs/model';
import { walkWorkspace } from '../../../../../src/engine/workspace/walkWorkspace';
import { nodeFileSystem } from '../../../../../src/node/nodeFileSystem';
import { kerasCsvLog, lightningMetricsCsv } from '../../../../support/csvLoggerWriter';
import { createMemoryFileSystem } from '../../../../support/memoryFileSystem';
import { realWorldFixtures, skipWithoutRealWorldFixtures } from '../../../../support/realWorldFixtures';

const longAgo = { now: () => 2_000_000_000_000 };
const store = (path: string): RunStoreLocation => ({ source: 'csv', path });

function detectAll(reader: RunReader, fs: Parameters<typeof walkWorkspace>[0], root: string): RunStoreLocation[] {
  const stores: RunStoreLocation[] = [];
  walkWorkspace(fs, root, (folder, entries) => {
    stores.push(...reader.detect(folder, entries).stores);
  });
  return stores;
}

async function listAll(reader: RunReader, fs: Parameters<typeof walkWorkspace>[0], root: string) {
  const runs = [];
  for (const found of detectAll(reader, fs, root)) runs.push(...(await reader.list(found, { fs })).runs);
  return runs;
}

test('Keras CSVLogger: epoch is the x axis, NA is no value, CRLF lines, id is the file', async () => {
  const fs = createMemoryFileSystem({
    '/ws/logs/training.log': kerasCsvLog([
      { epoch: 0, loss: 0.5, accuracy: 0.8, val_loss: undefined },
      { epoch: 1, loss: 0.25, accuracy: 0.9, val_loss: 0.3 },
    ]),
  });
  const reader = createCsvLoggerReader({ workspaceRoot: '/ws', clock: longAgo });
  const [run] = await listAll(reader, fs, '/ws');
  assert.equal(run!.id, 'csv:logs/training.log');
  assert.deepEqual(run!.metrics, { accuracy: 0.9, loss: 0.25, val_loss: 0.3 });
  const { series } = await reader.series(store('/ws/logs/training.log'), run!.id, { fs });
  assert.deepEqual([...series.val_loss!.steps], [1]);
  assert.deepEqual([...series.loss!.steps], [0, 1]);
  assert.equal(series.epoch, undefined);
});

test('Lightning metrics.csv: sparse rows, step as x, epoch as a series, hparams.yaml as params', async () => {
  const fs = createMemoryFileSystem({
    '/ws/lightning_logs/version_0/metrics.csv': lightningMetricsCsv([
      { epoch: 0, step: 49, train_loss: 0.61 },
      { epoch: 0, step: 99, train_loss: 0.43 },
      { epoch: 0, step: 99, val_loss: 0.4 },
    ]),
    '/ws/lightning_logs/version_0/hparams.yaml': 'lr: 0.1\nbatch_size: 32\n',
  });
  const reader = createCsvLoggerReader({ workspaceRoot: '/ws', clock: longAgo });
  const [run] = await listAll(reader, fs, '/ws');
  assert.equal(run!.id, 'csv:lightning_logs/version_0');
  assert.deepEqual(run!.params, { lr: 0.1, batch_size: 32 });
  assert.deepEqual(run!.metrics, { epoch: 0, train_loss: 0.43, val_loss: 0.4 });
  const { series } = await reader.series(store('/ws/lightning_logs/version_0'), run!.id, { fs });
  assert.deepEqual([...series.train_loss!.steps], [49, 99]);
  assert.deepEqual([...series.val_loss!.steps], [99]);
  assert.deepEqual([...series.epoch!.values], [0, 0, 0]);
});

test('only CSV files with a training-log name and an epoch/step header are claimed', async () => {
  assert.equal(isCsvLogHeader('epoch,loss', false), true);
  assert.equal(isCsvLogHeader('loss,epoch', false), false);
  assert.equal(isCsvLogHeader('epoch', false), false);
  assert.equal(isCsvLogHeader('train_loss,step', true), true);
  assert.equal(isCsvLogHeader('a,b', true), false);
  const fs = createMemoryFileSystem({
    '/ws/data/train.csv': 'id,feature,label\n1,2,3\n',
    '/ws/data/customers.csv': 'epoch,loss\n0,1\n',
    '/ws/history.csv': 'epoch,loss\r\n0,1\r\n',
    '/ws/plots/metrics.csv': 'x,y\n1,2\n',
  });
  const runs = await listAll(createCsvLoggerReader({ workspaceRoot: '/ws', clock: longAgo }), fs, '/ws');
  assert.deepEqual(
    runs.map((run) => run.id),
    ['csv:history.csv'],
  );
});

test('a Lightning rewrite with a wider header is seen as a replaced file; a torn last row waits', () => {
  const path = '/ws/v/metrics.csv';
  const fs = createMemoryFileSystem({
    [path]: lightningMetricsCsv([{ step: 1, loss: 1 }], { columns: ['step', 'loss'] }),
  });
  const tail = createCsvLoggerReader({ workspaceRoot: '/ws', clock: longAgo }).createTail(store('/ws/v'), 'x');
  assert.deepEqual([...tail.poll({ fs }).series.loss!.values], [1]);
  fs.appendFile(path, '2,0.5\r\n3,0.2');
  assert.deepEqual([...tail.poll({ fs }).series.loss!.steps], [2]);
  fs.appendFile(path, '5\r\n');
  assert.deepEqual([...tail.poll({ fs }).series.loss!.values], [0.25]);
  fs.writeFileAtomic(
    path,
    lightningMetricsCsv([
      { step: 1, loss: 1, acc: 0.5 },
      { step: 2, loss: 0.5, acc: 0.7 },
    ]),
  );
  const rewritten = tail.poll({ fs });
  assert.equal(rewritten.reset, true);
  assert.deepEqual([...rewritten.series.acc!.values], [0.5, 0.7]);
  assert.deepEqual([...rewritten.series.loss!.steps], [1, 2]);
});

test('random bytes in a metrics.csv never make the reader throw', async () => {
  const reader = createCsvLoggerReader({ workspaceRoot: '/ws', clock: longAgo });
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.boolean(), async (bytes, withHeader) => {
      const header = new TextEncoder().encode(withHeader ? 'epoch,step,loss\n' : '');
      const fs = createMemoryFileSystem({ '/ws/v/metrics.csv': new Uint8Array([...header, ...bytes]) });
      const listing = await reader.list(store('/ws/v'), { fs });
      assert.ok(listing.runs.length <= 1);
      const { series } = await reader.series(store('/ws/v'), 'x', { fs });
      for (const values of Object.values(series)) assert.equal(values.steps.length, values.values.length);
    }),
    { numRuns: 200 },
  );
});

test('real-world Keras and Lightning CSV logs', async (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const root = realWorldFixtures();
  const reader = createCsvLoggerReader({ workspaceRoot: root, clock: longAgo });
  const runs = new Map((await listAll(reader, nodeFileSystem, root)).map((run) => [run.id, run]));
  assert.deepEqual([...runs.keys()].filter((id) => id.startsWith('csv:csvlogger-')).sort(), [
    'csv:csvlogger-keras-emotion-resnet50/65f5765/training.log',
    'csv:csvlogger-keras-voice-identification/7353dfd/training.log',
    'csv:csvlogger-pl-arcroute/40b7d95/lightning_logs/version_0',
    'csv:csvlogger-pl-binn-fork/d3be59b/lightning_logs/version_0',
    'csv:csvlogger-pl-binn-fork/d3be59b/lightning_logs/version_81',
    'csv:csvlogger-pl-genrisk/92f37c6/lightning_logs/version_0',
    'csv:csvlogger-pl-genrisk/92f37c6/lightning_logs/version_4',
    'csv:csvlogger-pl-self-ensembling/fac29b4/lightning_logs/version_0',
  ]);
  const voice = runs.get('csv:csvlogger-keras-voice-identification/7353dfd/training.log')!;
  assert.deepEqual(voice.metrics, { acc: 1, loss: 0.004968041816027835, val_acc: 1, val_loss: 0.12048257887363434 });
  const series = async (relative: string) =>
    (await reader.series(store(join(root, relative)), 'x', { fs: nodeFileSystem })).series;
  const voiceSeries = await series('csvlogger-keras-voice-identification/7353dfd/training.log');
  assert.equal(voiceSeries.acc!.values[0], 0.55454545346173378);
  assert.deepEqual([...voiceSeries.acc!.steps], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const arcroute = await series('csvlogger-pl-arcroute/40b7d95/lightning_logs/version_0');
  assert.equal(arcroute['val/reward']!.steps.length, 17);
  assert.equal(arcroute['val/reward']!.steps[0], 488);
  assert.equal(arcroute['train/loss']!.values[0], -0.02284548431634903);
  const genrisk = await series('csvlogger-pl-genrisk/92f37c6/lightning_logs/version_0');
  assert.equal(genrisk.train_disc_loss!.values[0], 1.6226933508321501e24);
  assert.ok(Number.isNaN(genrisk.train_disc_loss!.values[1]!));
  const binn = runs.get('csv:csvlogger-pl-binn-fork/d3be59b/lightning_logs/version_81')!;
  assert.equal(binn.metrics.epoch, 29);
  assert.equal(binn.metrics.train_acc, 0.7664974331855774);
  assert.deepEqual(runs.get('csv:csvlogger-pl-self-ensembling/fac29b4/lightning_logs/version_0')!.metrics, {
    epoch: 0,
    train_loss: 24480.578125,
  });
});

test('a training log that a pipeline stage declares as an output is part of the pipeline runs, not a run of its own', async () => {
  const log = kerasCsvLog([{ epoch: 0, loss: 0.5, accuracy: 0.8 }]);
  const fs = createMemoryFileSystem({
    '/ws/project/mlc.yaml': 'stages:\n  train:\n    cmd: python3 train.py\n    plots: [logs/train.csv]\n',
    '/ws/project/logs/train.csv': log,
    '/ws/notebooks/logs/train.csv': log,
  });
  const reader = createCsvLoggerReader({ workspaceRoot: '/ws', clock: longAgo });
  const runs = await listAll(reader, fs, '/ws');
  assert.deepEqual(
    runs.map((run) => run.id),
    ['csv:notebooks/logs/train.csv'],
  );
});
