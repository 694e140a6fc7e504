import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPipeline } from '../../../../src/engine/pipeline/loadPipeline';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

/** [code, line, column] of every problem, for located assertions. */
function problemsOf(text: string, file = '/ws/dvc.yaml', files: Record<string, string> = {}) {
  const fs = createMemoryFileSystem({ [file]: text, ...files });
  const { problems } = loadPipeline(fs, file);
  return problems.map((problem) => [problem.code, problem.line, problem.column, problem.severity]);
}

function messagesOf(text: string, file = '/ws/dvc.yaml', files: Record<string, string> = {}) {
  return loadPipeline(createMemoryFileSystem({ [file]: text, ...files }), file).problems.map(
    (problem) => problem.message,
  );
}

test('yamlSyntax is located where the YAML breaks', () => {
  assert.deepEqual(problemsOf('stages:\n  a:\n    cmd: [unclosed\n'), [['yamlSyntax', 4, 1, 'error']]);
  assert.deepEqual(problemsOf('stages:\n  a:\n    cmd: x\n  a:\n    cmd: y\n')[0]?.slice(0, 2), ['yamlSyntax', 4]);
});

test('unknownKey points at the key and suggests the closest one', () => {
  assert.deepEqual(problemsOf('stages:\n  train:\n    cmd: x\n    dpes: [a]\n'), [['unknownKey', 4, 5, 'error']]);
  assert.match(messagesOf('stages:\n  train:\n    cmd: x\n    dpes: [a]\n')[0]!, /Did you mean 'deps'\?/);
  assert.match(messagesOf('stagse:\n  a:\n    cmd: x\n')[0]!, /Did you mean 'stages'\?/);
});

test('wrongType is located at the value', () => {
  assert.deepEqual(problemsOf('stages:\n  train:\n    cmd: x\n    frozen: maybe\n'), [['wrongType', 4, 13, 'error']]);
  assert.deepEqual(problemsOf('stages:\n  train:\n    cmd: x\n    deps: data.csv\n'), [['wrongType', 4, 11, 'error']]);
});

test('missingField: a stage without cmd is reported at its name', () => {
  assert.deepEqual(problemsOf('stages:\n  train:\n    deps: [a]\n'), [['missingField', 2, 3, 'error']]);
});

test('invalidStageName: @ and : are errors, other punctuation a warning', () => {
  assert.deepEqual(problemsOf('stages:\n  a@b:\n    cmd: x\n  c.d:\n    cmd: y\n'), [
    ['invalidStageName', 2, 3, 'error'],
    ['invalidStageName', 4, 3, 'warning'],
  ]);
});

test('duplicateOutput within a file is reported at the second claim', () => {
  const text = 'stages:\n  a:\n    cmd: x\n    outs: [model.pkl]\n  b:\n    cmd: y\n    outs:\n      - model.pkl\n';
  assert.deepEqual(problemsOf(text), [['duplicateOutput', 8, 9, 'error']]);
  assert.match(messagesOf(text)[0]!, /stage 'a' already writes it/);
});

test('overlappingOutput: an output inside another stage output folder', () => {
  const text = 'stages:\n  a:\n    cmd: x\n    outs: [data]\n  b:\n    cmd: y\n    outs: [data/x.csv]\n';
  assert.deepEqual(problemsOf(text), [['overlappingOutput', 7, 12, 'error']]);
});

test('cycle names the path and is reported at the first stage', () => {
  const text =
    'stages:\n  a:\n    cmd: x\n    deps: [b.out]\n    outs: [a.out]\n  b:\n    cmd: y\n    deps: [a.out]\n    outs: [b.out]\n';
  assert.deepEqual(problemsOf(text), [['cycle', 2, 3, 'error']]);
  assert.match(messagesOf(text)[0]!, /a -> b -> a/);
});

test('unresolvedInterpolation is located at the string', () => {
  assert.deepEqual(problemsOf('stages:\n  a:\n    cmd: echo ${nope}\n'), [['unresolvedInterpolation', 3, 10, 'error']]);
  assert.deepEqual(
    problemsOf('stages:\n  a:\n    cmd: echo ${a..b}\n', undefined, { '/ws/params.yaml': 'a: 1\n' })[0]?.[0],
    'unresolvedInterpolation',
  );
});

test('missingParam points at the key; missingParamsFile at the file entry', () => {
  const files = { '/ws/params.yaml': 'lr: 1\n' };
  const text =
    'stages:\n  a:\n    cmd: x\n    params:\n      - lr\n      - epochs\n      - other.yaml:\n          - k\n';
  assert.deepEqual(problemsOf(text, undefined, files), [
    ['missingParam', 6, 9, 'error'],
    ['missingParamsFile', 7, 9, 'error'],
  ]);
});

test('a params file produced by a stage is not reported missing before it exists', () => {
  const text = 'stages:\n  a:\n    cmd: x\n    outs: [best.json]\n  b:\n    cmd: y\n    params:\n      - best.json:\n';
  assert.deepEqual(problemsOf(text), []);
});

test('paramsFileSyntax is reported inside the params file', () => {
  const fs = createMemoryFileSystem({
    '/ws/dvc.yaml': 'stages:\n  a:\n    cmd: x\n    params: [lr]\n',
    '/ws/params.yaml': 'lr: [\n',
  });
  const { problems } = loadPipeline(fs, '/ws/dvc.yaml');
  assert.deepEqual(
    problems.map((problem) => [problem.code, problem.file, problem.line]),
    [['paramsFileSyntax', '/ws/params.yaml', 2]],
  );
});

