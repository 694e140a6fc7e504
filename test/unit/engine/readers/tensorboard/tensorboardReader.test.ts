import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { createTensorboardReader } from '../../../../../src/engine/readers/tensorboard/tensorboardReader';
import type { RunReader } from '../../../../../src/engine/runs/model';
import { walkWorkspace } from '../../../../../src/engine/workspace/walkWorkspace';
import { nodeFileSystem } from '../../../../../src/node/nodeFileSystem';
import { createMemoryFileSystem } from '../../../../support/memoryFileSystem';
import { realWorldFixtures, skipWithoutRealWorldFixtures } from '../../../../support/realWorldFixtures';
import {
  concatBytes,
  DataType,
  frameRecord,
  encodeEvent,
  scalarEvents,
  writeEventFile,
} from '../../../../support/tfeventsWriter';

const clock = { now: () => 2_000_000_000_000 };

function detectAll(
  reader: RunReader,
  fs: ReturnType<typeof createMemoryFileSystem> | typeof nodeFileSystem,
  root: string,
) {
  const stores: Array<{ source: 'tensorboard'; path: string }> = [];
  walkWorkspace(fs, root, (folder, entries) => {
    stores.push(...(reader.detect(folder, entries).stores as typeof stores));
  });
  return stores;
}

test('a PyTorch-style run (simple_value) and a TF2 run (tensor scalars) list with params, latest values and times', async () => {
  const fs = createMemoryFileSystem({
    '/ws/runs/torch/events.out.tfevents.1700000000.host.1.0': writeEventFile(
      scalarEvents('train/loss', [
        { step: 0, value: 1, wallTime: 1_700_000_000 },
        { step: 10, value: 0.5, wallTime: 1_700_000_010.5 },
      ]),
    ),
    '/ws/runs/torch/hparams.yaml': "lr: 0.01\noptimizer: !!python/name:torch.optim.adam.Adam ''\nmodel:\n  depth: 3\n",
    '/ws/runs/tf2/events.out.tfevents.1700000100.host.v2': writeEventFile([
      {
        wallTime: 1_700_000_100,
        step: 1,
        values: [
          {
            tag: 'acc',
            tensor: { dtype: DataType.float, content: new Uint8Array(new Float32Array([0.25]).buffer) },
            pluginName: 'scalars',
          },
        ],
      },
      {
        wallTime: 1_700_000_101,
        step: 2,
        values: [
          { tag: 'acc', tensor: { dtype: DataType.float, content: new Uint8Array(new Float32Array([0.75]).buffer) } },
        ],
      },
      {
        wallTime: 1_700_000_101,
        step: 2,
        values: [{ tag: 'notes', tensor: { dtype: DataType.string, stringVal: ['x'] }, pluginName: 'text' }],
      },
    ]),
  });
  const reader = createTensorboardReader({ workspaceRoot: '/ws', clock });
  const stores = detectAll(reader, fs, '/ws');
  assert.deepEqual(stores.map((store) => store.path).sort(), ['/ws/runs/tf2', '/ws/runs/torch']);
  const torch = (await reader.list({ source: 'tensorboard', path: '/ws/runs/torch' }, { fs })).runs[0]!;
  assert.equal(torch.id, 'tensorboard:runs/torch');
  assert.equal(torch.status, 'succeeded');
  assert.equal(torch.startedAt, 1_700_000_000_000);
  assert.equal(torch.endedAt, 1_700_000_010_500);
  assert.deepEqual(torch.metrics, { 'train/loss': 0.5 });
  assert.deepEqual(torch.params, { lr: 0.01, optimizer: 'torch.optim.adam.Adam', 'model.depth': 3 });
  const tf2 = await reader.series({ source: 'tensorboard', path: '/ws/runs/tf2' }, 'tensorboard:runs/tf2', { fs });
  assert.deepEqual(Object.keys(tf2.series), ['acc']);
  assert.deepEqual([...tf2.series.acc!.steps], [1, 2]);
  assert.deepEqual([...tf2.series.acc!.values], [0.25, 0.75]);
  assert.deepEqual([...tf2.series.acc!.timestamps], [1_700_000_100_000, 1_700_000_101_000]);
});

