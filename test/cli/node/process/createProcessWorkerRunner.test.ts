import assert from 'node:assert/strict';
import { fork, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { createProcessWorkerRunner, findProcessWorker } from '../../../../src/node/process/createProcessWorkerRunner';
import type {
  ProcessWorkerMessage,
  ProcessWorkerPost,
  ProcessWorkerRequest,
} from '../../../../src/node/process/processWorkerProtocol';
import { isProcessAlive } from '../../../../src/node/runStore/isOwnerAlive';
import { waitFor } from '../../../support/mlcCli';
import { makeTempDir } from '../../../support/tempDir';

const launch = findProcessWorker(resolve(__dirname, '../../../../src/node/process'));

/** The pid a stage wrote to `stage.pid` in `folder`, once it has. */
function waitForStagePid(folder: string): Promise<number> {
  return waitFor(
    () => {
      try {
        return Number(readFileSync(join(folder, 'stage.pid'), 'utf8')) || undefined;
      } catch {
        return undefined;
      }
    },
    // Generous: the worker starts through tsx, which takes many seconds when the cores are busy.
    90_000,
    'the stage to start',
  );
}

test('the process worker runs commands with their output, exit code and cancellation', async () => {
  assert.ok(launch, 'the process worker source is found beside src/node/process');
  const runner = createProcessWorkerRunner(launch);
  try {
    const lines: string[] = [];
    const result = await runner.start(
      {
        command: 'echo out; echo err >&2; exit 4',
        cwd: tmpdir(),
        env: { PATH: '/usr/bin:/bin' },
        onLine: (stream, line) => lines.push(`${stream}:${line}`),
      },
      new AbortController().signal,
    ).result;
    assert.equal(result.exitCode, 4);
    assert.deepEqual(lines.sort(), ['stderr:err', 'stdout:out']);

    const abort = new AbortController();
    const slow = runner.start(
      { command: 'sleep 30', cwd: tmpdir(), env: { PATH: '/usr/bin:/bin' }, killGraceMs: 500 },
      abort.signal,
    );
    await waitFor(() => slow.pid !== undefined, 10_000, 'the worker to report the pid');
    abort.abort();
    const cancelled = await slow.result;
    assert.equal(cancelled.cancelled, true);
    assert.equal(isProcessAlive(slow.pid!), false);
  } finally {
    runner.dispose();
  }
});

test('when mlc dies (kill -9) the worker kills the stages it started', async () => {
  assert.ok(launch);
  const folder = makeTempDir('mlc-worker-');
  // A parent that starts a long stage through the worker and then waits: we kill it with -9.
  const parentScript = `
    const { createProcessWorkerRunner } = require(${JSON.stringify(resolve(__dirname, '../../../../src/node/process/createProcessWorkerRunner.ts'))});
    const runner = createProcessWorkerRunner(${JSON.stringify(launch)});
    runner.start({ command: 'echo $$ > stage.pid; sleep 60', cwd: ${JSON.stringify(folder)}, env: { PATH: '/usr/bin:/bin' }, killGraceMs: 500 }, new AbortController().signal);
  `;
  const parent = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', parentScript], {
    stdio: 'ignore',
  });
  const stagePid = await waitForStagePid(folder);
  parent.kill('SIGKILL');
  await waitFor(() => !isProcessAlive(stagePid), 60_000, `stage ${stagePid} to be killed by the orphaned worker`);
});

