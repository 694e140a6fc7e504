import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Stage } from '../../../../src/engine/pipeline/model';
import { outOwnershipRules } from '../../../../src/engine/pipeline/outOwnership';
import { RunRecorder } from '../../../../src/engine/runStore/runRecorder';
import type { StageRunRecord } from '../../../../src/engine/runStore/runRecord';
import { executePlan } from '../../../../src/engine/scheduler/executePlan';
import { planRun, type SchedulerNode } from '../../../../src/engine/scheduler/planRun';
import type { ProcessResult, ProcessRunner, ProcessSpec } from '../../../../src/engine/scheduler/ports';
import type { SchedulerDependencies } from '../../../../src/engine/scheduler/schedulerDependencies';
import { aStage } from '../../../support/builders';
import { createFakeTime } from '../../../support/fakeTime';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

/**
 * A fake ProcessRunner: each command is `<name>` and its behaviour comes from a table
 * (exit code, delay, files to write). It records start order and the highest concurrency seen.
 */
function fakeRunner(
  fs: ReturnType<typeof createMemoryFileSystem>,
  behaviour: Record<string, { exitCode?: number | ((call: number) => number); delayMs?: number; writes?: string[] }>,
) {
  const started: string[] = [];
  const environments: Record<string, string>[] = [];
  const calls = new Map<string, number>();
  let running = 0;
  let maxRunning = 0;
  const runner: ProcessRunner = {
    start(spec: ProcessSpec, signal: AbortSignal) {
      started.push(spec.command);
      environments.push({ ...spec.env });
      const call = (calls.get(spec.command) ?? 0) + 1;
      calls.set(spec.command, call);
      const rule = behaviour[spec.command] ?? {};
      running++;
      maxRunning = Math.max(maxRunning, running);
      const startedAt = Date.now();
      const result = new Promise<ProcessResult>((resolve) => {
        const finish = (cancelled: boolean) => {
          running--;
          if (!cancelled) for (const path of rule.writes ?? []) fs.writeFileAtomic(`${spec.cwd}/${path}`, 'x');
          spec.onLine?.('stdout', `${spec.command} says hi`, Date.now());
          const exitCode = typeof rule.exitCode === 'function' ? rule.exitCode(call) : (rule.exitCode ?? 0);
          resolve({
            exitCode: cancelled ? undefined : exitCode,
            signal: cancelled ? 'SIGTERM' : undefined,
            timedOut: false,
            cancelled,
            startedAt,
            endedAt: Date.now(),
          });
        };
        const timer = setTimeout(() => finish(false), rule.delayMs ?? 1);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          finish(true);
        });
      });
      return { pid: 1000 + started.length, result };
    },
  };
  return { runner, started, environments, maxRunning: () => maxRunning };
}

function setup(
  stages: Array<{ stage: Stage; upstream?: string[] }>,
  runner: ProcessRunner,
  fs = createMemoryFileSystem(),
) {
  const nodes: SchedulerNode[] = stages.map(({ stage, upstream }) => ({
    address: stage.name,
    stage,
    upstream: upstream ?? [],
  }));
  const plan = planRun(nodes, new Map(), { targets: [], force: false });
  const time = createFakeTime();
  const recorder = RunRecorder.create(fs, time.clock, time.timers, '/ws/.mlc/runs', {
    owner: { pid: 1, hostname: 'test', kind: 'cli' },
    workspace: '/ws',
    targets: [],
    options: { jobs: 1, force: false, keepGoing: false, runner: 'local' },
    stages: plan.stages.map((planned): StageRunRecord => ({
      address: planned.address,
      name: planned.stage.name,
      pipeline: 'dvc.yaml',
      status: 'pending',
      reasons: [...planned.reasons],
      attempts: [],
      logFile: `logs/${planned.address}.log`,
    })),
  });
  const recorded: string[] = [];
  const dependencies: SchedulerDependencies = {
    fs,
    clock: time.clock,
    timers: time.timers,
    processRunner: runner,
    environment: { PATH: '/bin' },
    checkStatus: async () => ({ state: 'changed', reasons: ['changed'] }),
    recordSuccess: async (stage) => {
      recorded.push(stage.name);
      return { deps: {}, outs: {} };
    },
    outOwnership: outOwnershipRules(fs, '/ws', ['/ws/dvc.yaml']),
  };
  const statuses = () => Object.fromEntries(recorder.record.stages.map((stage) => [stage.address, stage.status]));
  /** Executes the plan and closes the record (stops its heartbeat timer). */
  const execute = async (
    options: { jobs: number; keepGoing: boolean },
    signal = new AbortController().signal,
    overrides: { plan?: typeof plan; dependencies?: SchedulerDependencies } = {},
  ) => {
    const status = await executePlan(
      overrides.plan ?? plan,
      recorder,
      overrides.dependencies ?? dependencies,
      options,
      signal,
    );
    recorder.finish(status);
    return status;
  };
  return { plan, recorder, dependencies, recorded, statuses, fs, execute };
}

