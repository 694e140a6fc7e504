import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Stage } from '../../../../src/engine/pipeline/model';
import { outOwnershipRules } from '../../../../src/engine/pipeline/outOwnership';
import { RunRecorder } from '../../../../src/engine/runStore/runRecorder';
import type { StageRunRecord } from '../../../../src/engine/runStore/runRecord';
import { LOCAL_RUNNER } from '../../../../src/engine/runners/chooseRunner';
import { executePlan } from '../../../../src/engine/scheduler/executePlan';
import { planRun, type SchedulerNode } from '../../../../src/engine/scheduler/planRun';
import type { SchedulerDependencies } from '../../../../src/engine/scheduler/schedulerDependencies';
import { aStage } from '../../../support/builders';
import { createFakeProcessRunner, type FakeCommand } from '../../../support/fakeProcessRunner';
import { createFakeTime, settleOnFakeTime } from '../../../support/fakeTime';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

/** A recorded run of `stages` on fake time, with a fake runner whose commands follow `behaviour`. */
function setup(
  stages: Array<{ stage: Stage; upstream?: string[] }>,
  behaviour: Record<string, FakeCommand>,
  fs = createMemoryFileSystem(),
  runnerOptions: { readonly queue?: boolean } = {},
) {
  const nodes: SchedulerNode[] = stages.map(({ stage, upstream }) => ({
    address: stage.name,
    stage,
    upstream: upstream ?? [],
  }));
  const plan = planRun(nodes, new Map(), { targets: [], force: false });
  const time = createFakeTime();
  const fake = createFakeProcessRunner(time, behaviour, fs, runnerOptions);
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
    processRunner: fake.runner,
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
    overrides: { plan?: typeof plan; dependencies?: SchedulerDependencies; abortAfterMs?: number } = {},
  ) => {
    const abort = new AbortController();
    const status = await settleOnFakeTime(
      time,
      executePlan(overrides.plan ?? plan, recorder, overrides.dependencies ?? dependencies, options, abort.signal),
      (elapsedMs) => {
        if (overrides.abortAfterMs !== undefined && elapsedMs >= overrides.abortAfterMs) abort.abort();
      },
    );
    await recorder.finish(status);
    return status;
  };
  return { plan, recorder, dependencies, recorded, statuses, fs, fake, execute, time };
}

test('executePlan runs independent stages in parallel up to -j and waits for upstream', async () => {
  const fs = createMemoryFileSystem();
  const run = setup(
    [
      { stage: aStage({ name: 'a', cmd: 'a' }) },
      { stage: aStage({ name: 'b', cmd: 'b' }) },
      { stage: aStage({ name: 'c', cmd: 'c' }), upstream: ['a', 'b'] },
    ],
    { a: { runsMs: 30 }, b: { runsMs: 30 }, c: { runsMs: 30 } },
    fs,
  );
  const { fake } = run;
  const status = await run.execute({ jobs: 2, keepGoing: false });
  assert.equal(status, 'succeeded');
  assert.equal(fake.maxRunning(), 2);
  assert.equal(fake.started().at(-1), 'c');
  assert.deepEqual(run.recorded.sort(), ['a', 'b', 'c']);
  assert.match(fs.readText(`${run.recorder.directory}/logs/c.log`), /^\d{4}-\d\d-\d\dT[\d:.]+Z stdout c says hi\n$/);
  const env = fake.specs[0]!.env;
  assert.equal(env.MLC_RUN_ID, run.recorder.id);
  assert.equal(env.MLC_STAGE, 'a');
  assert.equal(env.MLC_RUN_DIR, run.recorder.directory);
  assert.equal(env.PATH, '/bin');
});

