import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMlcRunReader } from '../../../../src/engine/runStore/mlcRunReader';
import { markDeadRunsInterrupted, markRunInterrupted } from '../../../../src/engine/runStore/markRunInterrupted';
import { formatMetricLines } from '../../../../src/engine/runStore/metricsLog';
import { readRunRecord } from '../../../../src/engine/runStore/readRunRecord';
import type { RunRecord } from '../../../../src/engine/runStore/runRecord';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

function aRunRecord(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    schema: 1,
    id: '20261126-081500-ab12cd',
    status: 'succeeded',
    startedAt: 1000,
    endedAt: 2000,
    updatedAt: 2000,
    owner: { pid: 4242, hostname: 'box' },
    workspace: '/ws',
    targets: ['train'],
    options: { jobs: 2, force: false, keepGoing: false, runner: 'local' },
    params: { 'train.lr': 0.1 },
    metrics: { accuracy: 0.9 },
    seriesLatest: { loss: 0.2 },
    stages: [
      {
        address: 'train',
        name: 'train',
        pipeline: 'mlc.yaml',
        status: 'succeeded',
        reasons: [],
        attempts: [],
        logFile: 'logs/train.log',
      },
    ],
    ...overrides,
  };
}

const runs = '/ws/.mlc/runs';
const write = (record: RunRecord) => [`${runs}/${record.id}/run.json`, JSON.stringify(record)] as const;

test('the reader claims .mlc/runs and lists runs newest first with params, metrics and git', async () => {
  const older = aRunRecord();
  const newer = aRunRecord({ id: '20261126-091500-000001', git: { commit: 'abc', dirty: true } });
  const fs = createMemoryFileSystem(Object.fromEntries([write(older), write(newer)]));
  const reader = createMlcRunReader({ isOwnerAlive: () => false });
  const { stores } = reader.detect('/ws', [{ name: '.mlc', kind: 'directory' }]);
  assert.deepEqual(stores, [{ source: 'mlc', path: runs }]);
  const listing = await reader.list(stores[0]!, { fs });
  assert.deepEqual(
    listing.runs.map((run) => run.id),
    [newer.id, older.id],
  );
  const [first] = listing.runs;
  assert.deepEqual(first!.params, { 'train.lr': 0.1 });
  assert.deepEqual(first!.metrics, { loss: 0.2, accuracy: 0.9 });
  assert.deepEqual(first!.git, { commit: 'abc', dirty: true });
  assert.equal(first!.location, `${runs}/${newer.id}`);
});

test('a run with alerts lists their messages, metrics and steps; a run without has no alerts field', async () => {
  const alert = {
    kind: 'nonFinite',
    rule: 'loss is NaN',
    pipeline: 'mlc.yaml',
    line: 9,
    firedAt: 1500,
    metric: 'loss',
    step: 1,
    message: 'loss is NaN at step 1 of train',
  } as const;
  const alerted = aRunRecord({ alerts: [alert] });
  const quiet = aRunRecord({ id: '20261126-091500-000001' });
  const fs = createMemoryFileSystem(Object.fromEntries([write(alerted), write(quiet)]));
  const listing = await createMlcRunReader({ isOwnerAlive: () => false }).list({ source: 'mlc', path: runs }, { fs });
  assert.deepEqual(
    listing.runs.map((run) => [run.id, run.alerts]),
    [
      [quiet.id, undefined],
      [alerted.id, [{ message: 'loss is NaN at step 1 of train', metric: 'loss', step: 1 }]],
    ],
  );
});

test('a running run whose owner is dead reads as interrupted; a live one stays running with live metrics', async () => {
  const dead = aRunRecord({ id: '20261126-081500-00000a', status: 'running', owner: { pid: 1, hostname: 'box' } });
  dead.stages[0]!.status = 'running';
  const live = aRunRecord({ id: '20261126-081500-00000b', status: 'running', owner: { pid: 2, hostname: 'box' } });
  const fs = createMemoryFileSystem({
    ...Object.fromEntries([write(dead), write(live)]),
    [`${runs}/${live.id}/metrics.jsonl`]: formatMetricLines('train', [
      { name: 'loss', step: 5, value: 0.01, timestamp: 1 },
    ]),
  });
  const reader = createMlcRunReader({ isOwnerAlive: (owner) => owner.pid === 2 });
  const listing = await reader.list({ source: 'mlc', path: runs }, { fs });
  const byId = new Map(listing.runs.map((run) => [run.id, run]));
  assert.equal(byId.get(dead.id)!.status, 'interrupted');
  assert.equal(byId.get(live.id)!.status, 'running');
  assert.equal(byId.get(live.id)!.metrics.loss, 0.01);
  const shown = readRunRecord(fs, `${runs}/${dead.id}`, () => false).value!;
  assert.equal(shown.stages[0]!.status, 'cancelled');
});

