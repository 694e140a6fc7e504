import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { createRunIndexClient, type RunIndexClient } from '../../../../src/node/runIndex/createRunIndexClient';
import type { FollowUpdate } from '../../../../src/node/runIndex/createRunIndexService';
import { nodeFileSystem } from '../../../../src/node/nodeFileSystem';
import { writeMlflowFileStore } from '../../../support/mlflowFixtures';
import { realWorldFixtures, skipWithoutRealWorldFixtures } from '../../../support/realWorldFixtures';
import { makeTempDir } from '../../../support/tempDir';
import { typescriptWorkerBootstrap } from '../../../support/runIndexWorkerBootstrap';

function makeDvcliveWorkspace(): string {
  const root = makeTempDir('mlc-client-');
  fs.mkdirSync(join(root, 'dvclive', 'plots', 'metrics'), { recursive: true });
  fs.writeFileSync(join(root, 'dvclive', 'plots', 'metrics', 'loss.tsv'), 'step\tloss\n0\t1\n');
  fs.writeFileSync(join(root, 'dvclive', 'params.yaml'), 'lr: 0.5\n');
  return root;
}

/** A real writer process: appends `count` rows with pauses, the last one split across two writes. */
function startWriter(path: string, count: number): ChildProcess {
  const script = `
    const fs = require('node:fs');
    let step = 1;
    const timer = setInterval(() => {
      if (step === ${count}) {
        fs.appendFileSync(${JSON.stringify(path)}, step + '\\t0.');
        setTimeout(() => { fs.appendFileSync(${JSON.stringify(path)}, '5\\n'); process.exit(0); }, 80);
        clearInterval(timer);
        return;
      }
      fs.appendFileSync(${JSON.stringify(path)}, step + '\\t' + (1 / (step + 1)) + '\\n');
      step++;
    }, 40);`;
  return spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
}

/** A client on `root` in either mode, disposed (and `root` removed) when the test ends. */
function openClient(t: TestContext, root: string, mode: 'inThread' | 'worker'): RunIndexClient {
  const client = createRunIndexClient({
    workspaceRoot: root,
    mode,
    cachePath: false,
    ...(mode === 'worker' ? { workerPath: typescriptWorkerBootstrap(root) } : {}),
  });
  t.after(() => {
    client.dispose();
  });
  assert.equal(client.mode, mode);
  return client;
}

async function exerciseClient(client: RunIndexClient, root: string): Promise<void> {
  const { runs } = await client.listRuns();
  assert.deepEqual(
    runs.map((run) => run.id),
    ['dvclive:dvclive'],
  );
  assert.deepEqual(runs[0]!.params, { lr: 0.5 });
  const series = await client.series('dvclive:dvclive', ['loss']);
  assert.deepEqual(Array.from(series.series.loss!.values), [1]);
  const updates: FollowUpdate[] = [];
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolvePromise) => {
    done = resolvePromise;
  });
  const subscription = await client.follow('dvclive:dvclive', ['loss'], (update) => {
    updates.push(update);
    const last = update.series.loss;
    if (last && last.steps[last.steps.length - 1] === 5) done();
  });
  const writer = startWriter(join(root, 'dvclive', 'plots', 'metrics', 'loss.tsv'), 5);
  const timeout = setTimeout(done, 10_000);
  await finished;
  clearTimeout(timeout);
  subscription.dispose();
  writer.kill();
  assert.equal(updates[0]!.reset, true);
  assert.deepEqual(Array.from(updates[0]!.series.loss!.steps), [0]);
  const appended = updates.slice(1).flatMap((update) => Array.from(update.series.loss?.steps ?? []));
  assert.deepEqual(appended, [1, 2, 3, 4, 5], 'each appended row arrives once, in order, the torn one when complete');
  assert.ok(updates.length >= 3, `points arrived incrementally (${updates.length} updates)`);
  assert.equal(updates.at(-1)!.series.loss!.values.at(-1), 0.5);
  const after = await client.series('dvclive:dvclive', ['loss'], 3);
  assert.ok(after.series.loss!.steps.length <= 4);
  assert.equal(after.series.loss!.steps.at(-1), 5);
}

test('the in-thread client lists, reads series and follows a run written by another process', async (t) => {
  const root = makeDvcliveWorkspace();
  await exerciseClient(openClient(t, root, 'inThread'), root);
});

test('the worker client does the same from a worker thread', async (t) => {
  const root = makeDvcliveWorkspace();
  await exerciseClient(openClient(t, root, 'worker'), root);
});

test('auto mode runs in-thread from TypeScript sources (no built worker beside them)', (t) => {
  const client = createRunIndexClient({ workspaceRoot: tmpdir(), cachePath: false });
  t.after(() => client.dispose());
  assert.equal(client.mode, 'inThread');
});

const REAL_WORLD_DB = 'mlflowdb-nda-mlops-zoomcamp-2024/9f3478d/week-02/mlflow.db';
const FILE_RUN = 'c'.repeat(32);

