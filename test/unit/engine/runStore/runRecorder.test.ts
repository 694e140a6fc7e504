import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunRecorder } from '../../../../src/engine/runStore/runRecorder';
import type { StageRunRecord } from '../../../../src/engine/runStore/runRecord';
import { createFakeTime } from '../../../support/fakeTime';
import { createMemoryFileSystem, holdAsyncWrites } from '../../../support/memoryFileSystem';

function aRecorder(stageCount: number, slowWriteMs = 0) {
  const fs = createMemoryFileSystem();
  const time = createFakeTime();
  // A clock that a slow write of run.json moves on (fake timers keep their own time).
  let spentMs = 0;
  const clock = { now: () => time.clock.now() + spentMs };
  const writes: number[] = [];
  const appends: string[] = [];
  const writeFileAtomic = fs.writeFileAtomic.bind(fs);
  fs.writeFileAtomic = (path, data) => {
    if (path.endsWith('/run.json')) {
      writes.push(time.clock.now());
      spentMs += slowWriteMs;
    }
    writeFileAtomic(path, data);
  };
  const appendFile = fs.appendFile.bind(fs);
  fs.appendFile = (path, data) => {
    if (path.endsWith('/events.jsonl')) appends.push(String(data));
    appendFile(path, data);
  };
  const stages = Array.from({ length: stageCount }, (_, index): StageRunRecord => ({
    address: `s${index}`,
    name: `s${index}`,
    pipeline: 'mlc.yaml',
    status: 'pending',
    reasons: [],
    attempts: [],
    logFile: `logs/s${index}.log`,
  }));
  const recorder = RunRecorder.create(fs, clock, time.timers, '/ws/.mlc/runs', {
    owner: { pid: 1, hostname: 'test', kind: 'cli' },
    workspace: '/ws',
    targets: [],
    options: { jobs: 2, force: false, keepGoing: false, runner: 'local' },
    stages,
  });
  return { recorder, time, writes, appends, fs };
}

/** Lets the promises of writes started by fired timers settle (fake timers fire synchronously). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

test('events of stages finishing within 100 ms reach events.jsonl in one append, in order, and all by the end of the run', async () => {
  const { recorder, time, appends, fs } = aRecorder(50);
  for (let index = 0; index < 50; index++) {
    recorder.appendEvent({ type: 'stageStarted', stage: `s${index}` });
    recorder.appendEvent({ type: 'stageFinished', stage: `s${index}`, status: 'succeeded' });
    time.advance(1);
  }
  time.advance(100);
  assert.equal(appends.length, 1, 'runStarted and 100 stage events in one append');
  recorder.appendEvent({ type: 'late' });
  await recorder.finish('succeeded');
  assert.equal(time.pendingTimers(), 0, 'no timer outlives the run');
  const lines = fs
    .readText(`${recorder.directory}/events.jsonl`)!
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { type: string }).type);
  assert.equal(lines.length, 1 + 100 + 2);
  assert.deepEqual(
    [lines[0], lines[1], lines[2], lines.at(-2), lines.at(-1)],
    ['runStarted', 'stageStarted', 'stageFinished', 'late', 'runFinished'],
  );
});

test('run.json is rewritten every 250 ms while writes are quick, and ten times as seldom as a slow write took (at most every 2 s)', async () => {
  /** When run.json was rewritten (ms after its first write) while a change came every 10 ms. */
  const rewritesWith = async (slowWriteMs: number, forMs: number) => {
    const { recorder, time, writes } = aRecorder(10, slowWriteMs);
    for (let step = 0; step < forMs / 10; step++) {
      recorder.update((record) => (record.stages[0]!.reasons = [`step ${step}`]));
      time.advance(10);
      await settle();
    }
    await recorder.finish('succeeded');
    // The first write is the record's creation, the last the run's end.
    return writes.slice(1, -1).map((at) => at - writes[0]!);
  };
  assert.deepEqual(await rewritesWith(0, 1000), [250, 500, 750, 1000]);
  // Each write took 80 ms: the next waits 800 ms.
  assert.deepEqual(await rewritesWith(80, 3000), [800, 1600, 2400]);
  assert.deepEqual(await rewritesWith(500, 5000), [2000, 4000]);
});

