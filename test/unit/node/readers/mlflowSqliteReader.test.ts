import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import initSqlJs from 'sql.js';
import type { FileSystem } from '../../../../src/engine/ports';
import type { RunStoreLocation } from '../../../../src/engine/runs/model';
import { readMlflowRegistry } from '../../../../src/node/readers/mlflowSqlite/readMlflowRegistry';
import { createMlflowSqliteReader } from '../../../../src/node/readers/mlflowSqliteReader';
import { createMemoryFileSystem, withFrozenStats } from '../../../support/memoryFileSystem';
import type { MlflowRunSpec, MlflowStoreSpec } from '../../../support/mlflowFixtures';
import { createMlflowDatabase, writeMlflowFileStore } from '../../../support/mlflowFixtures';
import { MLFLOW_SCHEMA_GENERATIONS } from '../../../support/mlflowSchemaDdl';

const NOW = 1_700_100_000_000;
const HOUR = 3_600_000;
const store: RunStoreLocation = { source: 'mlflow', path: '/ws/mlflow.db' };
const hex = (digit: string) => digit.repeat(32);
const run = (id: string, overrides: Partial<MlflowRunSpec> = {}): MlflowRunSpec => ({
  id,
  name: `run-${id.slice(0, 4)}`,
  startTime: NOW - 10 * HOUR,
  endTime: NOW - 9 * HOUR,
  ...overrides,
});

const spec: MlflowStoreSpec = {
  experiments: [
    {
      id: '0',
      name: 'Default',
      runs: [
        run(hex('a'), {
          params: { lr: '0.01' },
          tags: { 'mlflow.source.git.commit': 'c0ffee' },
          metrics: {
            loss: [
              [1002, 0.7, 1],
              [1000, 0.9, 0],
              [1001, 0.5, 1],
            ],
            'train/acc': [[1000, Number.NaN, 0]],
            'grad/norm': [
              [1000, Number.POSITIVE_INFINITY, 0],
              [1001, Number.NEGATIVE_INFINITY, 1],
            ],
          },
        }),
        run(hex('b'), { status: 'FAILED' }),
        run(hex('c'), { status: 'KILLED' }),
        run(hex('d'), { status: 'SCHEDULED', endTime: null }),
        run(hex('e'), { deleted: true }),
        run(hex('f'), { status: 'RUNNING', endTime: null, startTime: NOW - HOUR }),
        run(hex('1'), { status: 'RUNNING', endTime: null, startTime: NOW - 30 * HOUR }),
      ],
    },
    { id: '1', name: 'deleted experiment', deleted: true, runs: [run(hex('9'))] },
  ],
  models: [
    {
      name: 'churn-model',
      description: 'Predicts churn',
      createdAt: NOW - HOUR,
      aliases: { champion: 2 },
      tags: { owner: 'ml-team' },
      versions: [
        { version: 1, runId: hex('a'), source: `runs:/${hex('a')}/model`, stage: 'Staging', createdAt: NOW - HOUR },
        {
          version: 2,
          runId: hex('a'),
          source: `runs:/${hex('a')}/model`,
          stage: 'Production',
          createdAt: NOW,
          tags: { ok: 'yes' },
        },
        { version: 3, source: 'file:///gone', stage: 'Deleted_Internal', createdAt: NOW },
      ],
    },
  ],
};

const reader = () => createMlflowSqliteReader({ clock: { now: () => NOW } });

