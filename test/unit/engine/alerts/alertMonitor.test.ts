import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAlertMonitor, type WatchedAlertRule } from '../../../../src/engine/alerts/alertMonitor';
import { findAlertBaseline } from '../../../../src/engine/alerts/watchRunAlerts';
import type { AlertRule } from '../../../../src/engine/pipeline/model';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

const at = { line: 3, column: 5 };
const watch = (rule: Omit<AlertRule, 'position'>, extra: Partial<WatchedAlertRule> = {}): WatchedAlertRule => ({
  rule: { ...rule, position: at },
  pipeline: 'mlc.yaml',
  ...extra,
});
const point = (name: string, step: number, value: number) => ({ name, step, value, timestamp: 0 });

test('a NaN point fires the nan alert once, with its step, stage and a JSON-safe value', () => {
  const monitor = createAlertMonitor([watch({ metric: 'loss', when: 'nan' })], 0);
  assert.deepEqual(monitor.points('train', [point('loss', 1, 0.7), point('accuracy', 1, Number.NaN)], 10), []);
  const fired = monitor.points('train', [point('loss', 2, Number.NaN)], 20);
  assert.equal(fired.length, 1);
  assert.deepEqual(
    { ...fired[0] },
    {
      kind: 'nonFinite',
      rule: 'loss is NaN',
      pipeline: 'mlc.yaml',
      line: 3,
      firedAt: 20,
      stage: 'train',
      metric: 'loss',
      step: 2,
      value: 'nan',
      message: 'loss is NaN at step 2 of train',
    },
  );
  assert.equal(JSON.parse(JSON.stringify(fired[0])).value, 'nan');
  assert.deepEqual(monitor.points('train', [point('loss', 3, Number.NaN)], 30), [], 'a rule fires once per run');
  assert.equal(monitor.fired.length, 1);
});

test('when: inf fires on an infinity and not on NaN; nonfinite fires on either', () => {
  const monitor = createAlertMonitor(
    [watch({ metric: 'loss', when: 'inf' }), watch({ metric: 'grad', when: 'nonfinite' })],
    0,
  );
  assert.deepEqual(monitor.points('s', [point('loss', 1, Number.NaN)], 1), []);
  assert.deepEqual(
    monitor
      .points('s', [point('loss', 2, Number.NEGATIVE_INFINITY), point('grad', 2, Number.POSITIVE_INFINITY)], 2)
      .map((alert) => [alert.metric, alert.value]),
    [
      ['loss', '-inf'],
      ['grad', 'inf'],
    ],
  );
});

test('a threshold alert waits for after_step and ignores NaN', () => {
  const monitor = createAlertMonitor([watch({ metric: 'val_accuracy', below: 0.5, afterStep: 10 })], 0);
  assert.deepEqual(
    monitor.points('train', [point('val_accuracy', 9, 0.1), point('val_accuracy', 10, Number.NaN)], 1),
    [],
  );
  const [alert] = monitor.points('train', [point('val_accuracy', 11, 0.42)], 2);
  assert.equal(alert?.kind, 'threshold');
  assert.equal(alert?.threshold, 0.5);
  assert.equal(alert?.rule, 'val_accuracy below 0.5 after step 10');
  assert.equal(alert?.message, 'val_accuracy 0.42 is below 0.5 at step 11 of train');
  const above = createAlertMonitor([watch({ metric: 'loss', above: 2 })], 0);
  assert.equal(above.points('train', [point('loss', 0, 2.5)], 1)[0]?.message, 'loss 2.5 is above 2 at step 0 of train');
});

test('a regression alert compares the final value with the baseline run (max_drop and max_rise)', () => {
  const baseline = { runId: 'r1', value: 0.9 };
  const monitor = createAlertMonitor(
    [
      watch({ metric: 'accuracy', vs: 'previous', maxDrop: 0.05 }, { baseline }),
      watch({ metric: 'loss', vs: 'r1', maxRise: 0.1 }, { baseline: { runId: 'r1', value: 0.3 } }),
    ],
    0,
  );
  assert.deepEqual(monitor.points('train', [point('accuracy', 1, 0.1)], 1), [], 'without after_step: only at the end');
  const fired = monitor.final({ accuracy: 0.8, loss: 0.35 }, 5);
  assert.deepEqual(
    fired.map((alert) => [alert.kind, alert.metric, alert.baselineRun, alert.message]),
    [
      [
        'regression',
        'accuracy',
        'r1',
        'accuracy 0.8 dropped more than 0.05 below the baseline run r1 (0.9) at the end of the run',
      ],
    ],
  );
  assert.ok(Math.abs(fired[0]!.threshold! - 0.85) < 1e-12);
  const live = createAlertMonitor(
    [watch({ metric: 'loss', vs: 'r1', maxRise: 0.1, afterStep: 5 }, { baseline: { runId: 'r1', value: 0.3 } })],
    0,
  );
  assert.deepEqual(live.points('train', [point('loss', 4, 9)], 1), []);
  assert.equal(live.points('train', [point('loss', 5, 0.5)], 2)[0]?.kind, 'regression');
  const noBaseline = createAlertMonitor([watch({ metric: 'accuracy', vs: 'previous', maxDrop: 0 })], 0);
  assert.deepEqual(noBaseline.final({ accuracy: 0 }, 1), [], 'nothing to compare with: never fires');
});

