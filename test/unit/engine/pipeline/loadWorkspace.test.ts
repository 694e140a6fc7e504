import assert from 'node:assert/strict';
import { test } from 'node:test';
import { discoverPipelines } from '../../../../src/engine/pipeline/discoverPipelines';
import { loadWorkspace } from '../../../../src/engine/pipeline/loadWorkspace';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

test('discoverPipelines finds nested projects and skips dependency, VCS and virtualenv folders', () => {
  const fs = createMemoryFileSystem({
    '/ws/dvc.yaml': '',
    '/ws/mlc.yaml': '',
    '/ws/a/b/MLproject': '',
    '/ws/c/mlproject': '',
    '/ws/node_modules/x/dvc.yaml': '',
    '/ws/.git/dvc.yaml': '',
    '/ws/.mlc/runs/dvc.yaml': '',
    '/ws/venv2/pyvenv.cfg': '',
    '/ws/venv2/dvc.yaml': '',
    '/ws/d/other.yaml': '',
  });
  assert.deepEqual(discoverPipelines(fs, '/ws'), [
    '/ws/a/b/MLproject',
    '/ws/c/mlproject',
    '/ws/dvc.yaml',
    '/ws/mlc.yaml',
  ]);
});

test('an output claimed in two pipeline files is a duplicateOutput at the second claim', () => {
  const fs = createMemoryFileSystem({
    '/ws/a/dvc.yaml': 'stages:\n  a:\n    cmd: a\n    outs: [../model.pkl]\n',
    '/ws/b/dvc.yaml': 'stages:\n  b:\n    cmd: b\n    outs:\n      - ../model.pkl\n',
  });
  const { problems } = loadWorkspace(fs, '/ws');
  assert.deepEqual(
    problems.map((problem) => [problem.code, problem.file, problem.line, problem.column]),
    [['duplicateOutput', '/ws/b/dvc.yaml', 5, 9]],
  );
  assert.match(problems[0]!.message, /a\/dvc.yaml:a/);
});

test('missingDependency warns about deps neither on disk nor produced, at the dep', () => {
  const fs = createMemoryFileSystem({
    '/ws/dvc.yaml':
      'stages:\n  a:\n    cmd: a\n    deps: [here.txt, made.txt, nowhere.txt, data/inside.csv]\n  b:\n    cmd: b\n    outs: [made.txt, data]\n',
    '/ws/here.txt': '',
  });
  const { problems } = loadWorkspace(fs, '/ws');
  assert.deepEqual(
    problems.map((problem) => [problem.code, problem.severity, problem.line, problem.column]),
    [['missingDependency', 'warning', 4, 32]],
  );
});

test('unsaved editor text overrides the file on disk, and a new unsaved file is read', () => {
  const fs = createMemoryFileSystem({ '/ws/dvc.yaml': 'stages:\n  a:\n    cmd: a\n' });
  const overrides = new Map([
    ['/ws/dvc.yaml', 'stages:\n  renamed:\n    cmd: a\n'],
    ['/ws/sub/mlc.yaml', 'stages:\n  new:\n    cmd: n\n'],
  ]);
  const { pipelines, graph } = loadWorkspace(fs, '/ws', { overrides });
  assert.equal(pipelines.length, 2);
  assert.deepEqual(
    graph.stages.map((stage) => graph.address(stage)),
    ['renamed', 'sub/mlc.yaml:new'],
  );
});

test('a syntax error in one file does not hide the others', () => {
  const fs = createMemoryFileSystem({
    '/ws/a/dvc.yaml': 'stages: [\n',
    '/ws/b/dvc.yaml': 'stages:\n  b:\n    cmd: b\n',
  });
  const { problems, graph } = loadWorkspace(fs, '/ws');
  assert.deepEqual(
    problems.map((problem) => [problem.code, problem.file]),
    [['yamlSyntax', '/ws/a/dvc.yaml']],
  );
  assert.deepEqual(
    graph.stages.map((stage) => stage.name),
    ['b'],
  );
});