/** A recorder on a file system whose run.json writes are asynchronous and finish when the test says. */
function aRecorderWithSlowDisk(beforeWrite?: () => Promise<void>) {
  const fs = createMemoryFileSystem();
  const time = createFakeTime();
  const inFlight = holdAsyncWrites(fs);
  const failures: string[] = [];
  const recorder = RunRecorder.create(
    fs,
    time.clock,
    time.timers,
    '/ws/.mlc/runs',
    {
      owner: { pid: 1, hostname: 'test', kind: 'cli' },
      workspace: '/ws',
      targets: [],
      options: { jobs: 2, force: false, keepGoing: false, runner: 'local' },
      stages: [
        {
          address: 's0',
          name: 's0',
          pipeline: 'mlc.yaml',
          status: 'pending',
          reasons: [],
          attempts: [],
          logFile: 'logs/s0.log',
        },
      ],
    },
    { onWriteFailed: (message) => failures.push(message), ...(beforeWrite ? { beforeWrite } : {}) },
  );
  const status = () =>
    JSON.parse(fs.readText(`${recorder.directory}/run.json`)) as { status: string; stages: { status: string }[] };
  return { recorder, time, inFlight, failures, status };
}

test('a rewrite of run.json asked for while one is in flight waits for it, so the newer record is the one left on disk', async () => {
  // run.json is written off the main thread: a second write racing the first could rename last
  // and leave the older record on disk.
  const { recorder, time, inFlight, status } = aRecorderWithSlowDisk();
  recorder.update((record) => (record.stages[0]!.status = 'running'));
  time.advance(250);
  await settle();
  assert.equal(inFlight.length, 1, 'the first rewrite is in flight');
  recorder.update((record) => (record.stages[0]!.status = 'succeeded'));
  time.advance(250);
  await settle();
  assert.equal(inFlight.length, 1, 'the second waits for the first');
  const finished = recorder.finish('succeeded');
  await settle();
  assert.equal(inFlight.length, 1, 'the run end shares the waiting write (one snapshot, taken when it starts)');
  inFlight.shift()!.finish();
  await settle();
  assert.equal(status().stages[0]!.status, 'running');
  assert.equal(inFlight.length, 1);
  inFlight.shift()!.finish();
  await finished;
  assert.equal(status().status, 'succeeded');
  assert.equal(status().stages[0]!.status, 'succeeded');
});

test('a failed background rewrite of run.json is told, and the next write tries again', async () => {
  const { recorder, time, inFlight, failures, status } = aRecorderWithSlowDisk();
  recorder.update((record) => (record.stages[0]!.status = 'running'));
  time.advance(250);
  await settle();
  inFlight.shift()!.finish(new Error('ENOSPC: no space left on device'));
  await settle();
  assert.deepEqual(failures, ['ENOSPC: no space left on device']);
  const finished = recorder.finish('succeeded');
  await settle();
  inFlight.shift()!.finish();
  await finished;
  assert.equal(status().status, 'succeeded');
});

test("the run's last write rejects when run.json cannot be written, and no write outlives it", async () => {
  const { recorder, inFlight, time } = aRecorderWithSlowDisk();
  const finished = recorder.finish('succeeded');
  await settle();
  inFlight.shift()!.finish(new Error('EIO: i/o error'));
  await assert.rejects(finished, /EIO/);
  assert.equal(time.pendingTimers(), 0);
});

test('run.json is written only once what beforeWrite started (the lock entries it may claim) is on disk; a failure there writes nothing', async () => {
  let flushes = 0;
  let finishFlush: ((error?: Error) => void) | undefined;
  const { recorder, time, inFlight, failures } = aRecorderWithSlowDisk(
    () =>
      new Promise<void>((resolve, reject) => {
        flushes++;
        finishFlush = (error) => (error ? reject(error) : resolve());
      }),
  );
  recorder.update((record) => (record.stages[0]!.status = 'succeeded'));
  time.advance(250);
  await settle();
  assert.equal(flushes, 1);
  assert.equal(inFlight.length, 0, 'nothing written while the lock entries are not on disk');
  finishFlush!(new Error('EROFS: read-only file system'));
  await settle();
  assert.equal(inFlight.length, 0, 'a record claiming entries that could not be written is never written');
  assert.deepEqual(failures, ['EROFS: read-only file system']);
  const finished = recorder.finish('succeeded');
  await settle();
  assert.equal(flushes, 2);
  finishFlush!();
  await settle();
  assert.equal(inFlight.length, 1);
  inFlight.shift()!.finish();
  await finished;
});
