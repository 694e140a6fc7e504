import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunStatus, RunSummary } from '../../../../src/engine/runs/model';
import { newOutsideRunAlerts, runningOutsideRunAlerts } from '../../../../src/extension/running/outsideRunAlerts';

const aRun = (id: string, status: RunStatus, messages: readonly string[]): RunSummary => ({
  id,
  source: 'mlc',
  name: id,
  status,
  startedAt: 1000,
  params: {},
  metrics: {},
  location: `/ws/.mlc/runs/${id}`,
  ...(messages.length > 0 ? { alerts: messages.map((message) => ({ message })) } : {}),
});

test('a running run from outside the window: each alert is new once, as its alerts grow', () => {
  const none = new Set<string>();
  let result = newOutsideRunAlerts([aRun('t1', 'running', [])], new Map(), none);
  assert.deepEqual(result.fresh, []);
  result = newOutsideRunAlerts([aRun('t1', 'running', ['loss is NaN'])], result.seen, none);
  assert.deepEqual(result.fresh, [{ runId: 't1', message: 'loss is NaN' }]);
  result = newOutsideRunAlerts([aRun('t1', 'running', ['loss is NaN'])], result.seen, none);
  assert.deepEqual(result.fresh, [], 'the same alert again is not new');
  // Two more, and the run ended before the index reloaded: both are still news.
  result = newOutsideRunAlerts([aRun('t1', 'failed', ['loss is NaN', 'acc below 0.5', 'stalled'])], result.seen, none);
  assert.deepEqual(
    result.fresh.map((alert) => alert.message),
    ['acc below 0.5', 'stalled'],
  );
});

test('a running run seen first with alerts reports them; finished runs and runs of this window never do', () => {
  const result = newOutsideRunAlerts(
    [
      aRun('terminal', 'running', ['loss is NaN']),
      aRun('history', 'succeeded', ['old alert']),
      aRun('own', 'running', ['reported by the run controller']),
    ],
    new Map(),
    new Set(['own']),
  );
  assert.deepEqual(result.fresh, [{ runId: 'terminal', message: 'loss is NaN' }]);
  assert.deepEqual(
    [...result.seen],
    [
      ['terminal', 1],
      ['history', 1],
      ['own', 1],
    ],
  );
  const later = newOutsideRunAlerts([aRun('own', 'running', ['a', 'b'])], result.seen, new Set(['own']));
  assert.deepEqual(later.fresh, []);
  assert.deepEqual([...later.seen], [['own', 2]], 'runs no longer listed are forgotten');
});

test('the status bar counts the alerts of outside runs still running', () => {
  assert.deepEqual(
    runningOutsideRunAlerts(
      [aRun('terminal', 'running', ['a', 'b']), aRun('done', 'failed', ['c']), aRun('own', 'running', ['d'])],
      new Set(['own']),
    ),
    [
      { runId: 'terminal', message: 'a' },
      { runId: 'terminal', message: 'b' },
    ],
  );
});
