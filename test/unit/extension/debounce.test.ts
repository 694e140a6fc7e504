import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { debounce } from '../../../src/extension/state/debounce';

test('debounce runs once after the last schedule, and flush runs a pending call now', async () => {
  let calls = 0;
  const debouncer = debounce(() => calls++, 30);
  debouncer.schedule();
  debouncer.schedule();
  debouncer.schedule();
  await sleep(60);
  assert.equal(calls, 1);
  debouncer.schedule();
  debouncer.flush();
  assert.equal(calls, 2);
  debouncer.flush();
  assert.equal(calls, 2, 'flush without a pending call does nothing');
  debouncer.schedule();
  debouncer.dispose();
  await sleep(60);
  assert.equal(calls, 2, 'dispose cancels the pending call');
});

test('with a maximum wait, a steady stream of schedules still runs the action', async () => {
  let calls = 0;
  const debouncer = debounce(() => calls++, 50, 120);
  const started = Date.now();
  // 600 ms of schedules with a 120 ms maximum wait: about five runs, and at least two even when a
  // loaded machine delays the timers.
  while (Date.now() - started < 600) {
    debouncer.schedule();
    await sleep(10);
  }
  debouncer.dispose();
  assert.ok(calls >= 2, `ran ${calls} times in 600 ms of schedules every 10 ms`);
});