test('executePlan runs independent stages in parallel up to -j and waits for upstream', async () => {
  const fs = createMemoryFileSystem();
  const fake = fakeRunner(fs, { a: { delayMs: 30 }, b: { delayMs: 30 }, c: { delayMs: 30 } });
  const run = setup(
    [
      { stage: aStage({ name: 'a', cmd: 'a' }) },
      { stage: aStage({ name: 'b', cmd: 'b' }) },
      { stage: aStage({ name: 'c', cmd: 'c' }), upstream: ['a', 'b'] },
    ],
    fake.runner,
    fs,
  );
  const status = await run.execute({ jobs: 2, keepGoing: false });
  assert.equal(status, 'succeeded');
  assert.equal(fake.maxRunning(), 2);
  assert.equal(fake.started.at(-1), 'c');
  assert.deepEqual(run.recorded.sort(), ['a', 'b', 'c']);
  assert.match(fs.readText(`${run.recorder.directory}/logs/c.log`), /^\d{4}-\d\d-\d\dT[\d:.]+Z stdout c says hi\n$/);
  const env = fake.environments[0]!;
  assert.equal(env.MLC_RUN_ID, run.recorder.id);
  assert.equal(env.MLC_STAGE, 'a');
  assert.equal(env.MLC_RUN_DIR, run.recorder.directory);
  assert.equal(env.PATH, '/bin');
});

test('a failure stops new stages, records the exit code and skips the rest with a reason', async () => {
  const fs = createMemoryFileSystem();
  const fake = fakeRunner(fs, { a: { exitCode: 3 } });
  const run = setup(
    [
      { stage: aStage({ name: 'a', cmd: 'a' }) },
      { stage: aStage({ name: 'b', cmd: 'b' }), upstream: ['a'] },
      { stage: aStage({ name: 'other', cmd: 'other' }) },
    ],
    fake.runner,
    fs,
  );
  const status = await run.execute({ jobs: 1, keepGoing: false });
  assert.equal(status, 'failed');
  assert.deepEqual(run.statuses(), { a: 'failed', b: 'skipped', other: 'skipped' });
  const failed = run.recorder.stage('a');
  assert.equal(failed.exitCode, 3);
  assert.deepEqual(failed.failure, { code: 'exitCode', message: 'the command exited with code 3' });
  assert.deepEqual(run.recorded, []);
});

