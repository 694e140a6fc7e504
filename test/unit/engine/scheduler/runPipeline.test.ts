import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Stage } from '../../../../src/engine/pipeline/model';
import type { RunRecord } from '../../../../src/engine/runStore/runRecord';
import {
  formatStopRequest,
  STOP_REQUEST_FILE,
  STOP_REQUEST_POLL_MS,
} from '../../../../src/engine/runStore/stopRequest';
import type { LockAttempt, LockHolder } from '../../../../src/engine/runStore/workspaceLock';
import type { StageState } from '../../../../src/engine/status/computeStatus';
import {
  runPipeline,
  type PipelineRunOutcome,
  type PipelineRunPorts,
  type PipelineRunRequest,
} from '../../../../src/engine/scheduler/runPipeline';
import { aStage } from '../../../support/builders';
import { createFakeProcessRunner, type FakeCommand } from '../../../support/fakeProcessRunner';
import { createFakeTime, settleOnFakeTime } from '../../../support/fakeTime';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

/**
 * runPipeline and runStage on fake ports and fake time: the lock, a stale holder, a stop request,
 * a timeout and retries, without a process, a real timer or a wait.
 */
const holder = (runId: string): LockHolder => ({ runId, pid: 77, hostname: 'box', acquiredAt: 1 });

function setup(stages: readonly Stage[], behaviour: Record<string, FakeCommand>, lockAttempt?: () => LockAttempt) {
  const fs = createMemoryFileSystem({ '/ws/dvc.yaml': 'stages: {}\n' });
  const time = createFakeTime();
  const { runner, specs } = createFakeProcessRunner(time, behaviour, fs);
  const recorded: string[] = [];
  const warnings: string[] = [];
  let runDirectory: string | undefined;
  let released = 0;
  const ports: PipelineRunPorts = {
    fs,
    clock: time.clock,
    timers: time.timers,
    processRunner: runner,
    environment: {},
    statusOf: async () => new Map(stages.map((stage) => [stage.name, { state: 'changed', reasons: ['changed'] }])),
    checkStatus: async () => ({ state: 'changed', reasons: ['changed'] }),
    recordSuccess: async (stage) => {
      recorded.push(stage.name);
      return { deps: {}, outs: {} };
    },
    paramsOf: () => ({}),
    gitState: async () => undefined,
    workspaceLock: {
      tryAcquire: () => lockAttempt?.() ?? { acquired: true, release: () => released++ },
    },
    owner: { pid: 1, hostname: 'box', kind: 'cli' },
    observer: { runWarning: (message) => warnings.push(message) },
    onRunStarted: (_id, directory) => (runDirectory = directory),
  };
  const request: PipelineRunRequest = {
    root: '/ws',
    nodes: stages.map((stage) => ({ address: stage.name, stage, upstream: [] })),
    targets: [],
    force: false,
    keepGoing: false,
    dryRun: false,
    jobs: 1,
  };
  const run = (duringRun?: (elapsedMs: number) => void) =>
    settleOnFakeTime(time, runPipeline(request, ports, new AbortController().signal), duringRun);
  return {
    fs,
    time,
    ports,
    specs,
    recorded,
    warnings,
    run,
    released: () => released,
    runDirectory: () => runDirectory,
  };
}

function finished(outcome: PipelineRunOutcome): Readonly<RunRecord> {
  assert.equal(outcome.kind, 'finished');
  return (outcome as Extract<PipelineRunOutcome, { kind: 'finished' }>).record;
}

test('a workspace lock held by a live run: the outcome names the holder and nothing starts or is recorded', async () => {
  const live = holder('20260101-000000-aaaaaa');
  const pipeline = setup([aStage({ name: 'train', cmd: 'train' })], {}, () => ({ acquired: false, holder: live }));
  const outcome = await pipeline.run();
  assert.deepEqual(outcome, { kind: 'locked', holder: live });
  assert.deepEqual(pipeline.specs, [], 'no command started');
  assert.equal(pipeline.fs.stat('/ws/.mlc/runs'), undefined, 'no run folder');
});

test('a stale holder is taken over: its run reads as interrupted, the warnings reach the observer, the new run goes on', async () => {
  const stale = holder('20251231-235900-bbbbbb');
  const pipeline = setup([aStage({ name: 'train', cmd: 'train' })], {}, () => ({
    acquired: true,
    staleHolder: stale,
    warnings: ['took over .mlc/lock from a dead run'],
    release: () => undefined,
  }));
  const staleRecord = `/ws/.mlc/runs/${stale.runId}/run.json`;
  pipeline.fs.writeFileAtomic(
    staleRecord,
    JSON.stringify({ schema: 1, id: stale.runId, status: 'running', startedAt: 1, updatedAt: 1, stages: [] }),
  );
  const record = finished(await pipeline.run());
  assert.equal(record.status, 'succeeded');
  assert.deepEqual(pipeline.recorded, ['train']);
  assert.deepEqual(pipeline.warnings, ['took over .mlc/lock from a dead run']);
  const old = JSON.parse(pipeline.fs.readText(staleRecord)) as RunRecord;
  assert.equal(old.status, 'interrupted');
  assert.match(old.message ?? '', /pid 77/);
});