/**
 * A workspace with two MLflow registries: a real-world mlflow.db (one model, aliases in-preview and
 * staging on v1) in week-02/, and an mlruns/ file store with a run and a models/ registry.
 */
function makeMlflowRegistriesWorkspace(): string {
  const root = makeTempDir('mlc-registries-');
  fs.mkdirSync(join(root, 'week-02'));
  fs.copyFileSync(join(realWorldFixtures(), REAL_WORLD_DB), join(root, 'week-02', 'mlflow.db'));
  writeMlflowFileStore(nodeFileSystem, join(root, 'mlruns'), {
    experiments: [
      { id: '0', name: 'Default', runs: [{ id: FILE_RUN, status: 'FINISHED', startTime: 1_700_000_000_000 }] },
    ],
    models: [
      {
        name: 'churn',
        createdAt: 1_700_000_100_000,
        aliases: { champion: 2 },
        versions: [
          {
            version: 1,
            runId: FILE_RUN,
            source: `runs:/${FILE_RUN}/model`,
            stage: 'Production',
            createdAt: 1_700_000_100_000,
          },
          { version: 2, runId: FILE_RUN, source: `runs:/${FILE_RUN}/model`, createdAt: 1_700_000_200_000 },
        ],
      },
    ],
  });
  return root;
}

async function assertBothRegistries(client: RunIndexClient, root: string): Promise<void> {
  const listing = await client.mlflowRegistries();
  assert.deepEqual(listing.problems, []);
  const byLocation = new Map(listing.registries.map((registry) => [registry.location, registry.models]));
  assert.deepEqual([...byLocation.keys()].sort(), [join(root, 'mlruns'), join(root, 'week-02', 'mlflow.db')]);
  const [taxi] = byLocation.get(join(root, 'week-02', 'mlflow.db'))!;
  assert.equal(taxi?.name, 'nyc-taxi-model');
  assert.deepEqual(taxi?.aliases, { 'in-preview': 1, staging: 1 });
  assert.deepEqual(
    taxi?.versions.map((version) => [version.version, version.aliases, version.runId]),
    [[1, ['in-preview', 'staging'], '92025337761b47258bb509b166789a29']],
  );
  const [churn] = byLocation.get(join(root, 'mlruns'))!;
  assert.deepEqual(
    churn?.versions.map((version) => [version.version, version.stage, version.aliases]),
    [
      [1, 'Production', []],
      [2, 'None', ['champion']],
    ],
  );
  // The source runs are runs of the same index, so the Models view can link them.
  const { runs } = await client.listRuns();
  const ids = new Set(runs.map((run) => run.id));
  assert.ok(ids.has(`mlflow:${FILE_RUN}`));
  assert.ok(ids.has('mlflow:92025337761b47258bb509b166789a29'));
}

test('the in-thread client reads the MLflow registries of mlflow.db (real world) and mlruns/models', async (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const root = makeMlflowRegistriesWorkspace();
  await assertBothRegistries(openClient(t, root, 'inThread'), root);
});

test('the worker client reads them in its worker thread (sql.js never parses on the caller)', async (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const root = makeMlflowRegistriesWorkspace();
  await assertBothRegistries(openClient(t, root, 'worker'), root);
});

test('the worker client answers the git calls of the extension host as the in-thread client does', async (t) => {
  const root = makeDvcliveWorkspace();
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Ada', '-c', 'user.email=ada@example.com', ...args], { cwd: root });
  git('init', '-q');
  git('config', 'user.name', 'Ada');
  git('config', 'user.email', 'ada@example.com');
  git('add', '-A');
  git('commit', '-qm', 'first');
  const first = git('rev-parse', 'HEAD').toString().trim();
  fs.writeFileSync(join(root, 'dvclive', 'params.yaml'), 'lr: 0.25\n');
  git('commit', '-qam', 'second');
  const second = git('rev-parse', 'HEAD').toString().trim();
  fs.writeFileSync(join(root, 'untracked.txt'), 'x\n');
  const inThread = openClient(t, root, 'inThread');
  const worker = openClient(t, root, 'worker');
  for (const client of [inThread, worker]) {
    assert.deepEqual(await client.git.repoState(root), { commit: second, dirty: true });
    assert.deepEqual(await client.git.state(root), { commit: second, dirty: true, user: 'Ada <ada@example.com>' });
    assert.deepEqual(await client.git.changedFiles(root, first, second), ['dvclive/params.yaml']);
    assert.equal(await client.git.changedFiles(root, 'not-a-commit', second), undefined);
  }
});

test(
  'disposing the worker client fails the requests still waiting instead of leaving them pending',
  { timeout: 60_000 },
  async (t) => {
    const root = makeDvcliveWorkspace();
    const client = openClient(t, root, 'worker');
    const waiting = client.git.repoState(root);
    client.dispose();
    await assert.rejects(waiting, /the run index worker was closed/);
  },
);
