import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { flattenNumbers, flattenParamValues } from '../../../../src/engine/runStore/flattenNumbers';

test('summary metrics whose YAML aliases make a map contain itself flatten once, never forever', () => {
  const data = parse('train: &t\n  loss: 0.2\n  again: *t\naccuracy: 0.9\n') as unknown;
  assert.deepEqual(flattenNumbers(data), { 'train.loss': 0.2, accuracy: 0.9 });
});

test('metrics nested deeper than anything a logger writes flatten to 100 levels, without overflowing the stack', () => {
  const depth = 20_000;
  const data = JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`) as unknown;
  assert.deepEqual(flattenNumbers(data), {});
  const shallow = JSON.parse(`{"b": 2, "deep": ${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`) as unknown;
  assert.deepEqual(flattenNumbers(shallow), { b: 2 });
});

test('params as runs show them: scalars kept, lists and dates as text, empty, circular and too-deep maps named', () => {
  const data = parse(
    [
      'lr: 0.1',
      'name: resnet',
      'frozen: false',
      'missing:',
      'layers: [64, 128]',
      'started: !!timestamp 2024-01-02T03:04:05Z',
      'empty: {}',
      'loop: &l [1, *l]',
      'model: &m',
      '  depth: 3',
      '  self: *m',
      `deep: ${'{a: '.repeat(150)}1${'}'.repeat(150)}`,
      '',
    ].join('\n'),
  ) as unknown;
  const params = flattenParamValues(data);
  const { deep: _deep, ...rest } = Object.fromEntries(
    Object.entries(params).map(([key, value]) => [key.startsWith('deep.') ? 'deep' : key, value]),
  );
  assert.deepEqual(rest, {
    lr: 0.1,
    name: 'resnet',
    frozen: false,
    missing: null,
    layers: '[64,128]',
    started: '2024-01-02T03:04:05.000Z',
    empty: '{}',
    loop: '[circular]',
    'model.depth': 3,
    'model.self': '[circular]',
  });
  const [deepKey, deepValue] = Object.entries(params).find(([key]) => key.startsWith('deep.'))!;
  assert.equal(deepKey.split('.').length, 100, 'flattened 100 levels deep, the rest kept as JSON');
  assert.match(String(deepValue), /^\{"a":/);
});
