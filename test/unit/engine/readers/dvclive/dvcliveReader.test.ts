import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { createDvcliveReader } from '../../../../../src/engine/readers/dvclive/dvcliveReader';
import type { RunReader, RunStoreLocation } from '../../../../../src/engine/runs/model';
import { walkWorkspace } from '../../../../../src/engine/workspace/walkWorkspace';
import { nodeFileSystem } from '../../../../../src/node/nodeFileSystem';
import { dvcliveFiles, dvcliveTsv } from '../../../../support/dvcliveWriter';
import { createMemoryFileSystem } from '../../../../support/memoryFileSystem';
import { realWorldFixtures, skipWithoutRealWorldFixtures } from '../../../../support/realWorldFixtures';

const longAgo = { now: () => 2_000_000_000_000 };
const store = (path: string): RunStoreLocation => ({ source: 'dvclive', path });

function detectAll(reader: RunReader, fs: Parameters<typeof walkWorkspace>[0], root: string): RunStoreLocation[] {
  const stores: RunStoreLocation[] = [];
  walkWorkspace(fs, root, (folder, entries) => {
    stores.push(...reader.detect(folder, entries).stores);
  });
  return stores;
}

test('a DVCLive folder lists params, the summary (nested names), times from the timestamp column', async () => {
  const fs = createMemoryFileSystem(
    dvcliveFiles({
      folder: '/ws/dvclive',
      params: 'lr: 0.001\nmodel:\n  layers: [64, 32]\n',
      series: {
        'train/loss': [
          { step: 0, value: 0.9, timestamp: 1_700_000_000_000 },
          { step: 1, value: 0.5, timestamp: 1_700_000_060_000 },
        ],
        acc: [
          { step: 0, value: 0.1 },
          { step: 1, value: Number.NaN },
        ],
      },
    }),
  );
  const reader = createDvcliveReader({ workspaceRoot: '/ws', clock: longAgo });
  assert.deepEqual(detectAll(reader, fs, '/ws'), [store('/ws/dvclive')]);
  const [run] = (await reader.list(store('/ws/dvclive'), { fs })).runs;
  assert.equal(run!.id, 'dvclive:dvclive');
  assert.equal(run!.status, 'succeeded');
  assert.deepEqual(run!.params, { lr: 0.001, 'model.layers': '[64,32]' });
  assert.equal(run!.metrics['train/loss'], 0.5);
  assert.ok(Number.isNaN(run!.metrics.acc));
  assert.equal(run!.startedAt, 1_700_000_000_000);
  assert.equal(run!.endedAt, 1_700_000_060_000);
  const { series } = await reader.series(store('/ws/dvclive'), run!.id, { fs }, ['train/loss']);
  assert.deepEqual(Object.keys(series), ['train/loss']);
  assert.deepEqual([...series['train/loss']!.timestamps], [1_700_000_000_000, 1_700_000_060_000]);
});

test('rows wider or narrower than the header (timestamp switched on or off) are read per row; CRLF too', async () => {
  const text = 'step\tloss\r\n0\t1.5\r\n1700000000123\t1\t0.5\r\n2\tinf\r\n3\thello\r\n';
  const fs = createMemoryFileSystem({
    '/ws/out/plots/metrics/loss.tsv': text,
    '/ws/out/metrics.json': '{"loss": 0.5}',
  });
  const reader = createDvcliveReader({ workspaceRoot: '/ws', clock: longAgo });
  const { series, problems } = await reader.series(store('/ws/out'), 'x', { fs });
  assert.deepEqual([...series.loss!.steps], [0, 1, 2]);
  assert.deepEqual([...series.loss!.values], [1.5, 0.5, Number.POSITIVE_INFINITY]);
  assert.ok(Number.isNaN(series.loss!.timestamps[0]!));
  assert.equal(series.loss!.timestamps[1], 1700000000123);
  assert.deepEqual(
    problems.map((problem) => [problem.code, problem.line]),
    [['seriesRowSkipped', 5]],
  );
});