test('a run whose every started stage waits in a Slurm queue lists as queued, then running once one starts', async () => {
  const record = aRunRecord({ id: '20261126-081500-00000c', status: 'running', owner: { pid: 2, hostname: 'box' } });
  record.stages[0]!.status = 'running';
  record.stages[0]!.queuedReason = 'PartitionDown';
  const reader = createMlcRunReader({ isOwnerAlive: () => true });
  const status = async () =>
    (
      await reader.list(
        { source: 'mlc', path: runs },
        { fs: createMemoryFileSystem(Object.fromEntries([write(record)])) },
      )
    ).runs[0]!.status;
  assert.equal(await status(), 'queued');
  delete record.stages[0]!.queuedReason;
  assert.equal(await status(), 'running');
});

test('a garbage run.json still lists the run (id from its folder, interrupted) with a located problem', async () => {
  const good = aRunRecord();
  const damaged = '20261126-000000-ffffff';
  const fs = createMemoryFileSystem({
    ...Object.fromEntries([write(good)]),
    [`${runs}/${damaged}/run.json`]: '{"id": "x",\n "status": oops,\n "stages": []}',
    [`${runs}/20261125-000000-eeeeee/run.json`]: '[1, 2]',
  });
  const listing = await createMlcRunReader({ isOwnerAlive: () => false }).list({ source: 'mlc', path: runs }, { fs });
  assert.deepEqual(
    listing.runs.map((run) => [run.id, run.status]),
    [
      [good.id, 'succeeded'],
      [damaged, 'interrupted'],
      ['20261125-000000-eeeeee', 'interrupted'],
    ],
  );
  const unreadable = listing.runs[1]!;
  assert.equal(unreadable.startedAt, Date.UTC(2026, 10, 26, 0, 0, 0));
  assert.equal(unreadable.location, `${runs}/${damaged}`);
  assert.deepEqual(
    unreadable.problems!.map((problem) => [problem.code, problem.file, problem.line]),
    [['runRecordUnreadable', `${runs}/${damaged}/run.json`, 2]],
  );
  assert.match(unreadable.problems![0]!.message, /delete the folder/);
  assert.deepEqual(
    listing.problems.map((problem) => problem.code),
    ['runRecordUnreadable', 'runRecordUnreadable'],
  );
});

test('a run.json of valid JSON with a field of the wrong shape is listed as unreadable, naming the field; a missing targets means every stage', async () => {
  const good = aRunRecord();
  const { targets: _targets, ...withoutTargets } = aRunRecord({ id: '20261127-000000-aaaaaa' });
  const misshapen: Record<string, unknown> = {
    '20261126-000000-aaaaaa': { ...aRunRecord({ id: '20261126-000000-aaaaaa' }), targets: { train: true } },
    '20261126-000000-bbbbbb': { ...aRunRecord({ id: '20261126-000000-bbbbbb' }), params: 'lr=0.1' },
    '20261126-000000-cccccc': { ...aRunRecord({ id: '20261126-000000-cccccc' }), stages: [null] },
    '20261126-000000-dddddd': { ...aRunRecord({ id: '20261126-000000-dddddd' }), owner: { pid: 'x' } },
  };
  const fs = createMemoryFileSystem({
    ...Object.fromEntries([write(good)]),
    [`${runs}/${withoutTargets.id}/run.json`]: JSON.stringify(withoutTargets),
    ...Object.fromEntries(
      Object.entries(misshapen).map(([id, record]) => [`${runs}/${id}/run.json`, JSON.stringify(record)]),
    ),
  });
  const listing = await createMlcRunReader({ isOwnerAlive: () => true }).list({ source: 'mlc', path: runs }, { fs });
  assert.deepEqual(
    listing.runs.map((run) => [run.id, run.status, run.name]),
    [
      [withoutTargets.id, 'succeeded', 'train'],
      [good.id, 'succeeded', 'train'],
      ...Object.keys(misshapen)
        .sort()
        .reverse()
        .map((id) => [id, 'interrupted', 'run.json unreadable']),
    ],
  );
  assert.deepEqual(
    listing.problems.map((problem) => /\(`(\w+)`/.exec(problem.message)?.[1]),
    ['owner', 'stages', 'params', 'targets'],
  );
});

test('series come from metrics.jsonl, ignoring a torn last line', async () => {
  const record = aRunRecord();
  const lines = formatMetricLines('train', [
    { name: 'loss', step: 1, value: 0.5, timestamp: 1 },
    { name: 'loss', step: 2, value: 0.4, timestamp: 2 },
  ]);
  const fs = createMemoryFileSystem({
    ...Object.fromEntries([write(record)]),
    [`${runs}/${record.id}/metrics.jsonl`]: `${lines}{"na`,
  });
  const result = await createMlcRunReader({ isOwnerAlive: () => false }).series(
    { source: 'mlc', path: runs },
    record.id,
    { fs },
  );
  assert.deepEqual([...result.series.loss!.values], [0.5, 0.4]);
});

test('markRunInterrupted rewrites a dead run and its stages, and leaves finished runs alone', () => {
  const dead = aRunRecord({ status: 'running' });
  dead.stages[0]!.status = 'running';
  const fs = createMemoryFileSystem({
    ...Object.fromEntries([write(dead)]),
    [`${runs}/${dead.id}/events.jsonl`]: '{"type":"stageSta',
  });
  const clock = { now: () => 5000 };
  assert.equal(markRunInterrupted(fs, clock, `${runs}/${dead.id}`, 'interrupted: gone'), true);
  const rewritten = JSON.parse(fs.readText(`${runs}/${dead.id}/run.json`)) as RunRecord;
  assert.equal(rewritten.status, 'interrupted');
  assert.equal(rewritten.stages[0]!.status, 'cancelled');
  assert.equal(
    fs.readText(`${runs}/${dead.id}/events.jsonl`),
    '{"type":"stageSta\n{"time":5000,"type":"runInterrupted"}\n',
  );
  assert.equal(markRunInterrupted(fs, clock, `${runs}/${dead.id}`, 'again'), false);
});

test('with the workspace lock held, every recent record still saying running is rewritten as interrupted', () => {
  const dead = aRunRecord({ id: '20261126-081500-00000a', status: 'running' });
  const finished = aRunRecord({ id: '20261126-081600-00000b' });
  const fs = createMemoryFileSystem(Object.fromEntries([write(dead), write(finished)]));
  assert.deepEqual(markDeadRunsInterrupted(fs, { now: () => 1 }, runs), [dead.id]);
  assert.equal((JSON.parse(fs.readText(`${runs}/${dead.id}/run.json`)) as RunRecord).status, 'interrupted');
  assert.deepEqual(markDeadRunsInterrupted(fs, { now: () => 1 }, '/ws/none'), []);
});

test('a finished record is recognised from its first bytes (never parsed whole); one written in another layout is parsed', () => {
  const finished = aRunRecord({ id: '20261126-081600-00000b', message: 'x'.repeat(600) });
  const compact = aRunRecord({ id: '20261126-081700-00000c', status: 'running' });
  const pretty = JSON.stringify(finished, null, 2);
  const fs = createMemoryFileSystem({
    // The recorder's layout, plus a later duplicate key that a full parse would read as running:
    // the top-level status in the first bytes alone decides.
    [`${runs}/${finished.id}/run.json`]: `${pretty.slice(0, -2)},\n  "status": "running"\n}\n`,
    // One line, status not at the two-space indent: parsed in full, found running, rewritten.
    [`${runs}/${compact.id}/run.json`]: JSON.stringify(compact),
  });
  assert.deepEqual(markDeadRunsInterrupted(fs, { now: () => 1 }, runs), [compact.id]);
  assert.match(fs.readText(`${runs}/${finished.id}/run.json`), /"status": "running"\n}\n$/);
  assert.equal((JSON.parse(fs.readText(`${runs}/${compact.id}/run.json`)) as RunRecord).status, 'interrupted');
});

