import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  createMlflowFileStoreReader,
  findMlflowRunFolder,
} from '../../../../../src/engine/readers/mlflow/mlflowFileStoreReader';
import type { RunStoreLocation } from '../../../../../src/engine/runs/model';
import { nodeFileSystem } from '../../../../../src/node/nodeFileSystem';
import { createMemoryFileSystem } from '../../../../support/memoryFileSystem';
import type { MlflowRunSpec, MlflowStoreSpec } from '../../../../support/mlflowFixtures';
import { writeMlflowFileStore } from '../../../../support/mlflowFixtures';
import { makeTempDir } from '../../../../support/tempDir';

const NOW = 1_700_020_000_000; // 5.5 h after the memory file system's mtimes
const HOUR = 3_600_000;
const store: RunStoreLocation = { source: 'mlflow', path: '/ws/mlruns' };
const hex = (digit: string) => digit.repeat(32);

function run(id: string, overrides: Partial<MlflowRunSpec> = {}): MlflowRunSpec {
  return { id, name: `run-${id.slice(0, 4)}`, startTime: NOW - 10 * HOUR, endTime: NOW - 9 * HOUR, ...overrides };
}

const spec: MlflowStoreSpec = {
  experiments: [
    {
      id: '0',
      name: 'Default',
      runs: [
        run(hex('a'), {
          status: 'FINISHED',
          params: { lr: '0.01', 'optimizer/name': 'adam' },
          tags: { 'mlflow.source.git.commit': 'c0ffee', team: 'vision' },
          metrics: {
            loss: [
              [1000, 0.9, 0],
              [1001, 0.5, 1],
              [1002, 0.7, 1],
            ],
            'train/acc': [
              [1000, 0.5],
              [1005, 0.75],
            ],
          },
        }),
        run(hex('b'), { status: 'FAILED' }),
        run(hex('c'), { status: 'KILLED' }),
        run(hex('d'), { status: 'SCHEDULED', endTime: null }),
        run(hex('e'), { status: 'FINISHED', deleted: true }),
      ],
    },
    {
      id: '184713595385473853',
      name: 'big-id experiment',
      runs: [run(hex('f'), { status: 'RUNNING', endTime: null, startTime: NOW - 48 * HOUR })],
    },
    { id: '7', name: 'deleted experiment', deleted: true, runs: [run(hex('9'))] },
  ],
};

function reader(now = NOW) {
  return createMlflowFileStoreReader({ clock: { now: () => now } });
}

test('list maps every MLflow status, hides deleted runs and deleted experiments', async () => {
  const fs = createMemoryFileSystem();
  writeMlflowFileStore(fs, store.path, spec);
  const { runs, problems } = await reader().list(store, { fs });
  assert.deepEqual(problems, []);
  const statuses = Object.fromEntries(runs.map((each) => [each.id.slice(7, 8), each.status]));
  assert.deepEqual(statuses, { a: 'succeeded', b: 'failed', c: 'cancelled', d: 'queued', f: 'running' });
  assert.equal(runs.length, 5);
});

test('list reads params as strings, tags, git commit, experiment name and nested metric keys', async () => {
  const fs = createMemoryFileSystem();
  writeMlflowFileStore(fs, store.path, spec);
  const { runs } = await reader().list(store, { fs });
  const first = runs.find((each) => each.id === `mlflow:${hex('a')}`)!;
  assert.equal(first.source, 'mlflow');
  assert.equal(first.name, 'run-aaaa');
  assert.equal(first.experiment, 'Default');
  assert.deepEqual(first.params, { lr: '0.01', 'optimizer/name': 'adam' });
  assert.equal(first.tags?.team, 'vision');
  assert.equal(first.tags?.['mlflow.runName'], 'run-aaaa');
  assert.deepEqual(first.git, { commit: 'c0ffee', dirty: false });
  // loss: step 1 twice, the later timestamp wins (0.7); train/acc: legacy lines, step 0, later time.
  assert.deepEqual(first.metrics, { loss: 0.7, 'train/acc': 0.75 });
  assert.equal(first.location, `/ws/mlruns/0/${hex('a')}`);
  assert.equal(first.startedAt, NOW - 10 * HOUR);
  assert.equal(first.endedAt, NOW - 9 * HOUR);
  assert.equal(runs.find((each) => each.id.endsWith(hex('f')))?.experiment, 'big-id experiment');
});