test('unknownRunner in mlc.yaml is located at the runner name, with a suggestion', () => {
  const text = 'runners:\n  gpu-box: { type: ssh, host: gpu }\nstages:\n  a:\n    cmd: x\n    runner: gpu-bx\n';
  assert.deepEqual(problemsOf(text, '/ws/mlc.yaml'), [['unknownRunner', 6, 13, 'error']]);
  assert.match(messagesOf(text, '/ws/mlc.yaml')[0]!, /Did you mean 'gpu-box'/);
  assert.deepEqual(problemsOf('stages:\n  a:\n    cmd: x\n    runner: local\n', '/ws/mlc.yaml'), []);
});

test('mlc keys are unknown in dvc.yaml', () => {
  assert.deepEqual(problemsOf('stages:\n  a:\n    cmd: x\n    timeout: 10m\n'), [['unknownKey', 4, 5, 'error']]);
});

test('duplicateStageName: a written name equal to a generated one', () => {
  const text = 'stages:\n  a:\n    foreach: [x, y]\n    do:\n      cmd: echo ${item}\n  a@x:\n    cmd: echo\n';
  assert.deepEqual(problemsOf(text), [
    ['invalidStageName', 6, 3, 'error'],
    ['duplicateStageName', 6, 3, 'error'],
  ]);
});

test('templateRedefined: a key from params.yaml cannot be redefined by vars', () => {
  const files = { '/ws/params.yaml': 'lr: 1\n', '/ws/other.yaml': 'lr: 2\n' };
  const text = 'vars:\n  - other.yaml\nstages:\n  a:\n    cmd: echo ${lr}\n';
  assert.deepEqual(problemsOf(text, undefined, files), [['templateRedefined', 2, 5, 'error']]);
  assert.match(
    messagesOf(text, undefined, files)[0]!,
    /Cannot redefine 'lr' from 'other.yaml': it already exists in 'params.yaml'/,
  );
});

test('templateRedefined: loading a file whole and partially', () => {
  const files = { '/ws/c.yaml': 'a: 1\nb: 2\n' };
  const text = 'vars:\n  - c.yaml\n  - c.yaml:a\nstages:\n  s:\n    cmd: echo ${a}\n';
  assert.deepEqual(problemsOf(text, undefined, files), [['templateRedefined', 3, 5, 'error']]);
  assert.deepEqual(
    problemsOf('vars:\n  - c.yaml\n  - c.yaml\nstages:\n  s:\n    cmd: echo ${a}\n', undefined, files),
    [],
  );
});

test('invalidInterpolationType: a list or map outside cmd/foreach/matrix', () => {
  const files = { '/ws/params.yaml': 'files: [a, b]\nopts: {x: 1}\n' };
  assert.deepEqual(problemsOf('stages:\n  s:\n    cmd: echo\n    deps:\n      - ${files}\n', undefined, files), [
    ['invalidInterpolationType', 5, 9, 'error'],
  ]);
  assert.deepEqual(problemsOf('stages:\n  s:\n    cmd: echo ${files}\n', undefined, files), [
    ['invalidInterpolationType', 3, 10, 'error'],
  ]);
  assert.deepEqual(problemsOf('stages:\n  s:\n    cmd: echo\n    desc: x ${opts}\n', undefined, files), [
    ['invalidInterpolationType', 4, 11, 'error'],
  ]);
});

test('interpolationNotAllowed inside vars', () => {
  assert.deepEqual(problemsOf('vars:\n  - x: ${y}\nstages:\n  s:\n    cmd: echo\n'), [
    ['interpolationNotAllowed', 2, 5, 'error'],
  ]);
});

test('missingParamsFile for a vars file', () => {
  assert.deepEqual(problemsOf('vars:\n  - nope.yaml\nstages:\n  s:\n    cmd: echo\n'), [
    ['missingParamsFile', 2, 5, 'error'],
  ]);
});

test('a stage with both matrix and foreach is rejected at the extra key', () => {
  const text = 'stages:\n  s:\n    matrix:\n      v: [1]\n    foreach: [a]\n    do:\n      cmd: echo\n';
  assert.deepEqual(problemsOf(text), [['unknownKey', 3, 5, 'error']]);
});

test('invalidPath: a NUL byte in a dep, out, params file or wdir is located and leaves the stage out', () => {
  // Found by the reliability suite: node's fs throws on such a path, so mlc validate, status and
  // run ended in an internal error (exit 3) instead of a located problem.
  const cases: Array<[string, number, number]> = [
    ['    deps: ["a\\0b"]\n', 4, 12],
    ['    outs: ["a\\0b"]\n', 4, 12],
    ['    metrics: ["a\\0b"]\n', 4, 15],
    ['    params: [{"a\\0b": [lr]}]\n', 4, 15],
    ['    wdir: "a\\0b"\n', 4, 11],
  ];
  for (const [line, lineNumber, column] of cases) {
    const text = `stages:\n  s:\n    cmd: "true"\n${line}`;
    const fs = createMemoryFileSystem({ '/ws/dvc.yaml': text });
    const { pipeline, problems } = loadPipeline(fs, '/ws/dvc.yaml');
    assert.deepEqual(
      problems.map((problem) => [problem.code, problem.line, problem.column, problem.severity]),
      [['invalidPath', lineNumber, column, 'error']],
      line,
    );
    assert.match(problems[0]!.message, /NUL byte/);
    assert.equal(pipeline.stages.length, 0, line);
  }
});
