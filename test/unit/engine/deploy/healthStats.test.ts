import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addHealthSample,
  type HealthSample,
  percentile,
  summarizeHealth,
} from '../../../../src/engine/deploy/healthStats';

const sample = (latencyMs: number, ok = true, error?: string): HealthSample => ({
  at: 0,
  ok,
  latencyMs,
  ...(error ? { error } : {}),
});

test('percentile is nearest-rank: p50 and p95 of 1..20 are 10 and 19', () => {
  const values = Array.from({ length: 20 }, (_, index) => 20 - index);
  assert.equal(percentile(values, 50), 10);
  assert.equal(percentile(values, 95), 19);
  assert.equal(percentile([7], 95), 7);
  assert.equal(percentile([], 50), null);
});

test('summarizeHealth: latency from successful probes only, error rate over all, health from the last', () => {
  const window = [sample(10), sample(30), sample(2, false, 'connect ECONNREFUSED'), sample(20)];
  assert.deepEqual(summarizeHealth(window), {
    health: 'up',
    p50Ms: 20,
    p95Ms: 30,
    errorRate: 0.25,
    samples: 4,
    lastError: 'connect ECONNREFUSED',
  });
  const down = summarizeHealth([...window, sample(1, false, 'HTTP 503')]);
  assert.equal(down.health, 'down');
  assert.equal(down.errorRate, 0.4);
  assert.equal(down.lastError, 'HTTP 503');
});

test('summarizeHealth of no probes is unknown with no figures', () => {
  assert.deepEqual(summarizeHealth([]), { health: 'unknown', p50Ms: null, p95Ms: null, errorRate: null, samples: 0 });
  assert.equal(summarizeHealth([sample(5, false)]).p50Ms, null);
});

test('addHealthSample keeps the newest probes up to the window size', () => {
  let window: HealthSample[] = [];
  for (let index = 1; index <= 5; index++) window = addHealthSample(window, sample(index), 3);
  assert.deepEqual(
    window.map((entry) => entry.latencyMs),
    [3, 4, 5],
  );
});