test('a worker whose mlc died before it noticed (its send fails with EPIPE) stops its stages instead of crashing', async () => {
  assert.ok(launch);
  const folder = makeTempDir('mlc-worker-');
  // A bare parent (no runner, so no watchdog of its own) sends one start and dies at once: the
  // worker, still starting up, reads the request and answers 'started' into a closed channel.
  const parentScript = `
    const { fork } = require('node:child_process');
    const worker = fork(${JSON.stringify(launch.script)}, [], {
      execArgv: ${JSON.stringify(launch.execArgv)},
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    worker.send({ type: 'start', id: 1, spec: { command: 'echo $$ > stage.pid; sleep 60', cwd: ${JSON.stringify(folder)}, killGraceMs: 500 }, env: { set: { PATH: '/usr/bin:/bin' }, unset: [] } }, () =>
      // Only once the request is in the channel: dying before that leaves the worker nothing to start.
      setTimeout(() => process.kill(process.pid, 'SIGKILL'), 50));
  `;
  const parent = spawn(process.execPath, ['-e', parentScript], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  parent.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // The worker inherits the parent's stderr: the pipe ends once both are gone.
  let workerGone = false;
  parent.stderr.on('close', () => (workerGone = true));
  // The worker exits only once its stages have ended; a worker that crashed on EPIPE would
  // leave the stage running (and print the error).
  await waitFor(() => workerGone, 90_000, 'the orphaned worker to stop its stage and exit');
  assert.doesNotMatch(stderr, /EPIPE|Unhandled 'error' event/);
  // On busy cores the worker can kill the shell before it ran its first command: then no pid was
  // written and nothing is left to check. A pid that was written must be dead.
  const stagePid = existsSync(join(folder, 'stage.pid')) ? await waitForStagePid(folder) : undefined;
  if (stagePid !== undefined) assert.equal(isProcessAlive(stagePid), false, `stage ${stagePid} survived`);
});

test('the worker is sent the environment once: each later command sends only what differs, and runs with exactly its own', async (t) => {
  const folder = makeTempDir('mlc-worker-env-', t);
  // A stand-in worker that logs every request it gets and answers each start at once.
  const log = join(folder, 'requests.jsonl');
  const fakeWorker = join(folder, 'fakeWorker.js');
  writeFileSync(
    fakeWorker,
    `const { appendFileSync } = require('node:fs');
    process.on('message', (request) => {
      appendFileSync(${JSON.stringify(log)}, JSON.stringify(request) + '\\n');
      if (request.type !== 'start') return;
      process.send({ type: 'result', id: request.id, result: { exitCode: 0, timedOut: false, cancelled: false, startedAt: 0, endedAt: 0 } });
    });`,
  );
  const base: Record<string, string> = { PATH: '/usr/bin:/bin' };
  for (let index = 0; index < 100; index++) base[`SOME_VARIABLE_${index}`] = `value ${index}`.repeat(5);
  const stageEnvironments = [
    { ...base, MLC_STAGE: 'a' },
    { ...base, MLC_STAGE: 'b', EXTRA: '1' },
    { ...base, MLC_STAGE: 'c' },
    Object.fromEntries(Object.entries({ ...base, MLC_STAGE: 'd' }).filter(([name]) => name !== 'SOME_VARIABLE_0')),
  ];
  const fake = createProcessWorkerRunner({ script: fakeWorker, execArgv: [] });
  try {
    for (const env of stageEnvironments)
      await fake.start({ command: 'true', cwd: folder, env }, new AbortController().signal).result;
  } finally {
    fake.dispose();
  }
  const requests = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; env?: { set?: object; unset?: string[] } });
  assert.deepEqual(
    requests.map((request) => request.type),
    ['environment', 'start', 'start', 'start', 'start'],
  );
  assert.deepEqual(
    requests.slice(1).map((request) => request.env),
    [
      { set: {}, unset: [] },
      { set: { MLC_STAGE: 'b', EXTRA: '1' }, unset: [] },
      { set: { MLC_STAGE: 'c' }, unset: [] },
      { set: { MLC_STAGE: 'd' }, unset: ['SOME_VARIABLE_0'] },
    ],
  );

  // The first start's base is the whole environment, once.
  assert.equal(Object.keys((requests[0] as unknown as { env: object }).env).length, 102);

  // The real worker rebuilds each command's environment from those changes.
  assert.ok(launch);
  const runner = createProcessWorkerRunner(launch);
  try {
    const seen: string[] = [];
    for (const env of stageEnvironments) {
      await runner.start(
        {
          command: 'echo "$MLC_STAGE ${EXTRA-none} ${SOME_VARIABLE_0-none}"',
          cwd: folder,
          env,
          onLine: (_stream, line) => seen.push(line),
        },
        new AbortController().signal,
      ).result;
    }
    const first = base.SOME_VARIABLE_0;
    assert.deepEqual(seen, [`a none ${first}`, `b 1 ${first}`, `c none ${first}`, 'd none none']);
  } finally {
    runner.dispose();
  }
});

