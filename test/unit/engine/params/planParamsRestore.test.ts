import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planParamsRestore } from '../../../../src/engine/params/planParamsRestore';
import { aStage } from '../../../support/builders';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

const PARAMS_YAML = '# learning settings\ntrain:\n  lr: 0.5 # tuned by hand\n  layers: [64, 32]\nseed: 7\n';

test('the recorded values go back into the YAML params file, comments and untouched values kept', () => {
  const fs = createMemoryFileSystem({ '/ws/params.yaml': PARAMS_YAML, '/ws/tune.py': 'decay = 0.9\n' });
  const stage = aStage({ params: ['train', 'seed', { 'tune.py': ['decay'] }] });
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
    'a .py file is not rewritten; a key no file holds cannot be restored',
  );
  assert.match(plan.notRestorable[0]!.reason, /tune\.py is Python code/);
  assert.match(plan.notRestorable[1]!.reason, /no params file/);
});

test('params that already hold the recorded values plan no edit', () => {
  const fs = createMemoryFileSystem({ '/ws/params.yaml': PARAMS_YAML });
  const stage = aStage({ params: ['train', 'seed'] });
  const plan = planParamsRestore(fs, [stage], { 'train.lr': 0.5, 'train.layers': '[64,32]', seed: 7 });
  assert.deepEqual(plan, { edits: [], notRestorable: [] });
});

test('a JSON params file gets the recorded values in place: its indentation, order and other values kept', () => {
  const before =
    '{\n    "train": {\n        "lr": 0.5,\n        "epochs": 10,\n        "layers": [64, 32]\n    },\n    "decay": 1.0,\n    "name": "base"\n}\n';
  const fs = createMemoryFileSystem({ '/ws/params.json': before });
  const stage = aStage({ params: [{ 'params.json': ['train', 'decay', 'name'] }] });
  const plan = planParamsRestore(fs, [stage], {
    'train.lr': 0.01,
    'train.epochs': 10,
    'train.layers': '[128,32]',
    decay: 2,
    name: 'say "hi"',
  });
  assert.deepEqual(plan.notRestorable, []);
  assert.equal(
    plan.edits[0]!.after,
    '{\n    "train": {\n        "lr": 0.01,\n        "epochs": 10,\n        "layers": [128, 32]\n    },\n    "decay": 2.0,\n    "name": "say \\"hi\\""\n}\n',
    'a float stays a float (2.0), a list keeps its separator',
  );
  assert.deepEqual(
    plan.edits[0]!.changes.map((change) => change.key),
    ['train.lr', 'train.layers', 'decay', 'name'],
  );
});

test('a TOML params file gets the recorded values by editing each value token: comments and layout kept', () => {
  const before = [
    '# tuned by hand',
    'seed = 7 # fixed',
    '',
    '[train]',
    'lr = 5e-1   # was 0.1',
    'layers = [',
    '  64,  # wide',
    '  32,',
    ']',
    'optimizer.name = "adam"',
    '',
    '["data set"]',
    "path = 'data/raw.csv'",
    '',
  ].join('\n');
  const fs = createMemoryFileSystem({ '/ws/params.toml': before });
  const stage = aStage({ params: [{ 'params.toml': ['seed', 'train', 'data set'] }] });
  const plan = planParamsRestore(fs, [stage], {
    seed: 8,
    'train.lr': 0.01,
    'train.layers': '[128,32]',
    'train.optimizer.name': 'sgd',
    'data set.path': 'data/new.csv',
  });
  assert.deepEqual(plan.notRestorable, []);
  assert.equal(
    plan.edits[0]!.after,
    [
      '# tuned by hand',
      'seed = 8 # fixed',
      '',
      '[train]',
      'lr = 0.01   # was 0.1',
      'layers = [128, 32]',
      'optimizer.name = "sgd"',
      '',
      '["data set"]',
      'path = "data/new.csv"',
      '',
    ].join('\n'),
  );
});

test('what cannot be written in place is listed, and nothing of that file changes', () => {
  const fs = createMemoryFileSystem({
    '/ws/params.toml': 'train = { lr = 0.5 }\nseed = 7\n',
    '/ws/other.toml': 'mode = "fast"\n',
  });
  const stage = aStage({ params: [{ 'params.toml': ['train', 'seed'] }, { 'other.toml': ['mode'] }] });
  const plan = planParamsRestore(fs, [stage], { 'train.lr': 0.1, seed: 8, mode: null });
  assert.deepEqual(plan.edits, []);
  assert.deepEqual(
    plan.notRestorable.map((entry) => entry.key),
    ['train.lr', 'seed', 'mode'],
    'an inline table, and a null TOML cannot hold',
  );
  assert.match(plan.notRestorable[0]!.reason, /could not change its value in \/ws\/params\.toml in place/);
});
