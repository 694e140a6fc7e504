import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSeriesBuilder } from '../../../../src/engine/series/seriesBuilder';

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

test('a built series shares no memory with the points pushed after it', () => {
  const builder = createSeriesBuilder(16);
  builder.push(0, 1, 2);
  const before = builder.build();
  for (let step = 1; step < 20; step++) builder.push(step, 5, 6);
  assert.deepEqual([...before.values], [1]);
  builder.retain((step) => step % 2 === 0);
  assert.equal(builder.length, 10);
  assert.deepEqual([...builder.build().steps], [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
});
