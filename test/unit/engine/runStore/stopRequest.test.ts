import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatStopRequest,
  readStopRequest,
  STOP_REQUEST_FILE,
  STOP_REQUEST_POLL_MS,
  watchStopRequest,
} from '../../../../src/engine/runStore/stopRequest';
import { createFakeTime } from '../../../support/fakeTime';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

const run = '/ws/.mlc/runs/20261126-093000-abcdef';
const request = { requestedAt: 1234, by: { pid: 77, hostname: 'box', command: 'mlc stop' } };

test('a stop request reads back as written; no file means nobody asked', () => {
  const fs = createMemoryFileSystem();
  assert.equal(readStopRequest(fs, run, 5), undefined);
  fs.writeFileAtomic(`${run}/${STOP_REQUEST_FILE}`, formatStopRequest(request));
  assert.deepEqual(readStopRequest(fs, run, 5), request);
});

test('a hand-made or garbled request file still asks to stop, from an unknown sender', () => {
  const fs = createMemoryFileSystem({ [`${run}/${STOP_REQUEST_FILE}`]: '' });
  assert.deepEqual(readStopRequest(fs, run, 99), {
    requestedAt: 99,
    by: { pid: 0, hostname: 'unknown', command: 'unknown' },
  });
});

test('the watch polls on the Timers port: it notices the request at the next poll, and dispose clears it', () => {
  const fs = createMemoryFileSystem();
  const time = createFakeTime();
  const noticed: unknown[] = [];
  const watch = watchStopRequest(fs, run, time, new AbortController().signal, (seen) => noticed.push(seen));
  try {
    assert.equal(time.pendingTimers(), 1);
    fs.writeFileAtomic(`${run}/${STOP_REQUEST_FILE}`, formatStopRequest(request));
    time.advance(STOP_REQUEST_POLL_MS - 1);
    assert.equal(watch.signal.aborted, false, 'not before the next poll');
    time.advance(1);
    assert.equal(watch.signal.aborted, true);
    assert.deepEqual(noticed, [request]);
    assert.deepEqual(watch.request(), request);
    time.advance(STOP_REQUEST_POLL_MS * 4);
    assert.equal(noticed.length, 1, 'reported once');
  } finally {
    watch.dispose();
  }
  assert.equal(time.pendingTimers(), 0, 'no timer left behind');
});

test('the watch follows the outer signal (Ctrl-C) without inventing a request', () => {
  const fs = createMemoryFileSystem();
  const outer = new AbortController();
  const watch = watchStopRequest(fs, run, createFakeTime(), outer.signal, () => assert.fail('no request was written'));
  outer.abort();
  assert.equal(watch.signal.aborted, true);
  assert.equal(watch.request(), undefined);
  watch.dispose();
});