test('several event files in one folder merge in name order; a SessionLog START purges newer steps', async () => {
  const fs = createMemoryFileSystem({
    '/ws/run/events.out.tfevents.1.a': writeEventFile(
      scalarEvents(
        'loss',
        [1, 2, 3, 4].map((step) => ({ step, value: step })),
      ),
    ),
    '/ws/run/events.out.tfevents.2.a': writeEventFile([
      { wallTime: 1_700_000_100, step: 3, sessionStatus: 1 },
      ...scalarEvents('loss', [
        { step: 3, value: 30 },
        { step: 4, value: 40 },
        { step: 5, value: 50 },
      ]),
    ]),
  });
  const reader = createTensorboardReader({ workspaceRoot: '/ws', clock });
  const { series } = await reader.series({ source: 'tensorboard', path: '/ws/run' }, 'x', { fs });
  assert.deepEqual([...series.loss!.steps], [1, 2, 3, 4, 5]);
  assert.deepEqual([...series.loss!.values], [1, 2, 30, 40, 50]);
});

test('the tail reads only appended records, waits for a torn record, and resets when the file is replaced', () => {
  const path = '/ws/run/events.out.tfevents.1.host';
  const fs = createMemoryFileSystem({ [path]: writeEventFile(scalarEvents('loss', [{ step: 1, value: 1 }])) });
  const reader = createTensorboardReader({ workspaceRoot: '/ws', clock });
  const tail = reader.createTail({ source: 'tensorboard', path: '/ws/run' }, 'x');
  const first = tail.poll({ fs });
  assert.equal(first.reset, false);
  assert.deepEqual([...first.series.loss!.steps], [1]);
  const next = frameRecord(encodeEvent(scalarEvents('loss', [{ step: 2, value: 2 }])[0]!));
  fs.appendFile(path, next.subarray(0, 10));
  assert.deepEqual(tail.poll({ fs }).series, {});
  fs.appendFile(path, next.subarray(10));
  const second = tail.poll({ fs });
  assert.equal(second.reset, false);
  assert.deepEqual([...second.series.loss!.steps], [2]);
  fs.writeFileAtomic(path, writeEventFile(scalarEvents('loss', [{ step: 7, value: 7 }])));
  const third = tail.poll({ fs });
  assert.equal(third.reset, true);
  assert.deepEqual([...third.series.loss!.steps], [7]);
});

test('a run written to recently is running; a stale run that ends inside a record is interrupted', async () => {
  const bytes = writeEventFile(scalarEvents('loss', [{ step: 1, value: 1 }]));
  const fs = createMemoryFileSystem({
    '/ws/a/events.out.tfevents.1': bytes,
    '/ws/b/events.out.tfevents.1': concatBytes([bytes, bytes.subarray(0, 20)]),
  });
  const mtime = fs.stat('/ws/a/events.out.tfevents.1')!.mtimeMs;
  const fresh = createTensorboardReader({ workspaceRoot: '/ws', clock: { now: () => mtime + 1000 } });
  assert.equal((await fresh.list({ source: 'tensorboard', path: '/ws/a' }, { fs })).runs[0]!.status, 'running');
  const later = createTensorboardReader({ workspaceRoot: '/ws', clock: { now: () => mtime + 3_600_000 } });
  assert.equal((await later.list({ source: 'tensorboard', path: '/ws/a' }, { fs })).runs[0]!.status, 'succeeded');
  assert.equal((await later.list({ source: 'tensorboard', path: '/ws/b' }, { fs })).runs[0]!.status, 'interrupted');
});