test('a stalled alert fires when neither a log line nor a metric point came for its duration', () => {
  const monitor = createAlertMonitor([watch({ stalledMs: 60_000 })], 1_000);
  assert.equal(monitor.shortestStallMs, 60_000);
  assert.deepEqual(monitor.tick(50_000), []);
  monitor.activity(40_000);
  assert.deepEqual(monitor.tick(90_000), [], 'the log line at 40 s reset the clock');
  monitor.points('train', [point('loss', 1, 1)], 95_000);
  assert.deepEqual(monitor.tick(150_000), []);
  const [alert] = monitor.tick(155_000);
  assert.equal(alert?.kind, 'stalled');
  assert.equal(alert?.message, 'the run has written no metric point or log line for 1m 00s (stalled: 1m 00s)');
  assert.deepEqual(monitor.tick(999_000), []);
});

test('a deployment alert fires when its target is down, not when it is up or not deployed', () => {
  const monitor = createAlertMonitor([watch({ deployment: 'api' })], 0);
  assert.deepEqual(monitor.deploymentTargets, ['api']);
  assert.deepEqual(monitor.deployment('api', { state: 'up' }, 1), []);
  assert.deepEqual(monitor.deployment('api', { state: 'notDeployed' }, 2), []);
  assert.deepEqual(monitor.deployment('other', { state: 'down', reason: 'x' }, 3), []);
  const [alert] = monitor.deployment('api', { state: 'down', reason: 'connection refused' }, 4);
  assert.equal(alert?.kind, 'deploymentDown');
  assert.equal(alert?.deployment, 'api');
  assert.equal(alert?.message, 'the deployment api is down: connection refused');
});

test('a NaN summary metric fires a nan alert at the end of the run', () => {
  const monitor = createAlertMonitor([watch({ metric: 'auc', when: 'nan' })], 0);
  assert.equal(monitor.final({ auc: Number.NaN }, 9)[0]?.message, 'auc is NaN at the end of the run');
});

test('findAlertBaseline: previous is the newest other succeeded run with the metric; a run id is that run', () => {
  const record = (id: string, status: string, metrics: object, seriesLatest: object = {}) =>
    JSON.stringify({
      schema: 1,
      id,
      status,
      startedAt: 0,
      updatedAt: 0,
      owner: { pid: 1, hostname: 'h' },
      workspace: '/ws',
      targets: [],
      options: {},
      params: {},
      metrics,
      seriesLatest,
      stages: [],
    });
  const fs = createMemoryFileSystem({
    '/ws/.mlc/runs/20260101-000000-aaaaaa/run.json': record('20260101-000000-aaaaaa', 'succeeded', { accuracy: 0.8 }),
    '/ws/.mlc/runs/20260102-000000-bbbbbb/run.json': record(
      '20260102-000000-bbbbbb',
      'succeeded',
      {},
      { accuracy: 0.85 },
    ),
    '/ws/.mlc/runs/20260103-000000-cccccc/run.json': record('20260103-000000-cccccc', 'failed', { accuracy: 0.99 }),
    '/ws/.mlc/runs/20260104-000000-dddddd/run.json': record('20260104-000000-dddddd', 'running', {}),
  });
  const runs = '/ws/.mlc/runs';
  assert.deepEqual(findAlertBaseline(fs, runs, 'previous', 'accuracy', '20260104-000000-dddddd'), {
    runId: '20260102-000000-bbbbbb',
    value: 0.85,
  });
  assert.deepEqual(findAlertBaseline(fs, runs, '20260101-000000-aaaaaa', 'accuracy', 'x'), {
    runId: '20260101-000000-aaaaaa',
    value: 0.8,
  });
  assert.equal(findAlertBaseline(fs, runs, 'previous', 'auc', 'x'), undefined);
  assert.equal(findAlertBaseline(fs, runs, 'nope', 'accuracy', 'x'), undefined);
});
