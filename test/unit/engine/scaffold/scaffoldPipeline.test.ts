import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPipeline } from '../../../../src/engine/pipeline/loadPipeline';
import { scaffoldPipeline, writeScaffold } from '../../../../src/engine/scaffold/scaffoldPipeline';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

const main = (body: string) => `${body}\n\nif __name__ == "__main__":\n    main()\n`;

test('a workspace with a pipeline file gets nothing: mlc reads it as it is', () => {
  for (const name of ['mlc.yaml', 'dvc.yaml', 'MLproject']) {
    const fs = createMemoryFileSystem({ [`/ws/${name}`]: 'stages: {}\n', '/ws/train.py': main('') });
    assert.deepEqual(scaffoldPipeline(fs, '/ws'), { kind: 'pipelineExists', file: name });
  }
});

test('one stage per script with a __main__ guard, in the usual order, with the params it names', () => {
  const fs = createMemoryFileSystem({
    '/ws/params.yaml': 'seed: 1\ntrain:\n  lr: 0.1\n  val_fraction: 0.2\nprepare:\n  split: 0.3\n',
    '/ws/src/train.py': main('import argparse\np.add_argument("--lr")\np.add_argument("--val-fraction")'),
    '/ws/src/prepare.py': main('cfg = params["seed"]  # and the split: --split'),
    '/ws/src/features.py': 'def helper(): pass\n',
    '/ws/src/test_train.py': main(''),
    '/ws/tools/my script.py': main(''),
    '/ws/other/train.py': main(''),
    '/ws/.venv/pyvenv.cfg': '',
    '/ws/.venv/lib/x.py': main(''),
  });
  const plan = scaffoldPipeline(fs, '/ws');
  assert.equal(plan.kind, 'create');
  if (plan.kind !== 'create') return;
  assert.deepEqual(plan.scripts, ['src/prepare.py', 'other/train.py', 'src/train.py', 'tools/my script.py']);
  assert.deepEqual(
    plan.files.map((file) => file.path),
    ['mlc.yaml'],
  );
  fs.writeFileAtomic('/ws/mlc.yaml', plan.files[0]!.text);
  const { pipeline, problems } = loadPipeline(fs, '/ws/mlc.yaml');
  assert.deepEqual(
    problems.filter((problem) => problem.code !== 'missingDependency'),
    [],
  );
  assert.deepEqual(
    pipeline.stages.map((stage) => [stage.name, stage.cmd, stage.params.flatMap((param) => param.keys)]),
    [
      ['prepare', 'python3 src/prepare.py', ['seed', 'prepare.split']],
      ['train', 'python3 other/train.py', []],
      ['train_2', 'python3 src/train.py', ['train.lr', 'train.val_fraction']],
      ['my_script', "python3 'tools/my script.py'", []],
    ],
  );
});

test('an empty workspace gets the starter project; files already there are kept', () => {
  const empty = scaffoldPipeline(createMemoryFileSystem({ '/ws/README.md': 'hi\n' }), '/ws');
  assert.equal(empty.kind, 'create');
  if (empty.kind !== 'create') return;
  assert.deepEqual(
    empty.files.map((file) => file.path),
    ['mlc.yaml', 'params.yaml', 'train.py'],
  );
  const fs = createMemoryFileSystem(Object.fromEntries(empty.files.map((file) => [`/ws/${file.path}`, file.text])));
  const { pipeline, problems } = loadPipeline(fs, '/ws/mlc.yaml');
  assert.deepEqual(problems, []);
  assert.equal(pipeline.stages[0]!.cmd, 'python3 train.py --lr 0.1 --epochs 40');
  assert.deepEqual(
    pipeline.alerts.map((alert) => alert.metric ?? 'stalled'),
    ['loss', 'stalled'],
  );

  const ownParams = scaffoldPipeline(createMemoryFileSystem({ '/ws/params.yaml': 'alpha: 1\n' }), '/ws');
  assert.equal(ownParams.kind, 'create');
  if (ownParams.kind !== 'create') return;
  assert.deepEqual(
    ownParams.files.map((file) => file.path),
    ['mlc.yaml', 'train.py'],
  );
  const starter = ownParams.files[0]!.text;
  assert.match(starter, /cmd: python3 train\.py\n/);
  assert.doesNotMatch(starter, /params:/);
});

test('writeScaffold never replaces a file that appeared meanwhile', () => {
  const fs = createMemoryFileSystem({ '/ws/params.yaml': 'mine: 1\n' });
  const written = writeScaffold(fs, '/ws', [
    { path: 'mlc.yaml', text: 'stages: {}\n' },
    { path: 'params.yaml', text: 'theirs: 2\n' },
  ]);
  assert.deepEqual(written, ['mlc.yaml']);
  assert.equal(fs.readText('/ws/params.yaml'), 'mine: 1\n');
});