test('status: a live pid in the signal file means running, a dead one interrupted; no summary and stale is interrupted', async () => {
  const files = dvcliveFiles({ folder: '/ws/dvclive', series: { loss: [{ step: 0, value: 1 }] } });
  const fs = createMemoryFileSystem({
    ...files,
    '/ws/.dvc/tmp/exps/run/DVCLIVE_STEP_COMPLETED': '{"pid": 4242, "step": 0}',
  });
  const written = fs.stat('/ws/dvclive/metrics.json')!.mtimeMs;
  const now = () => written + 3_600_000;
  const alive = createDvcliveReader({ workspaceRoot: '/ws', clock: { now }, isProcessAlive: (pid) => pid === 4242 });
  const dead = createDvcliveReader({ workspaceRoot: '/ws', clock: { now }, isProcessAlive: () => false });
  assert.equal((await alive.list(store('/ws/dvclive'), { fs })).runs[0]!.status, 'running');
  assert.equal((await dead.list(store('/ws/dvclive'), { fs })).runs[0]!.status, 'interrupted');
  fs.remove('/ws/.dvc');
  assert.equal((await dead.list(store('/ws/dvclive'), { fs })).runs[0]!.status, 'succeeded');
  fs.remove('/ws/dvclive/metrics.json');
  assert.equal((await dead.list(store('/ws/dvclive'), { fs })).runs[0]!.status, 'interrupted');
  const fresh = createDvcliveReader({ workspaceRoot: '/ws', clock: { now: () => now() - 3_600_000 + 5_000 } });
  assert.equal((await fresh.list(store('/ws/dvclive'), { fs })).runs[0]!.status, 'running');
});

test('an empty metrics.json (being rewritten) and malformed params.yaml give problems, not failures', async () => {
  const fs = createMemoryFileSystem({
    ...dvcliveFiles({ folder: '/ws/dvclive', series: { loss: [{ step: 3, value: 0.25 }] } }),
    '/ws/dvclive/metrics.json': '',
    '/ws/dvclive/params.yaml': 'lr: [1\nbad: : :\n',
  });
  const [run] = (await createDvcliveReader({ workspaceRoot: '/ws', clock: longAgo }).list(store('/ws/dvclive'), { fs }))
    .runs;
  assert.equal(run!.metrics.loss, 0.25);
  const codes = run!.problems!.map((problem) => problem.code);
  assert.ok(codes.includes('dvcliveSummaryInvalid'));
  assert.ok(codes.includes('paramsYamlInvalid'));
  const yamlProblem = run!.problems!.find((problem) => problem.code === 'paramsYamlInvalid')!;
  assert.equal(yamlProblem.file, '/ws/dvclive/params.yaml');
  assert.ok(yamlProblem.line >= 1);
});

test('a DVC project root with metrics.json and plots/ but no plots/metrics is not a DVCLive run', async () => {
  const fs = createMemoryFileSystem({
    '/ws/metrics.json': '{"acc": 1}',
    '/ws/plots/confusion.csv': 'a,b\n',
    '/ws/dvc.yaml': 'stages: {}\n',
  });
  const reader = createDvcliveReader({ workspaceRoot: '/ws', clock: longAgo });
  const stores = detectAll(reader, fs, '/ws');
  assert.deepEqual(stores, [store('/ws')]);
  assert.deepEqual((await reader.list(stores[0]!, { fs })).runs, []);
});

test('the tail follows appended rows, keeps a torn line for later and resets when DVCLive restarts the folder', () => {
  const path = '/ws/dvclive/plots/metrics/loss.tsv';
  const fs = createMemoryFileSystem({ [path]: dvcliveTsv('loss', [{ step: 0, value: 1 }]) });
  const tail = createDvcliveReader({ workspaceRoot: '/ws', clock: longAgo }).createTail(store('/ws/dvclive'), 'x');
  assert.deepEqual([...tail.poll({ fs }).series.loss!.values], [1]);
  fs.appendFile(path, '1\t0.5\n2\t0.');
  const second = tail.poll({ fs });
  assert.deepEqual([...second.series.loss!.steps], [1]);
  fs.appendFile(path, '25\n');
  assert.deepEqual([...tail.poll({ fs }).series.loss!.values], [0.25]);
  fs.appendFile('/ws/dvclive/plots/metrics/val/acc.tsv', 'step\tacc\n0\t0.9\n');
  const added = tail.poll({ fs });
  assert.equal(added.reset, false);
  assert.deepEqual(Object.keys(added.series), ['val/acc']);
  fs.writeFileAtomic(path, dvcliveTsv('loss', [{ step: 0, value: 7 }]));
  const restarted = tail.poll({ fs });
  assert.equal(restarted.reset, true);
  assert.deepEqual([...restarted.series.loss!.values], [7]);
  assert.deepEqual([...restarted.series['val/acc']!.values], [0.9]);
});

