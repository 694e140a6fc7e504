import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom, seedFromName } from '../../../../bench/support/createRandom';

test('createRandom repeats the same sequence for the same seed and differs for another', () => {
  const draw = (seed: number) => {
    const random = createRandom(seed);
    return [random.next(), random.int(1, 6), random.hex(12), [...random.bytes(7)]];
  };
  assert.deepEqual(draw(42), draw(42));
  assert.notDeepEqual(draw(42), draw(43));
});

test('createRandom keeps values in their ranges and fills unaligned buffers', () => {
  const random = createRandom(seedFromName('ranges'));
  for (let index = 0; index < 1000; index += 1) {
    const value = random.int(-3, 3);
    assert.ok(Number.isInteger(value) && value >= -3 && value <= 3);
    const fraction = random.next();
    assert.ok(fraction >= 0 && fraction < 1);
  }
  const backing = new Uint8Array(64);
  random.fill(backing.subarray(1, 40));
  assert.equal(backing[0], 0, 'bytes outside the view are untouched');
  assert.equal(backing[40], 0);
  assert.ok(backing.subarray(1, 40).some((byte) => byte !== 0));
  const items = [1, 2, 3, 4, 5];
  assert.deepEqual([...random.shuffle([...items])].sort(), items);
});

test('seedFromName is stable and tells names apart', () => {
  assert.equal(seedFromName('hashing'), seedFromName('hashing'));
  assert.notEqual(seedFromName('hashing'), seedFromName('status'));
});
