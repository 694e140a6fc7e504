import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HealthMonitor, type PolledDeployment } from '../../../../src/extension/lifecycle/healthMonitor';
import type { ProbeResult } from '../../../../src/extension/lifecycle/lifecycleServices';

function monitorWith(deployments: PolledDeployment[], answers: ProbeResult[]) {
  const probed: string[] = [];
  let polled: () => void = () => undefined;
  const monitor = new HealthMonitor({
    probe: ({ healthUrl }) => {
      probed.push(healthUrl);
      return Promise.resolve(answers.shift() ?? { ok: true, latencyMs: 1 });
    },
    deployments: () => deployments,
    intervalMs: () => 60_000,
    now: () => 0,
    onDidPoll: () => polled(),
  });
  const nextRound = () => new Promise<void>((resolve) => (polled = resolve));
  return { monitor, probed, nextRound };
}

test('polls only while active, summarises per deployment, and stops when made inactive', async () => {
  const { monitor, probed, nextRound } = monitorWith(
    [{ key: 'local#1', healthUrl: 'http://127.0.0.1:8601/health' }],
    [{ ok: true, latencyMs: 12 }],
  );
  assert.equal(monitor.isPolling, false, 'nothing polls before anyone looks');
  const round = nextRound();
  monitor.setActive(true);
  await round;
  assert.deepEqual(probed, ['http://127.0.0.1:8601/health']);
  assert.equal(monitor.summary('local#1')?.health, 'up');
  assert.equal(monitor.summary('local#1')?.p50Ms, 12);
  assert.equal(monitor.isPolling, true, 'the next round is scheduled');
  monitor.setActive(false);
  assert.equal(monitor.isPolling, false, 'hidden: no further round');
  monitor.dispose();
});

test('with no deployment to poll the monitor stops by itself', async () => {
  const { monitor, probed, nextRound } = monitorWith([], []);
  const round = nextRound();
  monitor.setActive(true);
  await round;
  assert.deepEqual(probed, []);
  assert.equal(monitor.isPolling, false);
  monitor.dispose();
});

test('with nothing to probe but deployments to watch, rounds go on (each re-reads the deployments)', async () => {
  let asked = 0;
  let polled: () => void = () => undefined;
  const monitor = new HealthMonitor({
    probe: () => assert.fail('nothing to probe'),
    deployments: () => {
      asked++;
      return Promise.resolve([]);
    },
    intervalMs: () => 60_000,
    now: () => 0,
    onDidPoll: () => polled(),
    keepPolling: () => true,
  });
  const round = new Promise<void>((resolve) => (polled = resolve));
  monitor.setActive(true);
  await round;
  assert.equal(asked, 1);
  assert.equal(monitor.isPolling, true, 'the next round is scheduled');
  monitor.dispose();
  assert.equal(monitor.isPolling, false);
});

test('answers of a round in flight when polling stopped are dropped', async () => {
  let release: ((result: ProbeResult) => void) | undefined;
  const monitor = new HealthMonitor({
    probe: () => new Promise<ProbeResult>((resolve) => (release = resolve)),
    deployments: () => [{ key: 'k', healthUrl: 'http://x/health' }],
    intervalMs: () => 60_000,
    now: () => 0,
    onDidPoll: () => assert.fail('a cancelled round must not report'),
  });
  monitor.setActive(true);
  // Wait until the probe is in flight, then stop.
  while (!release) await new Promise((resolve) => setTimeout(resolve, 1));
  monitor.setActive(false);
  release({ ok: false, latencyMs: 1, error: 'late' });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(monitor.summary('k'), undefined);
  monitor.dispose();
});
