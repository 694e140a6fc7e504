import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WorkspaceView } from '../../../../src/extension/engineServices';
import { reloadedRootState, type RootState } from '../../../../src/extension/state/rootState';

const aView = (root: string) => ({ root, pipelines: [], stages: [], problems: [] }) as unknown as WorkspaceView;

test('reloading pipelines aborts the status computation started for the previous view and keeps the shown states', () => {
  const inFlight = new AbortController();
  const statuses = new Map([['train', { state: 'changed', reasons: [] }]]) as unknown as RootState['statuses'];
  const previous: RootState = { view: aView('/ws'), statuses, lastRuns: new Map(), statusAbort: inFlight };
  const view = aView('/ws');
  const reloaded = reloadedRootState(previous, view);
  assert.equal(inFlight.signal.aborted, true, 'the older computation is aborted, as the class comment says');
  assert.equal(reloaded.view, view);
  assert.equal(reloaded.statuses, statuses, 'the last states stay until the new ones arrive');
  assert.equal(reloaded.statusAbort, undefined);
});

test('the first load of a folder starts empty', () => {
  const reloaded = reloadedRootState(undefined, aView('/ws'));
  assert.equal(reloaded.statuses.size, 0);
  assert.equal(reloaded.lastRuns.size, 0);
});
