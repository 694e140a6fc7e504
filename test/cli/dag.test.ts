import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createWorkspace, runMlcSync } from '../support/mlcCli';

const pipeline = {
  'dvc.yaml': `stages:
  prepare:
    foreach: [a, b]
    do:
      cmd: prep \${item}
      deps:
        - raw/\${item}.csv
      outs:
        - data/\${item}.csv
  train:
    cmd: [python train.py, echo done]
    deps: [data]
    outs: [model.pkl]
`,
  'raw/a.csv': '',
  'raw/b.csv': '',
  'eval/mlc.yaml': 'stages:\n  evaluate:\n    cmd: python eval.py\n    deps: [../model.pkl]\n',
};

test('mlc dag --json prints stages in run order with addresses, pipeline files, cmd, deps, outs, and edges', () => {
  const { code, stdout } = runMlcSync(createWorkspace(pipeline), ['dag', '--json']);
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(stdout), {
    stages: [
      { name: 'prepare@a', pipeline: 'dvc.yaml', cmd: 'prep a', deps: ['raw/a.csv'], outs: ['data/a.csv'] },
      { name: 'prepare@b', pipeline: 'dvc.yaml', cmd: 'prep b', deps: ['raw/b.csv'], outs: ['data/b.csv'] },
      {
        name: 'train',
        pipeline: 'dvc.yaml',
        cmd: ['python train.py', 'echo done'],
        deps: ['data'],
        outs: ['model.pkl'],
      },
      {
        name: 'eval/mlc.yaml:evaluate',
        pipeline: 'eval/mlc.yaml',
        cmd: 'python eval.py',
        deps: ['../model.pkl'],
        outs: [],
      },
    ],
    edges: [
      ['prepare@a', 'train'],
      ['prepare@b', 'train'],
      ['train', 'eval/mlc.yaml:evaluate'],
    ],
    problems: [],
  });
});

test('mlc dag --dot and --mermaid print graphs with quoted ids and labels', () => {
  const root = createWorkspace(pipeline);
  const dot = runMlcSync(root, ['dag', '--dot']);
  assert.equal(dot.code, 0);
  assert.match(dot.stdout, /^digraph mlc \{/);
  assert.match(dot.stdout, /\n {2}"train" -> "eval\/mlc\.yaml:evaluate";\n/);
  assert.match(dot.stdout, /\}\n$/);
  const mermaid = runMlcSync(root, ['dag', '--mermaid']);
  assert.equal(mermaid.code, 0);
  assert.deepEqual(mermaid.stdout.trim().split('\n'), [
    'flowchart TD',
    '  s0["prepare@a"]',
    '  s1["prepare@b"]',
    '  s2["train"]',
    '  s3["eval/mlc.yaml:evaluate"]',
    '  s0 --> s2',
    '  s1 --> s2',
    '  s2 --> s3',
  ]);
});

test('mlc dag prints each stage with the stages it depends on', () => {
  const { code, stdout } = runMlcSync(createWorkspace(pipeline), ['dag']);
  assert.equal(code, 0);
  assert.deepEqual(stdout.trimEnd().split('\n'), [
    '  prepare@a',
    '  prepare@b',
    '  train                   <- prepare@a, prepare@b',
    '  eval/mlc.yaml:evaluate  <- train',
    '',
    '4 stages, 3 dependencies.',
  ]);
});

test('mlc dag exits 1 on a cycle and names it; 2 with no pipeline or two formats', () => {
  const cyclic = createWorkspace({
    'dvc.yaml':
      'stages:\n  a:\n    cmd: a\n    deps: [b.txt]\n    outs: [a.txt]\n  b:\n    cmd: b\n    deps: [a.txt]\n    outs: [b.txt]\n',
  });
  const cycle = runMlcSync(cyclic, ['dag', '--json']);
  assert.equal(cycle.code, 1);
  assert.match(cycle.stderr, /dvc\.yaml:2:3: error\[cycle\]: The stages form a cycle: a -> b -> a/);
  assert.equal(JSON.parse(cycle.stdout).stages.length, 2);
  assert.equal(runMlcSync(createWorkspace({}), ['dag']).code, 2);
  const both = runMlcSync(cyclic, ['dag', '--json', '--dot']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /choose one output format/);
});
