import assert from 'node:assert/strict';
import { test } from 'node:test';
import { orderedSnapshots } from '../../../../src/extension/panels/orderedSnapshots';

/** A promise and the function that settles it. */
function gate<T>() {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

test('a snapshot asked for while one is made is made after it: the older state is never delivered after the newer', async () => {
  let state = 1;
  const gates: ReturnType<typeof gate<void>>[] = [];
  const delivered: number[] = [];
  const snapshots = orderedSnapshots({
    // Each snapshot reads the state when made, then waits for its data source (the test's gate).
    make: async () => {
      const seen = state;
      const wait = gate<void>();
      gates.push(wait);
      await wait.promise;
      return seen;
    },
    deliver: (snapshot) => void delivered.push(snapshot),
    onError: (error) => assert.fail(String(error)),
  });
  const first = snapshots.request();
  state = 2;
  const second = snapshots.request();
  state = 3;
  const third = snapshots.request();
  assert.equal(gates.length, 1, 'one snapshot made at a time');
  // The first one's source answers; then the one made after it, which sees the latest state.
  gates[0]!.open();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(gates.length, 2, 'one more snapshot for the two asked meanwhile');
  gates[1]!.open();
  await Promise.all([first, second, third]);
  assert.deepEqual(delivered, [1, 3]);
});

test('a snapshot that fails is reported, and the one asked for after it is still made and delivered', async () => {
  const errors: unknown[] = [];
  const delivered: string[] = [];
  let calls = 0;
  const snapshots = orderedSnapshots({
    make: async () => {
      calls++;
      if (calls === 1) throw new Error('the worker is gone');
      return `snapshot ${calls}`;
    },
    deliver: (snapshot) => void delivered.push(snapshot),
    onError: (error) => errors.push(error),
  });
  const failing = snapshots.request();
  const after = snapshots.request();
  await Promise.all([failing, after]);
  assert.equal(errors.length, 1);
  assert.deepEqual(delivered, ['snapshot 2']);
  // Idle again: a new request makes a new snapshot at once.
  await snapshots.request();
  assert.deepEqual(delivered, ['snapshot 2', 'snapshot 3']);
});