test('files modified long after their last event (a copied or restored run) are not running', async () => {
  const fs = createMemoryFileSystem({ '/ws/copied/events.out.tfevents.1': new Uint8Array() });
  const mtime = fs.stat('/ws/copied/events.out.tfevents.1')!.mtimeMs;
  const write = (folder: string, lastEventBeforeMtimeMs: number) => {
    const wallTime = (mtime - lastEventBeforeMtimeMs) / 1000;
    fs.writeFileAtomic(
      `/ws/${folder}/events.out.tfevents.1`,
      writeEventFile(
        scalarEvents('loss', [
          { step: 1, value: 1, wallTime: wallTime - 1 },
          { step: 2, value: 0.5, wallTime },
        ]),
      ),
    );
    return fs.stat(`/ws/${folder}/events.out.tfevents.1`)!.mtimeMs;
  };
  const copiedMtime = write('copied', 3 * 365 * 24 * 3_600_000); // events from three years before the copy
  write('live', 90_000); // a writer that flushes every 120 s: its last event 90 s before the write
  const reader = createTensorboardReader({ workspaceRoot: '/ws', clock: { now: () => copiedMtime + 1000 } });
  const copied = (await reader.list({ source: 'tensorboard', path: '/ws/copied' }, { fs })).runs[0]!;
  assert.equal(copied.status, 'succeeded');
  assert.equal(
    copied.endedAt! - copied.startedAt!,
    1000,
    'its duration is its own, not "since it started, three years ago"',
  );
  assert.equal((await reader.list({ source: 'tensorboard', path: '/ws/live' }, { fs })).runs[0]!.status, 'running');
});

test('a corrupt record yields a located problem on the run and the other points are kept', async () => {
  const records = scalarEvents(
    'loss',
    [1, 2, 3].map((step) => ({ step, value: step })),
  ).map((event) => frameRecord(encodeEvent(event)));
  records[1]![20] = records[1]![20]! ^ 0x55;
  const fs = createMemoryFileSystem({ '/ws/r/events.out.tfevents.9': concatBytes(records) });
  const reader = createTensorboardReader({ workspaceRoot: '/ws', clock });
  const run = (await reader.list({ source: 'tensorboard', path: '/ws/r' }, { fs })).runs[0]!;
  assert.deepEqual(run.metrics, { loss: 3 });
  assert.equal(run.problems?.length, 1);
  assert.equal(run.problems?.[0]?.code, 'tfrecordDataCrcMismatch');
  assert.equal(run.problems?.[0]?.column, records[0]!.length + 1);
  assert.match(run.problems![0]!.message, new RegExp(`byte ${records[0]!.length}`));
});

test('an empty or random events file is not a run: TensorBoard ignores it, mlc reports it', async () => {
  const random = Uint8Array.from({ length: 300 }, (_value, index) => (index * 151 + 7) % 256);
  const valid = writeEventFile(scalarEvents('loss', [{ step: 1, value: 1 }]));
  const fs = createMemoryFileSystem({
    '/ws/empty/events.out.tfevents.1': new Uint8Array(0),
    '/ws/random/events.out.tfevents.1': random,
    '/ws/torn/events.out.tfevents.1': valid.subarray(0, 10), // killed inside its first record
  });
  const mtime = fs.stat('/ws/empty/events.out.tfevents.1')!.mtimeMs;
  const fresh = createTensorboardReader({ workspaceRoot: '/ws', clock: { now: () => mtime + 1000 } });
  const later = createTensorboardReader({ workspaceRoot: '/ws', clock: { now: () => mtime + 3_600_000 } });
  const list = (reader: RunReader, folder: string) => reader.list({ source: 'tensorboard', path: folder }, { fs });
  // Created a second ago and still empty: a writer that has not flushed yet, nothing to report.
  assert.deepEqual(await list(fresh, '/ws/empty'), { runs: [], problems: [] });
  for (const [reader, folder] of [
    [later, '/ws/empty'],
    [fresh, '/ws/random'],
    [later, '/ws/torn'],
  ] as const) {
    const listing = await list(reader, folder);
    assert.deepEqual(listing.runs, [], folder);
    const problem = listing.problems.find((each) => each.code === 'tensorboardNoEvents')!;
    assert.equal(problem.file, `${folder}/events.out.tfevents.1`);
    assert.equal(problem.severity, 'warning');
    assert.match(problem.message, /no valid TensorBoard event .*delete the file/);
  }
});

