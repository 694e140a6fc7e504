import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatStopRequest,
  readStopRequest,
  STOP_REQUEST_FILE,
  STOP_REQUEST_POLL_MS,
  watchStopRequest,
} from '../../../../src/engine/runStore/stopRequest';
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

test('the watch aborts its signal and reports the request once the file appears', async () => {
  const fs = createMemoryFileSystem();
  const noticed: unknown[] = [];
  const watch = watchStopRequest(
    fs,
    run,
    () => 5,
    new AbortController().signal,
    (seen) => noticed.push(seen),
  );
  try {
    assert.equal(watch.signal.aborted, false);
    fs.writeFileAtomic(`${run}/${STOP_REQUEST_FILE}`, formatStopRequest(request));
    const started = Date.now();
    await new Promise((resolve) => watch.signal.addEventListener('abort', resolve, { once: true }));
    assert.ok(Date.now() - started < STOP_REQUEST_POLL_MS * 4, 'noticed within a few polls');
    assert.deepEqual(noticed, [request]);
    assert.deepEqual(watch.request(), request);
  } finally {
    watch.dispose();
  }
});

test('the watch follows the outer signal (Ctrl-C) without inventing a request', () => {
  const fs = createMemoryFileSystem();
  const outer = new AbortController();
  const watch = watchStopRequest(
    fs,
    run,
    () => 5,
    outer.signal,
    () => assert.fail('no request was written'),
  );
  outer.abort();
  assert.equal(watch.signal.aborted, true);
  assert.equal(watch.request(), undefined);
  watch.dispose();
});