test('random bytes in a TSV and metrics.json never make the reader throw', async () => {
  const reader = createDvcliveReader({ workspaceRoot: '/ws', clock: longAgo });
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.string({ maxLength: 60 }), async (tsv, json) => {
      const fs = createMemoryFileSystem({
        '/ws/dvclive/plots/metrics/x.tsv': tsv,
        '/ws/dvclive/metrics.json': json,
        '/ws/dvclive/params.yaml': json,
      });
      const listing = await reader.list(store('/ws/dvclive'), { fs });
      assert.equal(listing.runs.length, 1);
      const { series } = await reader.series(store('/ws/dvclive'), 'x', { fs });
      for (const values of Object.values(series)) assert.equal(values.steps.length, values.timestamps.length);
    }),
    { numRuns: 200 },
  );
});

test('real-world DVCLive output: Lightning logger, HF callback, 1000-step demo, 0.x layout, DVCLive 1.x', async (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const root = realWorldFixtures();
  const reader = createDvcliveReader({ workspaceRoot: root, clock: longAgo });
  const runs = new Map<string, Awaited<ReturnType<typeof reader.list>>['runs'][number]>();
  for (const found of detectAll(reader, nodeFileSystem, root)) {
    for (const run of (await reader.list(found, { fs: nodeFileSystem })).runs) runs.set(run.id, run);
  }
  assert.deepEqual([...runs.keys()].sort(), [
    'dvclive:dvc-alex000kim-llm-finetune/main-768bec9/dvclive',
    'dvclive:dvc-example-dvc-experiments/main-48b1e50/dvclive',
    'dvclive:dvc-example-get-started-experiments/tune-arch-e6e4570/results/train',
    'dvclive:dvc-example-get-started/dvclive-41fe2f3/dvclive',
    'dvclive:dvc-example-get-started/pr35-021e6cf/evaluation',
    'dvclive:dvc-vscode-dvc-demo/thousand-images-64fa614/training',
    'dvclive:dvclive-iterative-dvclive-exp-tracking/main-ce14a78/dvclive',
  ]);
  const lightning = runs.get('dvclive:dvclive-iterative-dvclive-exp-tracking/main-ce14a78/dvclive')!;
  assert.deepEqual(lightning.params, { encoder_size: 64, lr: 0.001 });
  assert.deepEqual(lightning.metrics, { epoch: 4, 'train/loss': 0.05616318807005882 });
  const lightningSeries = (
    await reader.series(
      store(join(root, 'dvclive-iterative-dvclive-exp-tracking/main-ce14a78/dvclive')),
      lightning.id,
      { fs: nodeFileSystem },
    )
  ).series;
  assert.deepEqual([...lightningSeries['train/loss']!.steps.subarray(0, 3)], [49, 99, 149]);
  assert.equal(lightningSeries['train/loss']!.values[0], 0.07851636409759521);

  const hf = runs.get('dvclive:dvc-alex000kim-llm-finetune/main-768bec9/dvclive')!;
  assert.equal(hf.metrics['eval/loss'], 0.7261927127838135);
  assert.equal(hf.params.adam_epsilon, 1e-8);
  const demo = (
    await reader.series(store(join(root, 'dvc-vscode-dvc-demo/thousand-images-64fa614/training')), 'x', {
      fs: nodeFileSystem,
    })
  ).series;
  assert.deepEqual(Object.keys(demo).sort(), ['test/acc', 'test/loss', 'train/acc', 'train/loss']);
  assert.equal(demo['train/loss']!.steps.length, 1000);
  assert.equal(runs.get('dvclive:dvc-vscode-dvc-demo/thousand-images-64fa614/training')!.metrics['test/acc'], 0.9698);

  const legacy = runs.get('dvclive:dvc-example-dvc-experiments/main-48b1e50/dvclive')!;
  assert.equal(legacy.startedAt, 1644420777053);
  assert.deepEqual(Object.keys(legacy.metrics).sort(), ['acc', 'loss', 'val_acc', 'val_loss']);
  assert.deepEqual(runs.get('dvclive:dvc-example-get-started/pr35-021e6cf/evaluation')!.metrics, {
    avg_prec: 0.9268792615819422,
    roc_auc: 0.945093365854111,
  });
  assert.deepEqual(runs.get('dvclive:dvc-example-get-started/dvclive-41fe2f3/dvclive')!.metrics, {});
  for (const run of runs.values()) assert.deepEqual(run.problems ?? [], [], run.id);
});