test('--keep-going runs independent branches after a failure and skips only the dependents', async () => {
  const fs = createMemoryFileSystem();
  const fake = fakeRunner(fs, { a: { exitCode: 1 } });
  const run = setup(
    [
      { stage: aStage({ name: 'a', cmd: 'a' }) },
      { stage: aStage({ name: 'b', cmd: 'b' }), upstream: ['a'] },
      { stage: aStage({ name: 'c', cmd: 'c' }), upstream: ['b'] },
      { stage: aStage({ name: 'other', cmd: 'other' }) },
    ],
    fake.runner,
    fs,
  );
  const status = await run.execute({ jobs: 1, keepGoing: true });
  assert.equal(status, 'failed');
  assert.deepEqual(run.statuses(), { a: 'failed', b: 'skipped', c: 'skipped', other: 'succeeded' });
  assert.equal(run.recorder.stage('c').skipReason, 'upstream stage a failed');
});

test('a failed stage is retried up to `retries` times and each attempt is recorded', async () => {
  const fs = createMemoryFileSystem();
  const fake = fakeRunner(fs, { flaky: { exitCode: (call) => (call < 3 ? 1 : 0) } });
  const run = setup([{ stage: { ...aStage({ name: 'flaky', cmd: 'flaky' }), retries: 2 } }], fake.runner, fs);
  const status = await run.execute({ jobs: 1, keepGoing: false });
  assert.equal(status, 'succeeded');
  assert.deepEqual(
    run.recorder.stage('flaky').attempts.map((attempt) => attempt.exitCode),
    [1, 1, 0],
  );
});

test('a list cmd runs in order and stops at the first failing entry', async () => {
  const fs = createMemoryFileSystem();
  const fake = fakeRunner(fs, { second: { exitCode: 2 } });
  const run = setup([{ stage: aStage({ name: 'multi', cmd: ['first', 'second', 'third'] }) }], fake.runner, fs);
  assert.equal(await run.execute({ jobs: 1, keepGoing: false }), 'failed');
  assert.deepEqual(fake.started, ['first', 'second']);
  assert.equal(run.recorder.stage('multi').failure?.message, 'command 2 exited with code 2');
});

test('non-persist outs are deleted before the command, and a missing out fails the stage', async () => {
  const fs = createMemoryFileSystem({ '/ws/old.txt': 'stale', '/ws/kept.txt': 'kept' });
  const fake = fakeRunner(fs, { make: { writes: [] } });
  const stage = aStage({ name: 'make', cmd: 'make', outs: ['old.txt', { path: 'kept.txt', persist: true }] });
  const run = setup([{ stage }], fake.runner, fs);
  assert.equal(await run.execute({ jobs: 1, keepGoing: false }), 'failed');
  assert.equal(fs.stat('/ws/old.txt'), undefined);
  assert.equal(fs.readText('/ws/kept.txt'), 'kept');
  assert.deepEqual(run.recorder.stage('make').failure, {
    code: 'outNotProduced',
    message: 'out old.txt was not produced',
  });
  assert.deepEqual(run.recorded, [], 'no lock entry for a stage whose outs are missing');
});

test('aborting kills running stages, records them cancelled and never records their success', async () => {
  const fs = createMemoryFileSystem();
  const fake = fakeRunner(fs, { slow: { delayMs: 10_000, writes: ['out.txt'] } });
  const run = setup(
    [
      { stage: aStage({ name: 'slow', cmd: 'slow', outs: ['out.txt'] }) },
      { stage: aStage({ name: 'after', cmd: 'after' }), upstream: ['slow'] },
    ],
    fake.runner,
    fs,
  );
  const abort = new AbortController();
  setTimeout(() => abort.abort(), 20);
  const status = await run.execute({ jobs: 2, keepGoing: false }, abort.signal);
  assert.equal(status, 'cancelled');
  assert.deepEqual(run.statuses(), { slow: 'cancelled', after: 'skipped' });
  assert.deepEqual(run.recorded, []);
});