test('a stop request written into the run folder cancels the run at the next poll and records who asked', async () => {
  const pipeline = setup([aStage({ name: 'train', cmd: 'train' })], { train: { runsMs: 60_000 } });
  const by = { pid: 5, hostname: 'other', command: 'mlc stop' };
  let requestedAt: number | undefined;
  const record = finished(
    await pipeline.run((elapsed) => {
      const directory = pipeline.runDirectory();
      if (requestedAt !== undefined || !directory || elapsed < 1000) return;
      requestedAt = elapsed;
      pipeline.fs.writeFileAtomic(`${directory}/${STOP_REQUEST_FILE}`, formatStopRequest({ requestedAt: 0, by }));
    }),
  );
  assert.equal(record.status, 'cancelled');
  assert.match(record.message ?? '', /stop requested by mlc stop \(pid 5 on other\)/);
  assert.deepEqual(record.stopRequest?.by, by);
  assert.equal(record.stages[0]!.status, 'cancelled');
  assert.deepEqual(pipeline.recorded, [], 'a stopped stage never records success');
  const stoppedAfter = record.endedAt! - record.startedAt;
  assert.ok(stoppedAfter <= requestedAt! + STOP_REQUEST_POLL_MS + 20, `stopped at the next poll (${stoppedAfter} ms)`);
  assert.equal(pipeline.released(), 1, 'the lock is released');
});

test('a timeout fails the stage as timedOut; a list cmd gives its later commands only what is left of it', async () => {
  const stage = { ...aStage({ name: 'train' }), cmd: ['prepare', 'fit'], timeoutMs: 1000 };
  const pipeline = setup([stage], { prepare: { runsMs: 600 }, fit: { runsMs: 5000 } });
  const record = finished(await pipeline.run());
  assert.deepEqual(
    pipeline.specs.map((spec) => [spec.command, spec.timeoutMs]),
    [
      ['prepare', 1000],
      ['fit', 400],
    ],
  );
  const [train] = record.stages;
  assert.equal(train!.status, 'failed');
  assert.equal(train!.failure?.code, 'timedOut');
  assert.equal(train!.attempts.length, 1);
  assert.equal(train!.attempts[0]!.timedOut, true);
  assert.equal(train!.attempts[0]!.endedAt - train!.attempts[0]!.startedAt, 1000);
  assert.deepEqual(pipeline.recorded, []);
});

test('retries: a stage failing twice then passing succeeds on its third attempt, each attempt recorded', async () => {
  const stage = { ...aStage({ name: 'train', cmd: 'train' }), retries: 2 };
  const pipeline = setup([stage], { train: { exitCode: (call) => (call < 3 ? 1 : 0) } });
  const record = finished(await pipeline.run());
  const [train] = record.stages;
  assert.equal(train!.status, 'succeeded');
  assert.deepEqual(
    train!.attempts.map((attempt) => attempt.exitCode),
    [1, 1, 0],
  );
  assert.deepEqual(pipeline.recorded, ['train']);
});

test('retries run out: the last failure is the stage failure, and no timer outlives the run', async () => {
  const stage = { ...aStage({ name: 'train', cmd: 'train' }), retries: 1 };
  const pipeline = setup([stage], { train: { exitCode: () => 3 } });
  const record = finished(await pipeline.run());
  const [train] = record.stages;
  assert.equal(train!.status, 'failed');
  assert.equal(train!.failure?.code, 'exitCode');
  assert.equal(train!.attempts.length, 2);
  assert.equal(record.status, 'failed');
  assert.equal(pipeline.time.pendingTimers(), 0, 'no timer outlives the run (heartbeat, polls, delayed writes)');
});