test('TSV lines without tabs cost no scan of the rest of the block', async () => {
  const lines = Array.from({ length: 100_000 }, (_value, step) => (step % 2 === 0 ? `${step}\t0.5` : 'no tab here'));
  const fs = createMemoryFileSystem({
    '/ws/d/plots/metrics/x.tsv': `step\tx\n${lines.join('\n')}\n`,
    '/ws/d/metrics.json': '{}',
  });
  const started = performance.now();
  const { series, problems } = await createDvcliveReader({ workspaceRoot: '/ws', clock: longAgo }).series(
    store('/ws/d'),
    'x',
    { fs },
  );
  assert.ok(performance.now() - started < 10_000);
  assert.equal(series.x!.steps.length, 50_000);
  assert.equal(problems[0]!.code, 'seriesRowSkipped');
});

test('a row that fits no DVCLive layout is skipped with a located problem, never shifted into the step column', async () => {
  const text = [
    'timestamp\tstep\tloss',
    '1700000000000\t0\t0.9',
    '1700000000001\t1', // lost its value: the timestamp must not become step 1700000000001
    '2\t0.7', // timestamp switched off: step, value
    '1700000000003\t3\t0.6\t9', // one field too many
    '4', // one field
    '1700000000005\t5\t0.5',
    '',
  ].join('\n');
  const fs = createMemoryFileSystem({ '/ws/out/plots/metrics/loss.tsv': text, '/ws/out/metrics.json': '{}' });
  const reader = createDvcliveReader({ workspaceRoot: '/ws', clock: longAgo });
  const { series, problems } = await reader.series(store('/ws/out'), 'x', { fs });
  assert.deepEqual([...series.loss!.steps], [0, 2, 5]);
  assert.deepEqual([...series.loss!.values], [0.9, 0.7, 0.5]);
  assert.deepEqual(
    problems.map((problem) => [problem.code, problem.file, problem.line, problem.severity]),
    [['seriesRowSkipped', '/ws/out/plots/metrics/loss.tsv', 3, 'warning']],
  );
  assert.match(problems[0]!.message, /^3 row\(s\) of loss .*this one has 2 field\(s\), the header has 3/);
});

test('a metrics.json that is not a JSON object, or broken JSON, is reported at its place; series values stand in', async () => {
  const reader = createDvcliveReader({ workspaceRoot: '/ws', clock: longAgo });
  for (const [summary, line] of [
    ['[1, 2]\n', 1],
    ['"done"', 1],
    ['{\n    "loss": 0.5,\n    "acc": \n}\n', 4],
  ] as const) {
    const fs = createMemoryFileSystem({
      ...dvcliveFiles({ folder: '/ws/dvclive', series: { loss: [{ step: 3, value: 0.25 }] } }),
      '/ws/dvclive/metrics.json': summary,
    });
    const [run] = (await reader.list(store('/ws/dvclive'), { fs })).runs;
    assert.equal(run!.metrics.loss, 0.25, summary);
    const problem = run!.problems!.find((each) => each.code === 'dvcliveSummaryInvalid');
    assert.ok(problem, summary);
    assert.equal(problem.severity, 'warning');
    assert.equal(problem.file, '/ws/dvclive/metrics.json');
    assert.equal(problem.line, line, summary);
  }
});
