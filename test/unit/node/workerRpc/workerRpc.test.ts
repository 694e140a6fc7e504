import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Logger } from '../../../../src/engine/ports';
import {
  createWorkerRpcClient,
  findWorkerBeside,
  StaleAnswerError,
  WorkerCrashedError,
  type WorkerRpcClient,
} from '../../../../src/node/workerRpc';

type FixtureApi = {
  echo(args: { value: unknown }): unknown;
  count(args: { to: number; onNumber: (n: number) => void }): number;
  wait(args: { ms: number; value: string }, signal: AbortSignal): Promise<string>;
  fail(args: Record<string, never>): never;
  log(args: { message: string }): void;
  crash(args: Record<string, never>): never;
};

function recordingLogger() {
  const lines: Array<{ level: string; message: string; context?: object }> = [];
  const at = (level: string) => (message: string, context?: object) => lines.push({ level, message, context });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

function fixtureClient(logger: Logger): WorkerRpcClient<FixtureApi> {
  const launch = findWorkerBeside('rpcFixtureWorker', join(__dirname));
  assert.ok(launch, 'the fixture worker is found beside this test');
  return createWorkerRpcClient<FixtureApi>({ name: 'fixture', launch, logger });
}

test('the worker answers calls with structured-cloned values, and callbacks and log lines reach the host', async (t) => {
  const { logger, lines } = recordingLogger();
  const client = fixtureClient(logger);
  t.after(() => client.dispose());
  const value = { map: new Map([['a', 1]]), list: [1, 'two', null], nested: { deep: true } };
  assert.deepEqual(await client.call('echo', { value }), value);
  const seen: number[] = [];
  assert.equal(await client.call('count', { to: 3, onNumber: (n) => seen.push(n) }), 3);
  assert.deepEqual(seen, [1, 2, 3]);
  await client.call('log', { message: 'from the worker' });
  assert.deepEqual(lines, [{ level: 'warn', message: 'from the worker', context: { from: 'worker' } }]);
});

test('an error thrown in the worker comes back as a rejected call, and the worker keeps serving', async (t) => {
  const client = fixtureClient(recordingLogger().logger);
  t.after(() => client.dispose());
  await assert.rejects(client.call('fail', {}), { message: 'the input is not a pipeline' });
  assert.equal(await client.call('echo', { value: 'still here' }), 'still here');
});

test('a crash of the worker rejects the waiting calls, is logged, and the next call starts a new worker', async (t) => {
  const { logger, lines } = recordingLogger();
  const client = fixtureClient(logger);
  t.after(() => client.dispose());
  const waiting = client.call('wait', { ms: 60_000, value: 'never' });
  await assert.rejects(client.call('crash', {}), WorkerCrashedError);
  await assert.rejects(
    waiting,
    (error: Error) => error instanceof WorkerCrashedError && /exit code 3/.test(error.message),
  );
  assert.ok(lines.some((line) => line.level === 'error' && /fixture worker stopped/.test(line.message)));
  assert.equal(await client.call('echo', { value: 'restarted' }), 'restarted');
});

test(
  'a call superseded by a newer one with the same key is cancelled in the worker and its answer dropped',
  { timeout: 60_000 },
  async (t) => {
    const { logger, lines } = recordingLogger();
    const client = fixtureClient(logger);
    t.after(() => client.dispose());
    const older = client.call('wait', { ms: 60_000, value: 'older' }, { supersedes: 'load:/ws' });
    const otherKey = client.call('wait', { ms: 50, value: 'other root' }, { supersedes: 'load:/other' });
    const newer = client.call('wait', { ms: 50, value: 'newer' }, { supersedes: 'load:/ws' });
    await assert.rejects(older, StaleAnswerError);
    assert.equal(await newer, 'newer');
    assert.equal(await otherKey, 'other root');
    // The worker did stop the older wait (its 'cancelled' answer was dropped: the call rejected above).
    while (!lines.some((line) => line.message === 'cancelled older'))
      await new Promise((resolve) => setTimeout(resolve, 10));
  },
);

test('aborting a call cancels it in the worker and still delivers the worker answer', async (t) => {
  const client = fixtureClient(recordingLogger().logger);
  t.after(() => client.dispose());
  const abort = new AbortController();
  const call = client.call('wait', { ms: 60_000, value: 'finished' }, { signal: abort.signal });
  abort.abort();
  assert.equal(await call, 'cancelled');
});
