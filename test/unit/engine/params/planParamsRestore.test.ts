import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planParamsRestore } from '../../../../src/engine/params/planParamsRestore';
import { aStage } from '../../../support/builders';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

const PARAMS_YAML = '# learning settings\ntrain:\n  lr: 0.5 # tuned by hand\n  layers: [64, 32]\nseed: 7\n';

test('the recorded values go back into the YAML params file, comments and untouched values kept', () => {
  const fs = createMemoryFileSystem({ '/ws/params.yaml': PARAMS_YAML, '/ws/tune.json': '{"decay": 0.9}' });
  const stage = aStage({ params: ['train', 'seed', { 'tune.json': ['decay'] }] });
  const plan = planParamsRestore(fs, [stage], {
    'train.lr': 0.01,
    'train.layers': '[128,32]',
    seed: 7,
    decay: 0.8,
    dropout: 0.2,
  });
  assert.equal(plan.edits.length, 1);
  const [edit] = plan.edits;
  assert.equal(edit!.file, '/ws/params.yaml');
  assert.equal(edit!.before, PARAMS_YAML);
  assert.equal(
    edit!.after,
    '# learning settings\ntrain:\n  lr: 0.01 # tuned by hand\n  layers:\n    - 128\n    - 32\nseed: 7\n',
  );
  assert.deepEqual(edit!.changes, [
    { key: 'train.lr', current: 0.5, recorded: 0.01 },
    { key: 'train.layers', current: '[64,32]', recorded: '[128,32]' },
  ]);
  assert.deepEqual(
    plan.notRestorable.map((entry) => entry.key),
    ['decay', 'dropout'],
    'a JSON file is not rewritten; a key no file holds cannot be restored',
  );
  assert.match(plan.notRestorable[0]!.reason, /tune\.json is not YAML/);
  assert.match(plan.notRestorable[1]!.reason, /no params file/);
});

test('params that already hold the recorded values plan no edit', () => {
  const fs = createMemoryFileSystem({ '/ws/params.yaml': PARAMS_YAML });
  const stage = aStage({ params: ['train', 'seed'] });
  const plan = planParamsRestore(fs, [stage], { 'train.lr': 0.5, 'train.layers': '[64,32]', seed: 7 });
  assert.deepEqual(plan, { edits: [], notRestorable: [] });
});