for (const generation of MLFLOW_SCHEMA_GENERATIONS) {
  test(`schema ${generation}: runs, statuses, hidden deletions, params, tags and latest metrics`, async () => {
    const fs = createMemoryFileSystem({ [store.path]: await createMlflowDatabase(spec, generation) });
    const { runs, problems } = await reader().list(store, { fs });
    assert.deepEqual(problems, []);
    const statuses = Object.fromEntries(runs.map((each) => [each.id.slice(7, 8), each.status]));
    assert.deepEqual(statuses, {
      a: 'succeeded',
      b: 'failed',
      c: 'cancelled',
      d: 'queued',
      f: 'running',
      1: 'interrupted',
    });
    assert.equal(runs.find((each) => each.id.endsWith(hex('1')))?.problems?.[0]?.code, 'mlflowRunStale');
    const first = runs.find((each) => each.id === `mlflow:${hex('a')}`)!;
    assert.equal(first.name, 'run-aaaa');
    assert.equal(first.experiment, 'Default');
    assert.equal(first.location, store.path);
    assert.deepEqual(first.params, { lr: '0.01' });
    assert.deepEqual(first.git, { commit: 'c0ffee', dirty: false });
    assert.equal(first.metrics.loss, 0.7);
    assert.ok(Number.isNaN(first.metrics['train/acc']));
    assert.equal(first.metrics['grad/norm'], Number.NEGATIVE_INFINITY);
    assert.equal(first.startedAt, NOW - 10 * HOUR);
  });

  test(`schema ${generation}: series in MLflow's order with NaN and infinities restored`, async () => {
    const fs = createMemoryFileSystem({ [store.path]: await createMlflowDatabase(spec, generation) });
    const { series, problems } = await reader().series(store, `mlflow:${hex('a')}`, { fs });
    assert.deepEqual(problems, []);
    assert.deepEqual(Array.from(series.loss!.timestamps), [1000, 1001, 1002]);
    assert.deepEqual(Array.from(series.loss!.values), [0.9, 0.5, 0.7]);
    assert.deepEqual(Array.from(series['grad/norm']!.values), [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    const only = await reader().series(store, hex('a'), { fs }, ['loss']);
    assert.deepEqual(Object.keys(only.series), ['loss']);
    const deleted = await reader().series(store, hex('e'), { fs });
    assert.equal(deleted.problems[0]?.code, 'mlflowRunNotFound');
    const inDeletedExperiment = await reader().series(store, hex('9'), { fs });
    assert.equal(inDeletedExperiment.problems[0]?.code, 'mlflowRunNotFound');
  });

  test(`schema ${generation}: registry models, versions, stages and aliases`, async () => {
    const fs = createMemoryFileSystem({ [store.path]: await createMlflowDatabase(spec, generation) });
    const { value, problems } = await reader().registry(store, { fs });
    assert.deepEqual(problems, []);
    const [model] = value.models;
    assert.equal(model?.name, 'churn-model');
    assert.equal(model?.description, 'Predicts churn');
    assert.deepEqual(model?.tags, { owner: 'ml-team' });
    assert.deepEqual(
      model?.versions.map((version) => [version.version, version.stage, version.runId]),
      [
        [1, 'Staging', hex('a')],
        [2, 'Production', hex('a')],
      ],
    );
    assert.deepEqual(model?.versions[1]?.tags, { ok: 'yes' });
    const hasAliases = generation !== 'bd07f7e963c5';
    assert.deepEqual(model?.aliases, hasAliases ? { champion: 2 } : {});
    assert.deepEqual(model?.versions[1]?.aliases, hasAliases ? ['champion'] : []);
  });
}

async function alteredDatabase(statements: readonly string[]): Promise<Uint8Array> {
  const SQL = await initSqlJs();
  const database = new SQL.Database(await createMlflowDatabase(spec, '1bd49d398cd23'));
  for (const statement of statements) database.run(statement);
  const bytes = database.export();
  database.close();
  return bytes;
}

test('without latest_metrics the latest values are computed from the metrics history', async () => {
  const fs = createMemoryFileSystem({ [store.path]: await alteredDatabase(['DROP TABLE latest_metrics']) });
  const { runs } = await reader().list(store, { fs });
  assert.equal(runs.find((each) => each.id === `mlflow:${hex('a')}`)?.metrics.loss, 0.7);
});

test('a tag value stored as a BLOB is read as its text', async () => {
  const bytes = await alteredDatabase([
    `INSERT INTO tags (key, value, run_uuid) VALUES ('blob', X'6869', '${hex('a')}')`,
  ]);
  const { runs, problems } = await reader().list(store, { fs: createMemoryFileSystem({ [store.path]: bytes }) });
  assert.deepEqual(problems, []);
  const first = runs.find((each) => each.id === `mlflow:${hex('a')}`)!;
  assert.equal(first.tags?.blob, 'hi');
  assert.deepEqual(first.params, { lr: '0.01' });
});

test('with the 2026 workspace column only the default workspace is shown', async () => {
  const bytes = await alteredDatabase([
    "ALTER TABLE experiments ADD COLUMN workspace VARCHAR(63) NOT NULL DEFAULT 'default'",
    "UPDATE experiments SET workspace = 'other' WHERE experiment_id = 0",
  ]);
  const fs = createMemoryFileSystem({ [store.path]: bytes });
  const { runs, problems } = await reader().list(store, { fs });
  assert.deepEqual(problems, []);
  assert.deepEqual(runs, []);
  const hidden = await reader().series(store, hex('a'), { fs });
  assert.equal(hidden.problems[0]?.code, 'mlflowRunNotFound');
});

test('a database file changed between two lists is read again', async () => {
  const fs = createMemoryFileSystem({
    [store.path]: await createMlflowDatabase(
      { experiments: [{ id: '0', name: 'Default', runs: [run(hex('a'))] }] },
      '5b0e9adcef9c',
    ),
  });
  const sqlite = reader();
  assert.equal((await sqlite.list(store, { fs })).runs.length, 1);
  assert.equal((await sqlite.list(store, { fs })).runs.length, 1);
  fs.writeFileAtomic(store.path, await createMlflowDatabase(spec, '5b0e9adcef9c'));
  assert.equal((await sqlite.list(store, { fs })).runs.length, 6);
  sqlite.dispose();
});

// The racy rule of the open databases (issue 17): an equal fingerprint reuses an open database only
// when it could vouch for the bytes read (statCanVouch); ctime is part of it.

/** Two one-run databases of the same size (SQLite files are whole pages), kept on a frozen-stat disk. */
async function sameSizeDatabases() {
  const oneRun = (id: string) =>
    createMlflowDatabase({ experiments: [{ id: '0', name: 'Default', runs: [run(hex(id))] }] }, '5b0e9adcef9c');
  const [first, second] = [await oneRun('a'), await oneRun('b')];
  assert.equal(first.length, second.length);
  const disk = withFrozenStats(createMemoryFileSystem({ [store.path]: first }));
  return { disk, second, written: disk.fs.stat(store.path)!.mtimeMs };
}
const runIds = async (sqlite: ReturnType<typeof reader>, fs: FileSystem) =>
  (await sqlite.list(store, { fs })).runs.map((each) => each.id.slice(7, 8));

test('a database rewritten with the same size within the same timestamp tick as its read is read again', async () => {
  const { disk, second, written } = await sameSizeDatabases();
  const sqlite = createMlflowSqliteReader({ clock: { now: () => written + 500 } });
  assert.deepEqual(await runIds(sqlite, disk.fs), ['a']);
  disk.fs.writeFileAtomic(store.path, second);
  assert.deepEqual(await runIds(sqlite, disk.fs), ['b']);
  sqlite.dispose();
});

test('a database rewritten with the same size and its mtime put back is read again, though it was settled (ctime moved)', async () => {
  const { disk, second } = await sameSizeDatabases();
  const sqlite = reader();
  assert.deepEqual(await runIds(sqlite, disk.fs), ['a']);
  disk.fs.writeFileAtomic(store.path, second);
  disk.moveCtime(store.path);
  assert.deepEqual(await runIds(sqlite, disk.fs), ['b']);
  sqlite.dispose();
});

test('an old untouched database stays open: a second list reads no byte of it', async () => {
  const { disk } = await sameSizeDatabases();
  const sqlite = reader();
  assert.deepEqual(await runIds(sqlite, disk.fs), ['a']);
  const reads = disk.reads();
  assert.deepEqual(await runIds(sqlite, disk.fs), ['a']);
  assert.equal(disk.reads(), reads);
  sqlite.dispose();
});

const walFolder = resolve(__dirname, '../../../fixtures/mlflow-wal');
const walFiles = () => ({
  [store.path]: new Uint8Array(readFileSync(resolve(walFolder, 'mlflow.db'))),
  [`${store.path}-wal`]: new Uint8Array(readFileSync(resolve(walFolder, 'mlflow.db-wal'))),
});
const names = async (fs: ReturnType<typeof createMemoryFileSystem>) => {
  const listing = await reader().list(store, { fs });
  return {
    names: listing.runs.map((each) => each.name).sort(),
    codes: listing.problems.map((problem) => problem.code),
  };
};

test('committed transactions in mlflow.db-wal are merged, as SQLite itself would read them', async () => {
  assert.deepEqual(await names(createMemoryFileSystem(walFiles())), {
    names: ['checkpointed', 'in-wal-1', 'in-wal-2'],
    codes: [],
  });
  const withoutWal = walFiles();
  delete (withoutWal as Record<string, Uint8Array>)[`${store.path}-wal`];
  assert.deepEqual((await names(createMemoryFileSystem(withoutWal))).names, ['checkpointed']);
});

test('a torn last WAL transaction is ignored and a WAL with a bad header is reported', async () => {
  const files = walFiles();
  const wal = files[`${store.path}-wal`]!;
  files[`${store.path}-wal`] = wal.subarray(0, wal.length - 100);
  assert.deepEqual((await names(createMemoryFileSystem(files))).names, ['checkpointed', 'in-wal-1']);
  const junk = walFiles();
  junk[`${store.path}-wal`] = new Uint8Array(4096).fill(7);
  assert.deepEqual(await names(createMemoryFileSystem(junk)), {
    names: ['checkpointed'],
    codes: ['mlflowDatabaseWalIgnored'],
  });
});

test('a file named mlflow.db that is not SQLite, is empty or is truncated gives a problem, never a throw', async () => {
  const valid = await createMlflowDatabase(spec, '5b0e9adcef9c');
  const cases: Array<[string, Uint8Array | string, string]> = [
    ['text', 'hello, I am not a database', 'mlflowDatabaseInvalid'],
    ['empty', new Uint8Array(), 'mlflowDatabaseEmpty'],
    ['truncated', valid.subarray(0, 4096), 'mlflowDatabaseInvalid'],
  ];
  for (const [label, bytes, code] of cases) {
    const { runs, problems } = await reader().list(store, { fs: createMemoryFileSystem({ [store.path]: bytes }) });
    assert.deepEqual(runs, [], label);
    assert.equal(problems[0]?.code, code, label);
    assert.equal(problems[0]?.file, store.path, label);
  }
  const missing = await reader().list({ source: 'mlflow', path: '/nope/mlflow.db' }, { fs: createMemoryFileSystem() });
  assert.equal(missing.problems[0]?.code, 'mlflowDatabaseUnreadable');
});

test('a SQLite file without MLflow tables is reported as not an MLflow store', async () => {
  const SQL = await initSqlJs();
  const database = new SQL.Database();
  database.run('CREATE TABLE notes (text TEXT)');
  const fs = createMemoryFileSystem({ [store.path]: database.export() });
  database.close();
  const { runs, problems } = await reader().list(store, { fs });
  assert.deepEqual(runs, []);
  assert.equal(problems[0]?.code, 'mlflowDatabaseNotMlflow');
});

test('a missing sql.js wasm is a problem naming the path, not a crash', async () => {
  const fs = createMemoryFileSystem({ [store.path]: await createMlflowDatabase(spec, '5b0e9adcef9c') });
  const sqlite = createMlflowSqliteReader({ wasmPath: '/nowhere/sql-wasm.wasm', clock: { now: () => NOW } });
  const { runs, problems } = await sqlite.list(store, { fs });
  assert.deepEqual(runs, []);
  assert.equal(problems[0]?.code, 'mlflowSqlWasmMissing');
  assert.match(problems[0]!.message, /nowhere/);
});

test('detect claims mlflow.db only', () => {
  const { detect } = reader();
  assert.deepEqual(detect('/ws', [{ name: 'mlflow.db', kind: 'file' }]), { stores: [store], descend: true });
  assert.deepEqual(detect('/ws', [{ name: 'other.db', kind: 'file' }]).stores, []);
});

test('readMlflowRegistry reads the registry of either store kind', async () => {
  const fs = createMemoryFileSystem({ [store.path]: await createMlflowDatabase(spec, '5b0e9adcef9c') });
  writeMlflowFileStore(fs, '/ws/mlruns', { experiments: [], models: spec.models! });
  const fromDatabase = await readMlflowRegistry(store, { fs }, reader());
  const fromFiles = await readMlflowRegistry({ source: 'mlflow', path: '/ws/mlruns' }, { fs });
  assert.deepEqual(
    fromDatabase.value.models.map((model) => [
      model.name,
      model.aliases,
      model.versions.map((version) => version.stage),
    ]),
    fromFiles.value.models.map((model) => [model.name, model.aliases, model.versions.map((version) => version.stage)]),
  );
  assert.equal(fromFiles.value.models[0]?.versions.length, 2);
});
