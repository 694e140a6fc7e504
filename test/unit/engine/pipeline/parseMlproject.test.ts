import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPipeline } from '../../../../src/engine/pipeline/loadPipeline';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

function load(text: string) {
  return loadPipeline(createMemoryFileSystem({ '/ws/proj/MLproject': text }), '/ws/proj/MLproject');
}

test('each entry point is one stage whose command is filled from defaults as MLflow does', () => {
  const text = `name: demo
python_env: python_env.yaml
entry_points:
  main:
    parameters:
      alpha: {type: float, default: 0.5}
      lr: {type: float, default: 1e-1}
      momentum: {type: float, default: .0}
      path: {type: string, default: "my data.csv"}
      flag: {type: string, default: yes}
      data: path
    command: "python train.py {alpha} {lr} {momentum} {path} {flag} {{literal}} --data {data}"
  other:
    command: echo hi
`;
  const { pipeline, problems } = load(text);
  assert.deepEqual(
    pipeline.stages.map((stage) => stage.name),
    ['main', 'other'],
  );
  // PyYAML reads 1e-1 as a string and yes as True; values are shell-quoted.
  assert.equal(pipeline.stages[0]!.cmd, "python train.py 0.5 1e-1 0.0 'my data.csv' True {literal} --data {data}");
  assert.equal(pipeline.stages[0]!.wdir, '/ws/proj');
  assert.equal(pipeline.projectName, 'demo');
  assert.deepEqual(pipeline.environment, { kind: 'python_env', value: 'python_env.yaml' });
  assert.deepEqual(
    problems.map((problem) => [problem.code, problem.severity, problem.line]),
    [['missingParameterDefault', 'warning', 12]],
  );
});

test('MLproject problems: two environments, an undeclared placeholder, no command, unknown keys as warnings', () => {
  const text = `conda_env: conda.yaml
docker_env: {image: x}
extra: 1
entry_points:
  a:
    command: "run {missing}"
  b:
    parameters: {}
`;
  const { problems } = load(text);
  assert.deepEqual(
    problems.map((problem) => [problem.code, problem.severity, problem.line, problem.column]),
    [
      ['conflictingEnvironments', 'error', 2, 1],
      ['unknownKey', 'warning', 3, 1],
      ['unresolvedInterpolation', 'error', 6, 14],
      ['missingField', 'error', 7, 3],
    ],
  );
});

test('parameters named n, y, on and no stay names, and y/n defaults stay strings, as in MLflow', () => {
  const text = `entry_points:
  main:
    parameters:
      n: {type: float, default: 1}
      y: {type: string, default: n}
      on: int
      no: {type: string, default: no}
    command: "python x.py {n} {y} {on} {no}"
`;
  const { pipeline, problems } = load(text);
  assert.deepEqual(
    problems.map((problem) => problem.code),
    ['missingParameterDefault'],
  );
  assert.equal(pipeline.stages[0]?.cmd, 'python x.py 1 n {on} False');
});