test('random and truncated bytes never make the reader throw', async () => {
  const valid = writeEventFile(
    scalarEvents(
      'loss',
      [1, 2, 3].map((step) => ({ step, value: step / 10 })),
    ),
  );
  const reader = createTensorboardReader({ workspaceRoot: '/ws', clock });
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ maxLength: 400 }),
      fc.nat(valid.length),
      fc.boolean(),
      async (junk, cut, prefix) => {
        const bytes = prefix ? concatBytes([valid.subarray(0, cut), junk]) : junk;
        const fs = createMemoryFileSystem({ '/ws/r/events.out.tfevents.1': bytes });
        const listing = await reader.list({ source: 'tensorboard', path: '/ws/r' }, { fs });
        const { series } = await reader.series({ source: 'tensorboard', path: '/ws/r' }, 'x', { fs });
        // A run when some record decodes; otherwise no run and a problem saying why.
        const noEvents = listing.problems.some((problem) => problem.code === 'tensorboardNoEvents');
        assert.equal(listing.runs.length, noEvents ? 0 : 1);
        if (prefix && cut === valid.length) assert.equal(listing.runs.length, 1);
        for (const values of Object.values(series)) assert.equal(values.steps.length, values.values.length);
      },
    ),
    { numRuns: 200 },
  );
});

test('real-world event files: PyTorch Lightning, CatBoost, torch SummaryWriter, Keras, HF Trainer, guild, tfevents-js', async (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const root = realWorldFixtures();
  const reader = createTensorboardReader({ workspaceRoot: root, clock });
  const stores = detectAll(reader, nodeFileSystem, root).filter((store) => store.path.includes('/tfevents-'));
  const byId = new Map<string, Awaited<ReturnType<typeof reader.list>>['runs'][number]>();
  for (const store of stores)
    for (const run of (await reader.list(store, { fs: nodeFileSystem })).runs) byId.set(run.id, run);
  assert.equal(byId.size, 10);
  for (const run of byId.values()) assert.deepEqual(run.problems ?? [], [], run.id);
  const series = async (relative: string) =>
    (await reader.series({ source: 'tensorboard', path: join(root, relative) }, 'x', { fs: nodeFileSystem })).series;

  const chapter02 = byId.get('tensorboard:tfevents-packt-dl-at-scale/a71c7d7/chapter02/lightning_logs/version_0')!;
  assert.equal(chapter02.params.backbone, 'prajjwal1/bert-tiny');
  assert.equal(chapter02.params.optimizer, 'torch.optim.adam.Adam');
  assert.equal(chapter02.metrics.val_accuracy, 0.6259999871253967);
  assert.equal(chapter02.startedAt, 1677122058937);
  const chapter02Series = await series('tfevents-packt-dl-at-scale/a71c7d7/chapter02/lightning_logs/version_0');
  // The second file (the test phase) continues the first at step 5625.
  assert.deepEqual([...chapter02Series.test_accuracy!.steps], [5625]);
  assert.equal(chapter02Series.train_accuracy_step!.steps.length, 112);

  const catboost = await series(
    'tfevents-packt-mle-catboost/main-6c93546/Chapter12/automl_pycaret/catboost_info/learn',
  );
  assert.equal(catboost.Logloss!.steps.length, 1000);
  assert.equal(
    byId.get('tensorboard:tfevents-packt-mle-catboost/main-6c93546/Chapter12/automl_pycaret/catboost_info/learn')!
      .metrics.Logloss,
    0.17236436903476715,
  );

  const strict = await series('tfevents-tensorboard-reducer/main-20684bd/tests/runs/strict/run_1');
  assert.equal(strict['strict/foo']!.steps.length, 100);
  assert.equal(strict['strict/foo']!.steps[99], 495);
  // duplicate_steps restarts at step 90: the restarted points replace the first ones (TensorBoard's purge).
  const duplicates = await series('tfevents-tensorboard-reducer/main-20684bd/tests/runs/duplicate_steps/run_1');
  assert.equal(duplicates['dup_steps/foo']!.steps.length, 200);
  assert.deepEqual([...duplicates['dup_steps/foo']!.steps.subarray(88, 92)], [88, 89, 90, 91]);

  const keras = await series('tfevents-wandb-sdk-testassets/main-b6e2950/tests/assets');
  assert.deepEqual(Object.keys(keras).sort(), [
    'batch_acc',
    'batch_loss',
    'epoch_acc',
    'epoch_loss',
    'epoch_val_acc',
    'epoch_val_loss',
  ]);
  assert.equal(keras.batch_loss!.steps.length, 17);

  const hf = byId.get('tensorboard:tfevents-uruti-hf-trainer/main-c418f23/logs_albert-base-v2')!;
  assert.equal(hf.metrics['train/train_runtime'], 19.24920082092285);
  assert.ok(!Object.keys(hf.metrics).some((name) => name.includes('text_summary')));

  assert.deepEqual(byId.get('tensorboard:tfevents-tfevents-js/main-c81dc51/src/__tests__/assets')!.metrics, {
    hello: 1,
  });
  const guild = byId.get(
    'tensorboard:tfevents-guildai/main-dfbefed/guild/tests/samples/filter-runs/ac99cff45d1044b4817ab7f7054f2d76/.guild',
  )!;
  assert.deepEqual(guild.metrics, { loss: 0.5280320048332214 });
});