test('the worker holds commands handed ahead to its -j slots: the next starts when one ends, none after a failure, a waiting one can be cancelled', async (t) => {
  assert.ok(launch, 'the process worker source is found beside src/node/process');
  const folder = makeTempDir('mlc-worker-queue-', t);
  const runner = createProcessWorkerRunner(launch);
  const env = { PATH: '/usr/bin:/bin' };
  const ahead = (name: string, onStarted?: () => void) => ({
    command: `touch ${name}.ran`,
    cwd: folder,
    env,
    ahead: true,
    removeBeforeStart: [join(folder, `${name}.out`)],
    ...(onStarted ? { onStarted } : {}),
  });
  try {
    assert.equal(runner.limitConcurrency(1), true);
    // A success: the command handed ahead starts after it (its out removed first), and is told.
    writeFileSync(join(folder, 'b.out'), 'stale');
    const first = runner.start({ command: 'sleep 0.3', cwd: folder, env }, new AbortController().signal);
    let bStarted = false;
    const second = runner.start(
      ahead('b', () => (bStarted = true)),
      new AbortController().signal,
    );
    assert.equal((await first.result).exitCode, 0);
    const secondResult = await second.result;
    assert.equal(secondResult.exitCode, 0);
    assert.equal(bStarted, true);
    assert.ok(secondResult.startedAt >= (await first.result).endedAt, 'b waited for the slot');
    assert.equal(existsSync(join(folder, 'b.ran')), true);
    assert.equal(existsSync(join(folder, 'b.out')), false, 'its out was removed when it started');

    // A failure: what waits ahead is dropped, never started.
    const failing = runner.start({ command: 'sleep 0.3; exit 3', cwd: folder, env }, new AbortController().signal);
    const dropped = runner.start(ahead('c'), new AbortController().signal);
    assert.equal((await failing.result).exitCode, 3);
    assert.equal((await dropped.result).notStarted, true);
    assert.equal(existsSync(join(folder, 'c.ran')), false);

    // A plain start says mlc went on; one handed ahead behind it can be cancelled while it waits.
    const plain = runner.start({ command: 'sleep 0.3', cwd: folder, env }, new AbortController().signal);
    const cancel = new AbortController();
    const cancelled = runner.start(ahead('d'), cancel.signal);
    cancel.abort();
    const cancelledResult = await cancelled.result;
    assert.equal(cancelledResult.notStarted, true);
    assert.equal((await plain.result).exitCode, 0);
    assert.equal(existsSync(join(folder, 'd.ran')), false);
  } finally {
    runner.dispose();
  }
});

test("the worker writes a stage's result and the next stage's start in one message, and every message arrives in order", async (t) => {
  assert.ok(launch, 'the process worker source is found beside src/node/process');
  const folder = makeTempDir('mlc-worker-batch-', t);
  const worker = fork(launch.script, [], { execArgv: launch.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const posts: ProcessWorkerPost[] = [];
  const done = new Promise<void>((resolve) =>
    worker.on('message', (post: ProcessWorkerPost) => {
      posts.push(post);
      const messages = post.type === 'batch' ? post.messages : [post];
      if (messages.some((message) => message.type === 'result' && message.id === 2)) resolve();
    }),
  );
  try {
    const requests: ProcessWorkerRequest[] = [
      { type: 'environment', env: { PATH: '/usr/bin:/bin' } },
      { type: 'slots', slots: 1 },
      { type: 'start', id: 1, spec: { command: 'echo one; echo two', cwd: folder }, env: { set: {}, unset: [] } },
      // Handed ahead: it takes the slot the moment the first command ends, before mlc hears of that.
      { type: 'start', id: 2, spec: { command: 'true', cwd: folder, ahead: true }, env: { set: {}, unset: [] } },
    ];
    for (const request of requests) worker.send(request);
    await done;
    const messages: ProcessWorkerMessage[] = posts.flatMap((post) => (post.type === 'batch' ? post.messages : [post]));
    const summary = messages.map((message) =>
      message.type === 'line' ? `${message.id} line ${message.line}` : `${message.id} ${message.type}`,
    );
    assert.deepEqual(
      summary.filter((entry) => entry.startsWith('1 ')),
      ['1 started', '1 line one', '1 line two', '1 result'],
    );
    assert.deepEqual(
      summary.filter((entry) => entry.startsWith('2 ')),
      ['2 started', '2 result'],
    );
    const together = posts.find(
      (post) =>
        post.type === 'batch' &&
        post.messages.some((message) => message.type === 'result' && message.id === 1) &&
        post.messages.some((message) => message.type === 'started' && message.id === 2),
    );
    assert.ok(together, `one post holds the first result and the next start: ${JSON.stringify(posts)}`);
  } finally {
    worker.disconnect();
  }
});
