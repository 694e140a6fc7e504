import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPipeline } from '../../../../src/engine/pipeline/loadPipeline';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

function load(text: string, files: Record<string, string> = {}) {
  return loadPipeline(createMemoryFileSystem({ '/ws/dvc.yaml': text, ...files }), '/ws/dvc.yaml');
}

function commands(text: string, files: Record<string, string> = {}) {
  const { pipeline, problems } = load(text, files);
  assert.deepEqual(problems, []);
  return Object.fromEntries(pipeline.stages.map((stage) => [stage.name, stage.cmd]));
}

// The FORMATS.md example writes `[raw/${item}.csv]` in flow style, which YAML rejects (`{` inside a
// flow sequence); this is the same pipeline in block style.
test('the FORMATS.md minimal example expands to prep@train, prep@test and train', () => {
  const text = `vars: [config.json:model]
stages:
  prep:
    foreach: [train, test]
    do:
      cmd: python prep.py --split \${item}
      deps:
        - raw/\${item}.csv
        - prep.py
      outs:
        - data/\${item}.parquet
  train:
    cmd: python train.py \${model}
    deps: [data, train.py]
    params: [lr, {config.json: [model]}]
    outs: [{model.pkl: {cache: true}}]
    metrics: [{metrics.json: {cache: false}}]
`;
  const files = {
    '/ws/config.json':
      '{"model": {"layers": 3, "act": "relu", "dropout": 0.5, "bn": true, "skip": false, "dims": [64, 32], "opt": {"lr": 1e-05}, "name": "my net"}}',
    '/ws/params.yaml': 'lr: 0.1\n',
  };
  const { pipeline, problems } = load(text, files);
  assert.deepEqual(problems, []);
  assert.deepEqual(
    pipeline.stages.map((stage) => stage.name),
    ['prep@train', 'prep@test', 'train'],
  );
  const [prepTrain, , train] = pipeline.stages;
  assert.equal(prepTrain!.cmd, 'python prep.py --split train');
  assert.equal(prepTrain!.group, 'prep');
  assert.deepEqual(
    prepTrain!.deps.map((dep) => dep.path),
    ['raw/train.csv', 'prep.py'],
  );
  assert.equal(
    train!.cmd,
    "python train.py --layers 3 --act relu --dropout 0.5 --bn --dims 64 32 --opt.lr 1e-05 --name 'my net'",
  );
  assert.deepEqual(train!.params, [
    { file: 'params.yaml', keys: ['lr'], position: { line: 15, column: 14 }, keyPositions: [{ line: 15, column: 14 }] },
    {
      file: 'config.json',
      keys: ['model'],
      position: { line: 15, column: 19 },
      keyPositions: [{ line: 15, column: 33 }],
    },
  ]);
  assert.deepEqual(
    train!.outs.map((output) => [output.path, output.kind, output.cache]),
    [
      ['model.pkl', 'out', true],
      ['metrics.json', 'metric', false],
    ],
  );
});

test('foreach over a map names stages by key and sets ${key} and ${item}', () => {
  const text =
    'stages:\n  train:\n    foreach:\n      cnn: {epochs: 3}\n      xgb: {epochs: 5}\n    do:\n      cmd: train ${key} ${item.epochs}\n';
  assert.deepEqual(commands(text), { 'train@cnn': 'train cnn 3', 'train@xgb': 'train xgb 5' });
});

test('foreach over a list of maps names stages by index', () => {
  const text =
    'stages:\n  build:\n    foreach:\n      - {os: linux}\n      - {os: mac}\n    do:\n      cmd: build ${item.os}\n';
  assert.deepEqual(commands(text), { 'build@0': 'build linux', 'build@1': 'build mac' });
});

test('foreach keys use Python str(): 1.0 stays 1.0, bools are true/false, duplicates collapse', () => {
  const text = 'stages:\n  s:\n    foreach: [1.0, 2.5, 1e-5, true, 7, a, a]\n    do:\n      cmd: run ${item}\n';
  assert.deepEqual(commands(text), {
    's@1.0': 'run 1.0',
    's@2.5': 'run 2.5',
    's@1e-05': 'run 1e-05',
    's@true': 'run true',
    's@7': 'run 7',
    's@a': 'run a',
  });
});

test('foreach from a params list keeps Python str() of the values for names (DVC quirk: True)', () => {
  const files = { '/ws/params.yaml': 'flags: [true, 0.5]\nmodels: {cnn: {lr: 0.1}}\n' };
  const text =
    'stages:\n  f:\n    foreach: ${flags}\n    do:\n      cmd: run ${item}\n  m:\n    foreach: ${models}\n    do:\n      cmd: fit ${key} --lr ${item.lr}\n';
  assert.deepEqual(commands(text, files), { 'f@True': 'run true', 'f@0.5': 'run 0.5', 'm@cnn': 'fit cnn --lr 0.1' });
});

test('matrix names join fragments with -, lists and maps by name and index', () => {
  const text = `vars:
  - datasets: [d1, d2]
stages:
  train:
    matrix:
      model: [cnn, xgb]
      feature: [feature1, feature2]
    cmd: train \${item.model} \${item.feature} \${key}
  stage1:
    matrix:
      labels:
        - [a, b]
      config:
        - {n: 1}
      dataset: \${datasets}
    cmd: run \${item.labels[1]} \${item.config.n} \${item.dataset}
`;
  assert.deepEqual(commands(text), {
    'train@cnn-feature1': 'train cnn feature1 cnn-feature1',
    'train@cnn-feature2': 'train cnn feature2 cnn-feature2',
    'train@xgb-feature1': 'train xgb feature1 xgb-feature1',
    'train@xgb-feature2': 'train xgb feature2 xgb-feature2',
    'stage1@labels0-config0-d1': 'run b 1 d1',
    'stage1@labels0-config0-d2': 'run b 1 d2',
  });
});

test('the dvcyaml-schema matrix example expands to 16 stages named labels0-config0 style', () => {
  const text = `vars:
- datasets: [dataset1/, dataset2/]
stages:
  stage1:
    matrix:
      processor: [processor1, processor2]
      dataset: \${datasets}
      config:
        - n_estimators: 150
        - n_estimators: 120
      labels:
        - [label1, label2, label3]
        - [labelX, labelY, labelZ]
    cmd: python train.py \${item.processor} \${item.dataset} \${item.config} \${item.labels.0}
`;
  const names = Object.keys(commands(text));
  assert.equal(names.length, 16);
  assert.equal(names[0], 'stage1@processor1-dataset1/-config0-labels0');
  assert.equal(names[15], 'stage1@processor2-dataset2/-config1-labels1');
  assert.equal(
    commands(text)['stage1@processor1-dataset1/-config1-labels1'],
    'python train.py processor1 dataset1/ --n_estimators 120 labelX',
  );
});

test('stage vars load relative to wdir and cannot redefine item', () => {
  const files = { '/ws/sub/local.yaml': 'size: 3\n' };
  const text =
    'stages:\n  s:\n    wdir: sub\n    vars: [local.yaml, {extra: x}]\n    cmd: run ${size} ${extra}\n  t:\n    foreach: [a]\n    do:\n      vars: [{item: 1}]\n      cmd: run\n';
  const { pipeline, problems } = load(text, files);
  assert.equal(pipeline.stages[0]!.cmd, 'run 3 x');
  assert.equal(pipeline.stages[0]!.wdir, '/ws/sub');
  assert.deepEqual(
    problems.map((problem) => [problem.code, problem.line]),
    [['templateRedefined', 9, 7]].map(([code, line]) => [code, line]),
  );
});
