import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadWorkspace } from '../../../../src/engine/pipeline/loadWorkspace';
import { findStages, matchTarget, stageAddress } from '../../../../src/engine/pipeline/stageGraph';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

const diamond = `stages:
  evaluate:
    cmd: eval
    deps: [model/weights.bin, data/clean]
    outs: [report.json]
  prepare:
    cmd: prep
    deps: [raw.csv]
    outs: [data/clean]
  train:
    cmd: train
    deps: [data/clean/train.csv]
    outs: [model]
  lint:
    cmd: lint
    deps: [src]
`;

test('edges follow outputs to deps: exact paths, files inside output folders, folders holding outputs', () => {
  const fs = createMemoryFileSystem({ '/ws/dvc.yaml': diamond, '/ws/raw.csv': '', '/ws/src/a.py': '' });
  const { graph, problems } = loadWorkspace(fs, '/ws');
  assert.deepEqual(problems, []);
  assert.deepEqual(graph.edges, [
    ['prepare', 'train'],
    ['prepare', 'evaluate'],
    ['train', 'evaluate'],
  ]);
  // Topological, ties in file order: evaluate comes first in the file but needs the others.
  assert.deepEqual(
    graph.stages.map((stage) => stage.name),
    ['prepare', 'train', 'evaluate', 'lint'],
  );
  assert.deepEqual(graph.upstream('evaluate'), ['prepare', 'train']);
  assert.deepEqual(graph.downstream('prepare'), ['train', 'evaluate']);
  assert.deepEqual(graph.dependencies('evaluate'), ['prepare', 'train']);
  assert.equal(graph.dependencies('evaluate'), graph.dependencies('evaluate'), 'sorted once, then the same list');
  assert.deepEqual(graph.dependencies('nowhere'), []);
  assert.deepEqual(graph.components(), [['prepare', 'train', 'evaluate'], ['lint']]);
  assert.deepEqual(graph.levels(), [['prepare', 'lint'], ['train'], ['evaluate']]);
});

test('a dep on a folder depends on the outputs inside it; paths resolve against wdir', () => {
  const fs = createMemoryFileSystem({
    '/ws/dvc.yaml':
      'stages:\n  a:\n    cmd: a\n    wdir: sub\n    outs: [../data/x.csv]\n  b:\n    cmd: b\n    deps: [data]\n',
  });
  const { graph } = loadWorkspace(fs, '/ws');
  assert.deepEqual(graph.edges, [['a', 'b']]);
});

test('addresses: bare names for the root file, file:name beside an mlc.yaml, dir/dvc.yaml:name below', () => {
  const stage = 'stages:\n  train:\n    cmd: x\n';
  const fs = createMemoryFileSystem({
    '/ws/mlc.yaml': stage,
    '/ws/dvc.yaml': stage,
    '/ws/sub/dvc.yaml': stage,
    '/ws/ml/MLproject': 'entry_points:\n  main:\n    command: python x.py\n',
  });
  const { graph, problems } = loadWorkspace(fs, '/ws');
  assert.deepEqual(problems, []);
  assert.deepEqual(graph.stages.map((item) => graph.address(item)).sort(), [
    'dvc.yaml:train',
    'ml/MLproject:main',
    'sub/dvc.yaml:train',
    'train',
  ]);
  const sub = graph.get('sub/dvc.yaml:train')!;
  assert.equal(stageAddress(sub, '/ws'), 'sub/dvc.yaml:train');
  assert.equal(stageAddress(graph.get('dvc.yaml:train')!, '/ws'), 'train');
  assert.equal(stageAddress(graph.get('dvc.yaml:train')!, '/ws', ['/ws/mlc.yaml', '/ws/dvc.yaml']), 'dvc.yaml:train');
});

test('findStages: address, group name, bare unique name, file; ambiguous bare names match nothing', () => {
  const foreach =
    'stages:\n  train:\n    foreach: [cnn, xgb]\n    do:\n      cmd: fit ${item}\n  report:\n    cmd: r\n';
  const fs = createMemoryFileSystem({
    '/ws/dvc.yaml': foreach,
    '/ws/sub/dvc.yaml': 'stages:\n  report:\n    cmd: r\n  only:\n    cmd: o\n',
  });
  const { graph } = loadWorkspace(fs, '/ws');
  const names = (target: string) => findStages(graph, target).map((stage) => graph.address(stage));
  assert.deepEqual(names('train@cnn'), ['train@cnn']);
  assert.deepEqual(names('train'), ['train@cnn', 'train@xgb']);
  assert.deepEqual(names('dvc.yaml:train'), ['train@cnn', 'train@xgb']);
  assert.deepEqual(names('sub/dvc.yaml:report'), ['sub/dvc.yaml:report']);
  assert.deepEqual(names('only'), ['sub/dvc.yaml:only']);
  assert.deepEqual(names('report'), ['report']);
  assert.deepEqual(names('sub/dvc.yaml'), ['sub/dvc.yaml:report', 'sub/dvc.yaml:only']);
  assert.deepEqual(names('nothing'), []);
});

test('a bare name defined in two sub-folders is ambiguous', () => {
  const stage = 'stages:\n  train:\n    cmd: x\n';
  const fs = createMemoryFileSystem({ '/ws/a/dvc.yaml': stage, '/ws/b/dvc.yaml': stage });
  const { graph } = loadWorkspace(fs, '/ws');
  assert.deepEqual(matchTarget(graph, 'train'), { stages: [], ambiguous: ['a/dvc.yaml:train', 'b/dvc.yaml:train'] });
});

test('a cycle across files is reported once and its stages still appear', () => {
  const fs = createMemoryFileSystem({
    '/ws/a/dvc.yaml': 'stages:\n  a:\n    cmd: a\n    deps: [../b.out]\n    outs: [../a.out]\n',
    '/ws/b/dvc.yaml': 'stages:\n  b:\n    cmd: b\n    deps: [../a.out]\n    outs: [../b.out]\n',
  });
  const { graph, problems } = loadWorkspace(fs, '/ws');
  assert.deepEqual(
    problems.map((problem) => [problem.code, problem.file, problem.line]),
    [['cycle', '/ws/a/dvc.yaml', 2]],
  );
  assert.match(problems[0]!.message, /a\/dvc.yaml:a -> b\/dvc.yaml:b -> a\/dvc.yaml:a/);
  assert.equal(graph.stages.length, 2);
});

test('building the graph of 1,000 chained stages stays linear', () => {
  const lines = ['stages:'];
  for (let index = 0; index < 1000; index++) {
    lines.push(
      `  s${index}:`,
      `    cmd: step ${index}`,
      `    deps: [out${index - 1}.txt]`,
      `    outs: [out${index}.txt]`,
    );
  }
  const fs = createMemoryFileSystem({ '/ws/dvc.yaml': lines.join('\n'), '/ws/out-1.txt': '' });
  const { graph, problems } = loadWorkspace(fs, '/ws');
  assert.deepEqual(problems, []);
  assert.equal(graph.edges.length, 999);
  assert.equal(graph.stages[999]!.name, 's999');
  assert.equal(graph.upstream('s999').length, 999);
});