test('run.json never says a stage succeeded before its queued lock entry is on disk (kill -9 in between)', async () => {
  // Found by the reliability crash suite: lock entries are batched (createBatchedLockRecorder),
  // run.json is coalesced on a timer of its own, and a kill between the two writes left a record
  // claiming successes that no lock file held (no dvc.lock at all after the first run).
  const prepare = aStage({ name: 'prepare', cmd: 'prepare' });
  const train = aStage({ name: 'train', cmd: 'train' });
  const pipeline = setup([prepare, train], { prepare: { runsMs: 10 }, train: { runsMs: 5000 } });
  const queued: string[] = [];
  const onDisk: string[] = [];
  const recordWrites: string[][] = [];
  const ports = pipeline.ports as { -readonly [K in keyof PipelineRunPorts]: PipelineRunPorts[K] };
  ports.recordSuccess = async (stage) => {
    queued.push(stage.name);
    return { deps: {}, outs: {} };
  };
  ports.flushLockEntries = async () => {
    onDisk.push(...queued.splice(0));
  };
  const writeFileAtomic = pipeline.fs.writeFileAtomic.bind(pipeline.fs);
  pipeline.fs.writeFileAtomic = (path, data) => {
    if (path.endsWith('/run.json')) {
      const record = JSON.parse(String(data)) as RunRecord;
      const succeeded = record.stages.filter((stage) => stage.status === 'succeeded').map((stage) => stage.name);
      recordWrites.push(succeeded);
      for (const name of succeeded)
        assert.ok(onDisk.includes(name), `run.json says ${name} succeeded; lock: ${onDisk}`);
    }
    writeFileAtomic(path, data);
  };
  const record = finished(await pipeline.run());
  assert.deepEqual(
    record.stages.map((stage) => stage.status),
    ['succeeded', 'succeeded'],
  );
  assert.ok(
    recordWrites.some((succeeded) => succeeded.join() === 'prepare'),
    'a write while train still ran said prepare succeeded',
  );
});

/**
 * The ports of `setup` with a lock that reports whether it is there (isFree) and counts its takes,
 * and a status that answers in turns from `answers` (the last answer repeats).
 */
function withLockProbe(pipeline: ReturnType<typeof setup>, lockThere: boolean, answers: readonly StageState[]) {
  const ports = pipeline.ports as { -readonly [K in keyof PipelineRunPorts]: PipelineRunPorts[K] };
  const counts = { acquired: 0, released: 0, statuses: 0 };
  ports.workspaceLock = {
    isFree: () => !lockThere,
    tryAcquire: () => {
      counts.acquired++;
      return { acquired: true, release: () => counts.released++ };
    },
  };
  ports.statusOf = async () => {
    const state = answers[Math.min(counts.statuses++, answers.length - 1)]!;
    return new Map([['train', { state, reasons: state === 'up-to-date' ? [] : ['dep data.csv modified'] }]]);
  };
  return counts;
}

test('no lock there and nothing to do: up to date without taking the lock or writing anything', async () => {
  const pipeline = setup([aStage({ name: 'train', cmd: 'train' })], {});
  const counts = withLockProbe(pipeline, false, ['up-to-date']);
  const outcome = await pipeline.run();
  assert.equal(outcome.kind, 'upToDate');
  assert.deepEqual(counts, { acquired: 0, released: 0, statuses: 1 });
  assert.equal(pipeline.fs.stat('/ws/.mlc'), undefined, 'nothing written under .mlc');
});

test('no lock there and a stage to run: the lock is taken and the plan made again under it, so what another run did meanwhile is not run twice', async () => {
  // Between the look without the lock and the take, another run ran the stage and released the lock.
  const doneMeanwhile = setup([aStage({ name: 'train', cmd: 'train' })], {});
  const meanwhile = withLockProbe(doneMeanwhile, false, ['changed', 'up-to-date']);
  assert.equal((await doneMeanwhile.run()).kind, 'upToDate');
  assert.deepEqual(meanwhile, { acquired: 1, released: 1, statuses: 2 });
  assert.deepEqual(doneMeanwhile.specs, [], 'nothing started');

  const stillToRun = setup([aStage({ name: 'train', cmd: 'train' })], {});
  const counts = withLockProbe(stillToRun, false, ['changed']);
  const record = finished(await stillToRun.run());
  assert.deepEqual(
    record.stages.map((stage) => [stage.address, stage.status, stage.reasons]),
    [['train', 'succeeded', ['dep data.csv modified']]],
  );
  assert.deepEqual(counts, { acquired: 1, released: 1, statuses: 2 });
});

test('a lock there (a live run, or one a dead run left) is taken or refused first, even when nothing is to do; --force never looks without it', async () => {
  const locked = setup([aStage({ name: 'train', cmd: 'train' })], {});
  const lockedCounts = withLockProbe(locked, true, ['up-to-date']);
  assert.equal((await locked.run()).kind, 'upToDate');
  assert.deepEqual(lockedCounts, { acquired: 1, released: 1, statuses: 1 }, 'the stale-lock takeover path ran');

  const forced = setup([aStage({ name: 'train', cmd: 'train' })], {});
  const forcedCounts = withLockProbe(forced, false, ['up-to-date']);
  const outcome = await settleOnFakeTime(
    forced.time,
    runPipeline(
      {
        root: '/ws',
        nodes: [{ address: 'train', stage: aStage({ name: 'train', cmd: 'train' }), upstream: [] }],
        targets: [],
        force: true,
        keepGoing: false,
        dryRun: false,
        jobs: 1,
      },
      forced.ports,
      new AbortController().signal,
    ),
  );
  assert.equal(finished(outcome).stages[0]!.status, 'succeeded');
  assert.deepEqual(forcedCounts, { acquired: 1, released: 1, statuses: 1 });
});