test('a metrics.jsonl too big for one string is read in chunks, not reported as holding no series', async () => {
  const record = aRunRecord();
  const metricsPath = `${runs}/${record.id}/metrics.jsonl`;
  const memory = createMemoryFileSystem({
    ...Object.fromEntries([write(record)]),
    [metricsPath]: formatMetricLines('train', [
      { name: 'loss', step: 1, value: 0.5, timestamp: 1 },
      { name: 'loss', step: 2, value: 0.4, timestamp: 2 },
    ]),
  });
  // Node's readFileSync(..., 'utf8') fails this way past V8's string limit (about 512 MiB).
  const fs = {
    ...memory,
    readText(path: string) {
      if (path === metricsPath) throw new Error('Cannot create a string longer than 0x1fffffe8 characters');
      return memory.readText(path);
    },
  };
  const result = await createMlcRunReader({ isOwnerAlive: () => false }).series(
    { source: 'mlc', path: runs },
    record.id,
    { fs },
  );
  assert.deepEqual([...result.series.loss!.values], [0.5, 0.4]);
  assert.deepEqual(result.problems, []);
});

test('lines of metrics.jsonl that are not points are reported at their line; the other points are read', async () => {
  const record = aRunRecord();
  const point = (step: number) => formatMetricLines('train', [{ name: 'loss', step, value: step, timestamp: 1 }]);
  const fs = createMemoryFileSystem({
    ...Object.fromEntries([write(record)]),
    [`${runs}/${record.id}/metrics.jsonl`]: `${point(1)}not json\n${point(2)}{"name":"loss"}\n${point(3)}`,
  });
  const result = await createMlcRunReader({ isOwnerAlive: () => false }).series(
    { source: 'mlc', path: runs },
    record.id,
    { fs },
  );
  assert.deepEqual([...result.series.loss!.steps], [1, 2, 3]);
  assert.deepEqual(
    result.problems.map((problem) => [problem.code, problem.file, problem.line]),
    [['seriesRowSkipped', `${runs}/${record.id}/metrics.jsonl`, 2]],
  );
  assert.match(result.problems[0]!.message, /^2 line\(s\)/);
});
