import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { flattenNumbers } from '../../../../src/engine/runStore/flattenNumbers';

test('summary metrics whose YAML aliases make a map contain itself flatten once, never forever', () => {
  const data = parse('train: &t\n  loss: 0.2\n  again: *t\naccuracy: 0.9\n') as unknown;
  assert.deepEqual(flattenNumbers(data), { 'train.loss': 0.2, accuracy: 0.9 });
});