test('a failure stops new stages, records the exit code and skips the rest with a reason', async () => {
  const fs = createMemoryFileSystem();
  const run = setup(
    [
      { stage: aStage({ name: 'a', cmd: 'a' }) },
      { stage: aStage({ name: 'b', cmd: 'b' }), upstream: ['a'] },
      { stage: aStage({ name: 'other', cmd: 'other' }) },
    ],
    { a: { exitCode: 3 } },
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
  const run = setup(
    [
      { stage: aStage({ name: 'a', cmd: 'a' }) },
      { stage: aStage({ name: 'b', cmd: 'b' }), upstream: ['a'] },
      { stage: aStage({ name: 'c', cmd: 'c' }), upstream: ['b'] },
      { stage: aStage({ name: 'other', cmd: 'other' }) },
    ],
    { a: { exitCode: 1 } },
    fs,
  );
  const status = await run.execute({ jobs: 1, keepGoing: true });
  assert.equal(status, 'failed');
  assert.deepEqual(run.statuses(), { a: 'failed', b: 'skipped', c: 'skipped', other: 'succeeded' });
  assert.equal(run.recorder.stage('c').skipReason, 'upstream stage a failed');
});

test('a list cmd runs in order and stops at the first failing entry', async () => {
  const fs = createMemoryFileSystem();
  const run = setup(
    [{ stage: aStage({ name: 'multi', cmd: ['first', 'second', 'third'] }) }],
    { second: { exitCode: 2 } },
    fs,
  );
  const { fake } = run;
  assert.equal(await run.execute({ jobs: 1, keepGoing: false }), 'failed');
  assert.deepEqual(fake.started(), ['first', 'second']);
  assert.equal(run.recorder.stage('multi').failure?.message, 'command 2 exited with code 2');
});

test('non-persist outs are deleted before the command, and a missing out fails the stage', async () => {
  const fs = createMemoryFileSystem({ '/ws/old.txt': 'stale', '/ws/kept.txt': 'kept' });
  const stage = aStage({ name: 'make', cmd: 'make', outs: ['old.txt', { path: 'kept.txt', persist: true }] });
  const run = setup([{ stage }], { make: { writes: [] } }, fs);
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
  const run = setup(
    [
      { stage: aStage({ name: 'slow', cmd: 'slow', outs: ['out.txt'] }) },
      { stage: aStage({ name: 'after', cmd: 'after' }), upstream: ['slow'] },
    ],
    { slow: { runsMs: 10_000, writes: ['out.txt'] } },
    fs,
  );
  const status = await run.execute({ jobs: 2, keepGoing: false }, { abortAfterMs: 20 });
  assert.equal(status, 'cancelled');
  assert.deepEqual(run.statuses(), { slow: 'cancelled', after: 'skipped' });
  assert.deepEqual(run.recorded, []);
});

test('a stage planned only because of its upstream is skipped as up to date when its inputs did not change', async () => {
  const fs = createMemoryFileSystem();
  const run = setup(
    [{ stage: aStage({ name: 'a', cmd: 'a' }) }, { stage: aStage({ name: 'b', cmd: 'b' }), upstream: ['a'] }],
    {},
    fs,
  );
  const { fake } = run;
  const conditional = {
    ...run.plan,
    stages: run.plan.stages.map((stage) => ({ ...stage, definite: stage.address === 'a' })),
  };
  const dependencies = {
    ...run.dependencies,
    checkStatus: async () => ({ state: 'up-to-date' as const, reasons: [] }),
  };
  const status = await run.execute({ jobs: 1, keepGoing: false }, { plan: conditional, dependencies });
  assert.equal(status, 'succeeded');
  assert.deepEqual(fake.started(), ['a']);
  assert.deepEqual(run.statuses(), { a: 'succeeded', b: 'up-to-date' });
});

test('a stage with an out it does not own fails before anything is deleted', async () => {
  const fs = createMemoryFileSystem({
    '/outside.txt': 'keep',
    '/ws/dvc.yaml': '',
    '/ws/data.csv': 'input',
    '/ws/kept/out.txt': 'old',
  });
  const run = setup(
    [
      { stage: aStage({ name: 'escape', cmd: 'escape', outs: ['kept/out.txt', '../outside.txt'] }) },
      { stage: aStage({ name: 'root', cmd: 'root', outs: ['.'] }) },
      { stage: aStage({ name: 'same', cmd: 'same', deps: ['data.csv'], outs: ['data.csv'] }) },
    ],
    {},
    fs,
  );
  const { fake } = run;
  assert.equal(await run.execute({ jobs: 1, keepGoing: true }), 'failed');
  assert.deepEqual(fake.started(), []);
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
  fs.stat = (path) =>
    special.has(path) ? { kind: 'other', size: 0, mtimeMs: 1, ctimeMs: 1, ino: 7, mode: 0o644 } : stat(path);
  const run = setup(
    [
      { stage: aStage({ name: 'reads', cmd: 'reads', deps: ['data.csv', 'pipe'] }) },
      { stage: aStage({ name: 'writes', cmd: 'writes', outs: ['out.pipe'] }) },
    ],
    {},
    fs,
  );
  const { fake } = run;
  assert.equal(await run.execute({ jobs: 1, keepGoing: true }), 'failed');
  assert.deepEqual(fake.started(), ['writes']);
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

test('the members of a foreach group on a slurm runner start together as one job array, -j its throttle', async () => {
  const hpc = { name: 'hpc', type: 'slurm' as const, options: {}, position: { line: 1, column: 1 } };
  const member = (name: string) => ({ ...aStage({ name, cmd: name }), group: 'part', runner: 'hpc' });
  const run = setup(
    [{ stage: member('part@a') }, { stage: member('part@b') }, { stage: aStage({ name: 'here', cmd: 'here' }) }],
    { 'part@a': { runsMs: 30 }, 'part@b': { runsMs: 30 }, here: { runsMs: 30 } },
  );
  const status = await run.execute(
    { jobs: 1, keepGoing: false },
    {
      dependencies: {
        ...run.dependencies,
        runnerOf: (stage) => (stage.runner === 'hpc' ? { ok: true, runner: hpc } : { ok: true, runner: LOCAL_RUNNER }),
        remoteProcessRunner: () => run.fake.runner,
      },
    },
  );
  assert.equal(status, 'succeeded');
  // -j 1 holds for the local stage; the array members take no slot (Slurm throttles them).
  assert.equal(run.fake.maxRunning(), 3);
  const arrays = run.fake.specs.map((spec) => spec.remote?.slurmArray);
  assert.deepEqual(arrays, [
    { group: 'hpc\0/ws/dvc.yaml\0part', throttle: 1, members: 2 },
    { group: 'hpc\0/ws/dvc.yaml\0part', throttle: 1, members: 2 },
    undefined,
  ]);
});

test('a Slurm stage waiting in the queue is told to the observer as queued with its reason, then running, once per change', async () => {
  const hpc = { name: 'hpc', type: 'slurm' as const, options: {}, position: { line: 1, column: 1 } };
  const run = setup([{ stage: { ...aStage({ name: 'train', cmd: 'train' }), runner: 'hpc' } }], {
    train: { runsMs: 30 },
  });
  // The slurm runner reports its placement on every poll of the job, most of them unchanged.
  const polls = [
    { host: 'this machine', jobId: '42', state: 'queued', reason: 'BeginTime' },
    { host: 'this machine', jobId: '42', state: 'queued', reason: 'BeginTime' },
    { host: 'this machine', jobId: '42', state: 'queued', reason: 'Priority' },
    { host: 'this machine', jobId: '42', state: 'running' },
    { host: 'this machine', jobId: '42', state: 'running' },
    { host: 'this machine', jobId: '42' },
  ] as const;
  const told: string[] = [];
  const queuedReasons: (string | undefined)[] = [];
  const status = await run.execute(
    { jobs: 1, keepGoing: false },
    {
      dependencies: {
        ...run.dependencies,
        runnerOf: () => ({ ok: true, runner: hpc }),
        remoteProcessRunner: () => ({
          start: (spec, signal) => {
            for (const placement of polls) {
              spec.onPlacement?.(placement);
              queuedReasons.push(run.recorder.stage('train').queuedReason);
            }
            return run.fake.runner.start(spec, signal);
          },
        }),
        observer: {
          stagePlacement: (address, placement) =>
            told.push(`${address} ${placement.state} ${placement.reason ?? ''} ${placement.jobId}`),
        },
      },
    },
  );
  assert.equal(status, 'succeeded');
  assert.deepEqual(told, ['train queued BeginTime 42', 'train queued Priority 42', 'train running  42']);
  assert.deepEqual(queuedReasons, ['BeginTime', 'BeginTime', 'Priority', undefined, undefined, undefined]);
  assert.equal(run.recorder.stage('train').jobId, '42');
});

test('a stage’s runner is chosen once for the scheduler however long it waits in the ready list (not once per start of another stage)', async () => {
  const names = Array.from({ length: 40 }, (_, index) => `s${index}`);
  const run = setup(
    names.map((name) => ({ stage: aStage({ name, cmd: name }) })),
    Object.fromEntries(names.map((name) => [name, { runsMs: 1 }])),
  );
  const choices = new Map<string, number>();
  const status = await run.execute(
    { jobs: 1, keepGoing: false },
    {
      dependencies: {
        ...run.dependencies,
        runnerOf: (stage) => {
          choices.set(stage.name, (choices.get(stage.name) ?? 0) + 1);
          return { ok: true, runner: LOCAL_RUNNER };
        },
      },
    },
  );
  assert.equal(status, 'succeeded');
  // Once to know whether it joins a Slurm job array, once when it runs (runStage).
  assert.deepEqual([...new Set(choices.values())], [2]);
});

// Stages handed ahead to a runner that holds them (the process worker's StartQueue, in the fake).

/** Two independent stages through a queueing runner: `a` fails after 50 ms, `b` waits ahead of it at -j1. */
const aFailsWithBAhead = () =>
  setup(
    [{ stage: aStage({ name: 'a', cmd: 'a' }) }, { stage: aStage({ name: 'b', cmd: 'b' }) }],
    { a: { runsMs: 50, exitCode: 1 }, b: { runsMs: 1 } },
    undefined,
    { queue: true },
  );

test('with -j1, a stage handed ahead never runs after the first stage fails', async () => {
  const run = aFailsWithBAhead();
  const status = await run.execute({ jobs: 1, keepGoing: false });
  assert.equal(status, 'failed');
  assert.deepEqual(run.fake.handedAhead(), ['b']);
  assert.deepEqual(run.fake.started(), ['a'], 'b was handed ahead and dropped, never started');
  assert.deepEqual(run.statuses(), { a: 'failed', b: 'skipped' });
  assert.match(run.recorder.stage('b').skipReason ?? '', /stage a failed/);
});

test('with --keep-going, a stage handed ahead and dropped after a failure runs after it', async () => {
  const run = aFailsWithBAhead();
  const status = await run.execute({ jobs: 1, keepGoing: true });
  assert.equal(status, 'failed');
  assert.deepEqual(run.fake.started(), ['a', 'b']);
  assert.deepEqual(run.statuses(), { a: 'failed', b: 'succeeded' });
});

test('a run cancelled while stages wait handed ahead starts none of them', async () => {
  const run = setup(
    ['a', 'b', 'c'].map((name) => ({ stage: aStage({ name, cmd: name }) })),
    { a: { runsMs: 100 }, b: { runsMs: 1 }, c: { runsMs: 1 } },
    undefined,
    { queue: true },
  );
  const status = await run.execute({ jobs: 1, keepGoing: false }, { abortAfterMs: 20 });
  assert.equal(status, 'cancelled');
  assert.deepEqual(run.fake.handedAhead(), ['b'], 'one stage waits ahead at -j1');
  assert.deepEqual(run.fake.started(), ['a']);
  assert.deepEqual(run.statuses(), { a: 'cancelled', b: 'skipped', c: 'skipped' });
});

test('stages handed ahead keep exactly -j running, and none starts before its upstream is recorded', async () => {
  // Three layers of four: each stage of a layer waits for two of the layer above.
  const stages = Array.from({ length: 12 }, (_, index) => {
    const layer = Math.floor(index / 4);
    const upstream =
      layer === 0 ? [] : [`s${(layer - 1) * 4 + (index % 4)}`, `s${(layer - 1) * 4 + ((index + 1) % 4)}`];
    return { stage: aStage({ name: `s${index}`, cmd: `s${index}` }), upstream };
  });
  const run = setup(
    stages,
    Object.fromEntries(stages.map(({ stage }, index) => [stage.name, { runsMs: 1 + (index % 3) * 7 }])),
    undefined,
    { queue: true },
  );
  const upstreamOf = new Map(stages.map(({ stage, upstream }) => [stage.name, upstream]));
  const startedEarly: string[] = [];
  const runner = run.fake.runner;
  const dependencies: SchedulerDependencies = {
    ...run.dependencies,
    processRunner: {
      start: (spec, signal) =>
        runner.start(
          {
            ...spec,
            onStarted: (at) => {
              const missing = upstreamOf.get(spec.command)!.filter((name) => !run.recorded.includes(name));
              if (missing.length > 0) startedEarly.push(`${spec.command} before ${missing.join(', ')}`);
              spec.onStarted?.(at);
            },
          },
          signal,
        ),
      limitConcurrency: (slots) => runner.limitConcurrency!(slots),
    },
  };
  const status = await run.execute({ jobs: 2, keepGoing: false }, { dependencies });
  assert.equal(status, 'succeeded');
  assert.equal(run.fake.started().length, 12);
  assert.equal(run.fake.maxRunning(), 2);
  assert.ok(
    run.fake.specs.some((spec) => spec.ahead),
    'some stages were handed ahead',
  );
  assert.deepEqual(startedEarly, []);
});

test('a stage handed ahead has its outs deleted, and its start recorded, only when it really starts', async () => {
  const fs = createMemoryFileSystem({ '/ws/b.out': 'old' });
  const run = setup(
    [{ stage: aStage({ name: 'a', cmd: 'a' }) }, { stage: aStage({ name: 'b', cmd: 'b', outs: ['b.out'] }) }],
    { a: { runsMs: 100 }, b: { runsMs: 1, writes: ['b.out'] } },
    fs,
    { queue: true },
  );
  const removedAt = new Map<string, number>();
  const remove = fs.remove.bind(fs);
  fs.remove = (path) => {
    removedAt.set(path, run.time.clock.now());
    remove(path);
  };
  const firstStartedAt = run.time.clock.now();
  const status = await run.execute({ jobs: 1, keepGoing: false });
  assert.equal(status, 'succeeded');
  assert.ok(run.fake.specs.find((spec) => spec.command === 'b')?.ahead, 'b was handed ahead');
  assert.ok(removedAt.get('/ws/b.out')! >= firstStartedAt + 100, 'b.out deleted when b started, after a ended');
  assert.ok(run.recorder.stage('b').startedAt! >= firstStartedAt + 100, 'b recorded as started when it started');
  assert.equal(run.recorder.stage('b').attempts[0]!.startedAt, run.recorder.stage('b').startedAt);
});