test('a stage planned only because of its upstream is skipped as up to date when its inputs did not change', async () => {
  const fs = createMemoryFileSystem();
  const fake = fakeRunner(fs, {});
  const run = setup(
    [{ stage: aStage({ name: 'a', cmd: 'a' }) }, { stage: aStage({ name: 'b', cmd: 'b' }), upstream: ['a'] }],
    fake.runner,
    fs,
  );
  const conditional = {
    ...run.plan,
    stages: run.plan.stages.map((stage) => ({ ...stage, definite: stage.address === 'a' })),
  };
  const dependencies = {
    ...run.dependencies,
    checkStatus: async () => ({ state: 'up-to-date' as const, reasons: [] }),
  };
  const status = await run.execute({ jobs: 1, keepGoing: false }, undefined, { plan: conditional, dependencies });
  assert.equal(status, 'succeeded');
  assert.deepEqual(fake.started, ['a']);
  assert.deepEqual(run.statuses(), { a: 'succeeded', b: 'up-to-date' });
});

test('a stage with an out it does not own fails before anything is deleted', async () => {
  const fs = createMemoryFileSystem({
    '/outside.txt': 'keep',
    '/ws/dvc.yaml': '',
    '/ws/data.csv': 'input',
    '/ws/kept/out.txt': 'old',
  });
  const fake = fakeRunner(fs, {});
  const run = setup(
    [
      { stage: aStage({ name: 'escape', cmd: 'escape', outs: ['kept/out.txt', '../outside.txt'] }) },
      { stage: aStage({ name: 'root', cmd: 'root', outs: ['.'] }) },
      { stage: aStage({ name: 'same', cmd: 'same', deps: ['data.csv'], outs: ['data.csv'] }) },
    ],
    fake.runner,
    fs,
  );
  assert.equal(await run.execute({ jobs: 1, keepGoing: true }), 'failed');
  assert.deepEqual(fake.started, []);
  const failures = run.recorder.record.stages.map((stage) => [stage.status, stage.failure?.code]);
  assert.deepEqual(failures, [
    ['failed', 'outNotOwned'],
    ['failed', 'outNotOwned'],
    ['failed', 'outNotOwned'],
  ]);
  assert.match(run.recorder.record.stages[0]!.failure!.message, /out \.\.\/outside\.txt resolves to \/outside\.txt/);
  assert.equal(fs.readText('/outside.txt'), 'keep');
  assert.equal(fs.readText('/ws/kept/out.txt'), 'old');
  assert.equal(fs.readText('/ws/data.csv'), 'input');
  assert.equal(fs.readText('/ws/dvc.yaml'), '');
});

test('a FIFO or device as a dep fails the stage before it runs; as an out it fails instead of recording no hash', async () => {
  const fs = createMemoryFileSystem({ '/ws/data.csv': 'a' });
  // What the Node FileSystem reports for a FIFO, a socket or /dev/zero (behind a symlink too).
  const special = new Set(['/ws/pipe', '/ws/out.pipe']);
  const stat = fs.stat.bind(fs);
  fs.stat = (path) => (special.has(path) ? { kind: 'other', size: 0, mtimeMs: 1, ino: 7, mode: 0o644 } : stat(path));
  const fake = fakeRunner(fs, {});
  const run = setup(
    [
      { stage: aStage({ name: 'reads', cmd: 'reads', deps: ['data.csv', 'pipe'] }) },
      { stage: aStage({ name: 'writes', cmd: 'writes', outs: ['out.pipe'] }) },
    ],
    fake.runner,
    fs,
  );
  assert.equal(await run.execute({ jobs: 1, keepGoing: true }), 'failed');
  assert.deepEqual(fake.started, ['writes']);
  assert.deepEqual(run.recorder.stage('reads').failure, {
    code: 'depNotRegular',
    message:
      'dep pipe is not a regular file or folder (a FIFO, socket or device), so mlc cannot hash it; depend on a regular file or folder instead',
  });
  assert.deepEqual(run.recorder.stage('writes').failure, {
    code: 'outNotProduced',
    message: 'out out.pipe is not a regular file or folder (a FIFO, socket or device), so mlc cannot hash it',
  });
  assert.deepEqual(run.recorded, [], 'no lock entry without hashes');
});
