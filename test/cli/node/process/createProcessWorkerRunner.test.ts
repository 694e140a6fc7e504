import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { createProcessWorkerRunner, findProcessWorker } from '../../../../src/node/process/createProcessWorkerRunner';
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
    worker.send({ type: 'start', id: 1, spec: { command: 'echo $$ > stage.pid; sleep 60', cwd: ${JSON.stringify(folder)}, env: { PATH: '/usr/bin:/bin' }, killGraceMs: 500 } }, () =>
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
