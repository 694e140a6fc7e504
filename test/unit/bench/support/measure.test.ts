import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measure, summarise } from '../../../../bench/support/measure';

test('summarise gives the median, nearest-rank p95, min, max and mean', () => {
  const samples = Array.from({ length: 20 }, (_, index) => 20 - index);
  const summary = summarise(samples);
  assert.equal(summary.medianMs, 10.5);
  assert.equal(summary.p95Ms, 19);
  assert.equal(summary.minMs, 1);
  assert.equal(summary.maxMs, 20);
  assert.equal(summary.meanMs, 10.5);
  assert.deepEqual(summary.samplesMs, samples, 'samples keep call order');
  assert.equal(summarise([3, 1, 2]).medianMs, 2);
});

test('measure runs warmup and timed calls, awaiting async work, with beforeEach untimed', async () => {
  let calls = 0;
  let prepared = 0;
  const result = await measure(
    async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
    },
    {
      warmup: 2,
      iterations: 4,
      beforeEach: () => {
        prepared += 1;
      },
    },
  );
  assert.equal(calls, 6);
  assert.equal(prepared, 6);
  assert.equal(result.iterations, 4);
  assert.ok(result.minMs >= 4, `awaited the timer: ${result.minMs} ms`);
});

test('measure stops early at maxTimeMs but always takes one sample', async () => {
  const result = await measure(() => new Promise((resolve) => setTimeout(resolve, 15)), {
    warmup: 0,
    iterations: 1000,
    maxTimeMs: 1,
  });
  assert.equal(result.iterations, 1);
});
