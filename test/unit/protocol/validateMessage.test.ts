import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareActionValidators, isComparePersistedState } from '../../../src/protocol/compare';
import { runDetailsActionValidators } from '../../../src/protocol/runDetails';
import { runHistoryActionValidators } from '../../../src/protocol/runHistory';
import { parseMessage } from '../../../src/protocol/validateMessage';

test('well-formed panel actions pass their panel validator', () => {
  const accepted = [
    { type: 'ready' },
    { type: 'reportProblem', kind: 'cspViolation', message: 'script-src blocked inline' },
    { type: 'openRun', runId: 'r1' },
    { type: 'compareRuns', runIds: ['a', 'b'] },
    { type: 'setStarred', runId: 'r1', starred: true },
    { type: 'exportTable', format: 'csv', header: ['name'], rows: [['a']] },
  ];
  for (const message of accepted) {
    assert.deepEqual(parseMessage(message, runHistoryActionValidators), { ok: true, message }, JSON.stringify(message));
  }
  assert.equal(parseMessage({ type: 'setBaseline', runId: 'a' }, compareActionValidators).ok, true);
  assert.equal(parseMessage({ type: 'rerun' }, runDetailsActionValidators).ok, true);
});

test('wrong shapes and unknown types are refused with a reason', () => {
  const refused: Array<[unknown, RegExp]> = [
    [null, /not an object/],
    [['openRun'], /not an object/],
    [{ type: 'toString' }, /unknown message type/],
    [{ type: '__proto__' }, /unknown message type/],
    [{ type: 'deleteEverything' }, /unknown message type/],
    [{ type: 'openRun' }, /wrong shape/],
    [{ type: 'openRun', runId: 7 }, /wrong shape/],
    [{ type: 'openRun', runId: '' }, /wrong shape/],
    [{ type: 'compareRuns', runIds: [] }, /wrong shape/],
    [{ type: 'setStarred', runId: 'r', starred: 'yes' }, /wrong shape/],
    [{ type: 'exportTable', format: 'html', header: [], rows: [] }, /wrong shape/],
    [{ type: 'exportTable', format: 'csv', header: ['a'], rows: [[1]] }, /wrong shape/],
    [{ type: 'reportProblem', kind: 'other', message: 'x' }, /wrong shape/],
  ];
  for (const [message, reason] of refused) {
    const parsed = parseMessage(message, runHistoryActionValidators);
    assert.equal(parsed.ok, false, JSON.stringify(message));
    assert.match((parsed as { reason: string }).reason, reason, JSON.stringify(message));
  }
  assert.equal(parseMessage({ type: 'openFile', path: 42 }, runDetailsActionValidators).ok, false);
});

test('a restored Compare panel state must name its runs', () => {
  assert.equal(isComparePersistedState({ runIds: ['a', 'b'], baselineId: 'a' }), true);
  assert.equal(isComparePersistedState({ runIds: 'a', baselineId: 'a' }), false);
  assert.equal(isComparePersistedState(undefined), false);
});
