import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunSummary } from '../../../../src/engine/runs/model';
import { diffRunRows, toRunRow } from '../../../../src/extension/panels/runRows';
import { applyRunsDelta } from '../../../../webview-ui/runHistory/tableModel';

const aRun = (id: string, overrides: Partial<RunSummary> = {}): RunSummary => ({
  id,
  source: 'mlc',
  name: id,
  status: 'succeeded',
  startedAt: 1000,
  params: { lr: 0.1 },
  metrics: { loss: Number.NaN, accuracy: 0.9 },
  location: `/ws/.mlc/runs/${id}`,
  ...overrides,
});

test('a run becomes a JSON row: absent values null, NaN metrics null, annotation attached', () => {
  const row = toRunRow(aRun('r1', { git: { commit: 'abc', dirty: true } }), { starred: true, note: 'n', tags: ['t'] });
  assert.deepEqual(row.metrics, { loss: null, accuracy: 0.9 });
  assert.equal(row.endedAt, null);
  assert.equal(row.gitCommit, 'abc');
  assert.equal(row.gitDirty, true);
  assert.deepEqual(row.annotation, { starred: true, note: 'n', tags: ['t'] });
  assert.deepEqual(JSON.parse(JSON.stringify(row)), row, 'survives JSON unchanged');
});

test('the alerts of a run reach its row (the Run History marker); a run without alerts has none', () => {
  assert.deepEqual(
    toRunRow(aRun('r1', { alerts: [{ message: 'loss is NaN at step 1 of train', metric: 'loss', step: 1 }] })).alerts,
    ['loss is NaN at step 1 of train'],
  );
  assert.equal('alerts' in toRunRow(aRun('r2')), false);
});

test('deltas carry only new and changed rows, and the panel ends with the host order', () => {
  const first = [aRun('b'), aRun('a')].map((run) => toRunRow(run));
  const initial = diffRunRows(new Map(), first);
  let panelRows = applyRunsDelta([], initial.upserted, initial.removed);
  assert.deepEqual(
    panelRows.map((row) => row.id),
    ['b', 'a'],
  );
  const second = [aRun('c', { status: 'running' }), aRun('b', { status: 'failed' })].map((run) => toRunRow(run));
  const delta = diffRunRows(initial.sent, second);
  assert.deepEqual(
    delta.upserted.map((row) => row.id),
    ['c', 'b'],
  );
  assert.deepEqual(delta.removed, ['a']);
  panelRows = applyRunsDelta(panelRows, delta.upserted, delta.removed);
  assert.deepEqual(
    panelRows.map((row) => [row.id, row.status]),
    [
      ['c', 'running'],
      ['b', 'failed'],
    ],
  );
  assert.deepEqual(diffRunRows(delta.sent, second).upserted, [], 'nothing changed, nothing sent');
});
