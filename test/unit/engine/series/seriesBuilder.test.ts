import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSeriesBuilder } from '../../../../src/engine/series/seriesBuilder';

/** The points 0..count-1: step i, value i / 2, timestamp 1000 + i. */
function filled(count: number, initialCapacity?: number) {
  const builder = createSeriesBuilder(initialCapacity);
  for (let index = 0; index < count; index++) builder.push(index, index / 2, 1000 + index);
  return builder;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_unused, index) => from + index);

test('a series of 200,000 points (several chunks) builds whole and from any index, chunk boundaries included', () => {
  const count = 200_000;
  const builder = filled(count, 4);
  assert.equal(builder.length, count);
  assert.equal(builder.lastStep(), count - 1);
  assert.equal(builder.lastValue(), (count - 1) / 2);
  const whole = builder.build();
  assert.deepEqual(Array.from(whole.steps), range(0, count));
  assert.deepEqual(
    Array.from(whole.values),
    range(0, count).map((index) => index / 2),
  );
  assert.deepEqual(
    Array.from(whole.timestamps),
    range(0, count).map((index) => 1000 + index),
  );
  // 4 + 8 + ... : the first chunks end at 4, 12, 28; 65,536-point chunks later on.
  for (const from of [0, 3, 4, 5, 12, 28, 65_531, 131_067, 131_068, count - 1, count, count + 5]) {
    const tail = builder.build(from);
    assert.deepEqual(Array.from(tail.steps), range(Math.min(from, count), count), `from ${from}`);
    assert.equal(tail.values.length, Math.max(0, count - from));
  }
});

test('a built series shares no memory with later pushes or purges', () => {
  const builder = filled(10, 4);
  const before = builder.build();
  builder.push(10, 5, 1010);
  builder.retain((step) => step < 3);
  assert.deepEqual(Array.from(before.steps), range(0, 10));
  assert.deepEqual(Array.from(builder.build().steps), [0, 1, 2]);
});

test('retain keeps the matching points across chunks, and pushes go on after it', () => {
  const builder = filled(100_000, 16);
  builder.retain((step) => step % 3 === 0);
  assert.equal(builder.length, 33_334);
  assert.equal(builder.lastStep(), 99_999);
  for (let step = 100_000; step < 200_000; step++) builder.push(step, step / 2, 1000 + step);
  const built = builder.build();
  assert.equal(built.steps.length, 133_334);
  assert.equal(built.steps[33_333], 99_999);
  assert.equal(built.steps[33_334], 100_000);
  assert.equal(built.values[133_333], 199_999 / 2);
  builder.retain(() => false);
  assert.equal(builder.length, 0);
  assert.equal(builder.lastStep(), undefined);
  assert.equal(builder.lastValue(), undefined);
  builder.push(7, 1, 2);
  assert.deepEqual(builder.build(), {
    steps: Float64Array.of(7),
    values: Float64Array.of(1),
    timestamps: Float64Array.of(2),
  });
});

test('an empty builder builds empty series and has no last point', () => {
  const builder = createSeriesBuilder();
  assert.equal(builder.lastStep(), undefined);
  assert.deepEqual(builder.build(), {
    steps: new Float64Array(0),
    values: new Float64Array(0),
    timestamps: new Float64Array(0),
  });
});

test('a builder keeps every point whatever capacity it was asked to start with, growing past its first arrays', () => {
  for (const initialCapacity of [1, 4, 8, 16, 64, 1024]) {
    const builder = createSeriesBuilder(initialCapacity);
    for (let step = 0; step < 1000; step++) builder.push(step, step * 2, step * 3);
    const series = builder.build();
    assert.equal(builder.length, 1000);
    assert.deepEqual(
      [...series.steps],
      Array.from({ length: 1000 }, (_value, step) => step),
    );
    assert.deepEqual(
      [...series.values],
      Array.from({ length: 1000 }, (_value, step) => step * 2),
    );
    assert.deepEqual(
      [...series.timestamps],
      Array.from({ length: 1000 }, (_value, step) => step * 3),
    );
    assert.equal(builder.lastValue(), 1998);
    assert.deepEqual([...builder.build(998).steps], [998, 999]);
  }
});
