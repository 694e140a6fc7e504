import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunRecorder } from '../../../../src/engine/runStore/runRecorder';
import type { StageRunRecord } from '../../../../src/engine/runStore/runRecord';
import { createFakeTime } from '../../../support/fakeTime';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

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

test('events of stages finishing within 100 ms reach events.jsonl in one append, in order, and all by the end of the run', () => {
  const { recorder, time, appends, fs } = aRecorder(50);
  for (let index = 0; index < 50; index++) {
    recorder.appendEvent({ type: 'stageStarted', stage: `s${index}` });
    recorder.appendEvent({ type: 'stageFinished', stage: `s${index}`, status: 'succeeded' });
    time.advance(1);
  }
  time.advance(100);
  assert.equal(appends.length, 1, 'runStarted and 100 stage events in one append');
  recorder.appendEvent({ type: 'late' });
  recorder.finish('succeeded');
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

test('run.json is rewritten every 250 ms while writes are quick, and ten times as seldom as a slow write took (at most every 2 s)', () => {
  /** When run.json was rewritten (ms after its first write) while a change came every 10 ms. */
  const rewritesWith = (slowWriteMs: number, forMs: number) => {
    const { recorder, time, writes } = aRecorder(10, slowWriteMs);
    for (let step = 0; step < forMs / 10; step++) {
      recorder.update((record) => (record.stages[0]!.reasons = [`step ${step}`]));
      time.advance(10);
    }
    recorder.finish('succeeded');
    // The first write is the record's creation, the last the run's end.
    return writes.slice(1, -1).map((at) => at - writes[0]!);
  };
  assert.deepEqual(rewritesWith(0, 1000), [250, 500, 750, 1000]);
  // Each write took 80 ms: the next waits 800 ms.
  assert.deepEqual(rewritesWith(80, 3000), [800, 1600, 2400]);
  assert.deepEqual(rewritesWith(500, 5000), [2000, 4000]);
});