test('a RUNNING run with no write for over 24 hours is shown as interrupted, with a problem', async () => {
  const fs = createMemoryFileSystem();
  writeMlflowFileStore(fs, store.path, spec);
  // The memory file system's mtimes are around 1.7e12; a clock two days later makes them stale.
  const later = 1_700_000_000_000 + 48 * HOUR;
  const { runs } = await reader(later).list(store, { fs });
  const stale = runs.find((each) => each.id.endsWith(hex('f')))!;
  assert.equal(stale.status, 'interrupted');
  assert.equal(stale.problems?.[0]?.code, 'mlflowRunStale');
  const fresh = (await reader(1_700_000_000_000 + HOUR).list(store, { fs })).runs.find((each) =>
    each.id.endsWith(hex('f')),
  );
  assert.equal(fresh?.status, 'running');
});

test('series returns full histories by name, with and without the mlflow: prefix', async () => {
  const fs = createMemoryFileSystem();
  writeMlflowFileStore(fs, store.path, spec);
  const all = await reader().series(store, `mlflow:${hex('a')}`, { fs });
  assert.deepEqual(Object.keys(all.series).sort(), ['loss', 'train/acc']);
  assert.deepEqual(Array.from(all.series.loss!.values), [0.9, 0.5, 0.7]);
  const some = await reader().series(store, hex('a'), { fs }, ['train/acc']);
  assert.deepEqual(Object.keys(some.series), ['train/acc']);
  const missing = await reader().series(store, hex('9'), { fs });
  assert.equal(missing.problems[0]?.code, 'mlflowRunNotFound');
  assert.equal(findMlflowRunFolder(fs, store.path, '../etc'), undefined);
});

test('detect claims mlruns beside it, defers to mlflow.db, and keeps the walk out of mlruns', () => {
  const detect = reader().detect;
  assert.deepEqual(detect('/ws', [{ name: 'mlruns', kind: 'directory' }]), {
    stores: [{ source: 'mlflow', path: '/ws/mlruns' }],
    descend: true,
  });
  const withDatabase = detect('/ws', [
    { name: 'mlruns', kind: 'directory' },
    { name: 'mlflow.db', kind: 'file' },
  ]);
  assert.deepEqual(withDatabase.stores, []);
  assert.equal(detect('/ws/mlruns', [{ name: '0', kind: 'directory' }]).descend, false);
  assert.deepEqual(detect('/ws/src', [{ name: 'train.py', kind: 'file' }]).stores, []);
});

test('broken runs yield located problems while the other runs are still listed', async () => {
  const fs = createMemoryFileSystem();
  writeMlflowFileStore(fs, store.path, spec);
  fs.writeFileAtomic(`/ws/mlruns/0/${hex('b')}/meta.yaml`, 'status: [3\n');
  fs.writeFileAtomic(`/ws/mlruns/0/${hex('c')}/meta.yaml`, `run_id: ${hex('7')}\nstatus: 3\n`);
  fs.writeFileAtomic(`/ws/mlruns/0/${hex('a')}/metrics/loss`, '1000 0.5 0\nnot a line\n1001 0.4 1\n');
  fs.writeFileAtomic(`/ws/mlruns/0/${hex('d')}/meta.yaml`, `run_id: ${hex('d')}\nstatus: 42\n`);
  fs.writeFileAtomic('/ws/mlruns/0/notarun/params/x', '1');
  const { runs, problems } = await reader().list(store, { fs });
  const codes = problems.map((problem) => problem.code).sort();
  assert.deepEqual(codes, ['mlflowRunIdMismatch', 'mlflowRunMetaMissing']);
  const first = runs.find((each) => each.id.endsWith(hex('a')))!;
  assert.equal(first.metrics.loss, 0.4);
  assert.equal(first.problems?.[0]?.code, 'mlflowMetricLineInvalid');
  assert.equal(first.problems?.[0]?.line, 2);
  const unknown = runs.find((each) => each.id.endsWith(hex('d')))!;
  assert.equal(unknown.status, 'interrupted');
  assert.equal(unknown.problems?.[0]?.code, 'mlflowStatusUnknown');
  assert.equal(runs.length, 4);
});