test('tags interleaved in any order, a names filter, a text tag and a per-tag restart are read per tag', () => {
  const events: Parameters<typeof writeEventFile>[0][number][] = [];
  for (let step = 0; step < 6; step++) {
    for (const tag of step % 2 === 0 ? ['a', 'b', 'c'] : ['c', 'a']) {
      events.push({ wallTime: 1_700_000_000 + step, step, values: [{ tag, simpleValue: step * 10 + tag.length }] });
    }
  }
  // `b` restarts from step 2 (out of order for b only); several values in one summary; a text tensor.
  events.push({
    wallTime: 1_700_000_010,
    step: 2,
    values: [
      { tag: 'b', simpleValue: -2 },
      { tag: 'notes', tensor: { dtype: DataType.string, stringVal: ['x'] }, pluginName: 'text' },
      { tag: 'c', simpleValue: 99 },
    ],
  });
  const fs = createMemoryFileSystem({ '/ws/run/events.out.tfevents.1.host': writeEventFile(events) });
  const reader = createTensorboardReader({ workspaceRoot: '/ws', clock });
  const all = reader.createTail({ source: 'tensorboard', path: '/ws/run' }, 'x').poll({ fs }).series;
  assert.deepEqual(Object.keys(all).sort(), ['a', 'b', 'c']);
  assert.deepEqual([...all.a!.steps], [0, 1, 2, 3, 4, 5]);
  assert.deepEqual([...all.b!.steps], [0, 2]);
  assert.deepEqual([...all.b!.values], [1, -2]);
  // c's step 2 after step 5 is a restart of c too: its steps from 2 on were purged.
  assert.deepEqual([...all.c!.steps], [0, 1, 2]);
  assert.deepEqual([...all.c!.values], [1, 11, 99]);
  assert.deepEqual(
    [...all.a!.timestamps],
    [0, 1, 2, 3, 4, 5].map((step) => (1_700_000_000 + step) * 1000),
  );
  const some = reader.createTail({ source: 'tensorboard', path: '/ws/run' }, 'x', ['c', 'b']);
  assert.deepEqual(Object.keys(some.poll({ fs }).series).sort(), ['b', 'c']);
});
