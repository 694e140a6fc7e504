import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseDocument } from 'yaml';
import { parseFlatYamlMap, readParamsYaml } from '../../../../src/engine/runIndex/readParamsYaml';
import { flattenParamValues } from '../../../../src/engine/runStore/flattenNumbers';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

const SCALARS = [
  '1',
  '-2',
  '+3',
  '007',
  '0.5',
  '1e-08',
  '1.',
  '.5',
  '-.inf',
  '.nan',
  '.NaN',
  'true',
  'True',
  'FALSE',
  'yes',
  'no',
  'null',
  '~',
  '',
  'NULL',
  'hello',
  'hello world',
  "'quoted'",
  "'it''s'",
  '"double"',
  '2023-01-01',
  '1_000',
  '0x1f',
  '0o17',
  '[1, 2]',
  '{a: 1}',
  '&anchor x',
  '*alias',
  '!!str 1',
  '|',
  '>',
  'a # comment',
  'a: b',
  '- item',
  '"esc\\"aped"',
  '12345678901234567890',
  'prajjwal1/bert-tiny',
  "!!python/name:torch.optim.adam.Adam ''",
];

test('the flat fast path agrees with the YAML library whenever it answers', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.stringMatching(/^[a-z_][a-z0-9_.]{0,8}$/), { minLength: 1, maxLength: 6 }),
      fc.array(fc.constantFrom(...SCALARS), { minLength: 6, maxLength: 6 }),
      (keys, values) => {
        const text = keys.map((key, index) => `${key}: ${values[index]}`.trimEnd()).join('\n') + '\n';
        const fast = parseFlatYamlMap(text);
        if (!fast) return;
        const slow = flattenParamValues(parseDocument(text).toJS());
        assert.deepEqual(fast, slow, text);
      },
    ),
    { numRuns: 500 },
  );
});

test('readParamsYaml keeps Python tags readable and reports malformed YAML with a position', () => {
  const fs = createMemoryFileSystem({
    '/a.yaml': "optimizer: !!python/name:torch.optim.adam.Adam ''\nnested:\n  lr: 0.1\n",
    '/b.yaml': 'a: [1\nb: 2: 3\n',
  });
  assert.deepEqual(readParamsYaml(fs, '/a.yaml').params, { optimizer: 'torch.optim.adam.Adam', 'nested.lr': 0.1 });
  const broken = readParamsYaml(fs, '/b.yaml');
  assert.ok(broken.problems.length > 0);
  assert.equal(broken.problems[0]!.code, 'paramsYamlInvalid');
  assert.equal(broken.problems[0]!.file, '/b.yaml');
  assert.deepEqual(readParamsYaml(fs, '/missing.yaml'), { params: {}, problems: [] });
});

test('a params file whose aliases make a map or a list contain itself is read, never followed forever', () => {
  const fs = createMemoryFileSystem({
    '/ws/map.yaml': 'model: &m\n  lr: 0.1\n  self: *m\nepochs: 3\n',
    '/ws/list.yaml': 'layers: &l [1, *l]\nepochs: 3\n',
    '/ws/deep.yaml': `deep: ${'{a: '.repeat(150)}1${'}'.repeat(150)}\n`,
  });
  const map = readParamsYaml(fs, '/ws/map.yaml');
  assert.equal(map.params['model.lr'], 0.1);
  assert.equal(map.params['model.self'], '[circular]');
  assert.equal(map.params.epochs, 3);
  assert.deepEqual(readParamsYaml(fs, '/ws/list.yaml').params, { layers: '[circular]', epochs: 3 });
  const deep = readParamsYaml(fs, '/ws/deep.yaml').params;
  const [key, value] = Object.entries(deep)[0]!;
  assert.equal(key.split('.').length, 100, 'flattened 100 levels deep, the rest kept as JSON');
  assert.match(String(value), /^\{"a":/);
});