test('a run whose meta.yaml is garbage is still listed from its folder, interrupted, with a located problem', async () => {
  const fs = createMemoryFileSystem();
  writeMlflowFileStore(fs, store.path, spec);
  const folder = `/ws/mlruns/0/${hex('a')}`;
  fs.writeFileAtomic(`${folder}/meta.yaml`, 'run_id: x\nstatus: [3\n\u0000\u0001garbage');
  const { runs, problems } = await reader().list(store, { fs });
  assert.deepEqual(problems, []);
  const damaged = runs.find((each) => each.id === `mlflow:${hex('a')}`)!;
  assert.equal(damaged.status, 'interrupted');
  assert.equal(damaged.name, 'run-aaaa'); // from the mlflow.runName tag
  assert.equal(damaged.location, folder);
  assert.deepEqual(damaged.params, { lr: '0.01', 'optimizer/name': 'adam' });
  assert.equal(damaged.metrics.loss, 0.7);
  assert.deepEqual(
    damaged.problems!.map((problem) => [problem.code, problem.file, problem.line]),
    [['mlflowMetaInvalid', `${folder}/meta.yaml`, 3]], // where YAML gave up on the unclosed [,
  );
  assert.match(damaged.problems![0]!.message, /listed as interrupted.*Restore the file, or delete the folder/);
  const { series } = await reader().series(store, damaged.id, { fs }, ['loss']);
  assert.deepEqual([...series.loss!.values], [0.9, 0.5, 0.7]);
});

test('a store that is missing or not a folder gives a problem and no runs', async () => {
  const { runs, problems } = await reader().list(
    { source: 'mlflow', path: '/nowhere/mlruns' },
    { fs: createMemoryFileSystem() },
  );
  assert.deepEqual(runs, []);
  assert.equal(problems[0]?.code, 'mlflowFileUnreadable');
});

test('symlink loops and links to folders inside a run are skipped with a problem (real files)', async () => {
  const root = makeTempDir('mlc-mlflow-links-');
  const mlruns = join(root, 'mlruns');
  writeMlflowFileStore(nodeFileSystem, mlruns, {
    experiments: [{ id: '0', name: 'Default', runs: [run(hex('a'), { params: { lr: '0.1' } })] }],
  });
  const runFolder = join(mlruns, '0', hex('a'));
  mkdirSync(join(runFolder, 'metrics'), { recursive: true });
  writeFileSync(join(runFolder, 'metrics', 'loss'), '1 0.5 0\n');
  symlinkSync('loop-b', join(runFolder, 'metrics', 'loop-a'));
  symlinkSync('loop-a', join(runFolder, 'metrics', 'loop-b'));
  symlinkSync(join(runFolder, 'params'), join(runFolder, 'params', 'self'));
  symlinkSync(join(runFolder, 'metrics', 'loss'), join(runFolder, 'metrics', 'linked-loss'));
  const { runs } = await reader().list({ source: 'mlflow', path: mlruns }, { fs: nodeFileSystem });
  assert.equal(runs.length, 1);
  assert.deepEqual(runs[0]!.metrics, { 'linked-loss': 0.5, loss: 0.5 });
  assert.deepEqual(runs[0]!.params, { lr: '0.1' });
  const skipped = (runs[0]!.problems ?? []).filter((problem) => problem.code === 'mlflowSymlinkSkipped');
  assert.equal(skipped.length, 3);
});
