import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateGates } from '../../../../src/engine/deploy/evaluateGates';
import type { ModelVersionRecord, RegisteredModel } from '../../../../src/engine/registry/modelRegistry';

function version(number: number, metrics: Record<string, number>): ModelVersionRecord {
  return {
    model: 'churn',
    version: number,
    artifact: 'model.json',
    kind: 'file',
    md5: 'x',
    size: 1,
    sourcePath: 'models/model.json',
    sourceRun: `run-${number}`,
    metrics,
    params: {},
    commit: null,
    who: 'unknown',
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

const champion = version(1, { accuracy: 0.85, auc: 0.9 });
const model = (aliases: Record<string, number>): RegisteredModel => ({ name: 'churn', versions: [champion], aliases });

test('thresholds pass and fail with the value and the bound', () => {
  const results = evaluateGates(
    [
      { metric: 'accuracy', min: 0.8 },
      { metric: 'loss', max: 0.3 },
      { metric: 'auc', min: 0.95 },
    ],
    version(2, { accuracy: 0.83, loss: 0.2, auc: 0.91 }),
    model({}),
  );
  assert.deepEqual(
    results.map(({ gate, passed, value, threshold }) => ({ gate, passed, value, threshold })),
    [
      { gate: 'accuracy >= 0.8', passed: true, value: 0.83, threshold: 0.8 },
      { gate: 'loss <= 0.3', passed: true, value: 0.2, threshold: 0.3 },
      { gate: 'auc >= 0.95', passed: false, value: 0.91, threshold: 0.95 },
    ],
  );
  assert.equal(results[2]!.message, 'auc >= 0.95: 0.91 fails (below 0.95).');
});

test('champion/challenger: a drop within max_drop passes, a larger one fails with both values', () => {
  const gate = [{ metric: 'accuracy', vs: 'production', maxDrop: 0.01 }];
  const within = evaluateGates(gate, version(2, { accuracy: 0.845 }), model({ production: 1 }));
  assert.equal(within[0]!.passed, true);
  assert.equal(within[0]!.threshold, 0.85 - 0.01);
  const beyond = evaluateGates(gate, version(2, { accuracy: 0.83 }), model({ production: 1 }));
  assert.equal(beyond[0]!.passed, false);
  assert.match(beyond[0]!.message, /0\.83 against 0\.85 of version 1 fails \(a drop of 0\.02, at most 0\.01 allowed\)/);
});

test('no champion yet passes and says so; a missing metric fails and lists what the version has', () => {
  const [noChampion] = evaluateGates(
    [{ metric: 'accuracy', vs: 'production' }],
    version(2, { accuracy: 0.1 }),
    model({}),
  );
  assert.equal(noChampion!.passed, true);
  assert.match(noChampion!.message, /no version holds 'production' yet/);
  const [missing] = evaluateGates([{ metric: 'f1', min: 0.5 }], version(2, { accuracy: 0.9 }), model({}));
  assert.equal(missing!.passed, false);
  assert.match(missing!.message, /has no metric 'f1' \(it has accuracy\)/);
});

test('smoke gates are left to the deploy', () => {
  assert.deepEqual(evaluateGates([{ smoke: true }], version(2, {}), model({})), []);
});
