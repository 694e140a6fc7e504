import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadWorkspace } from '../../../../src/engine/pipeline/loadWorkspace';
import type { FileSystem } from '../../../../src/engine/ports';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

/** The problems of a workspace whose root dvc.yaml has one stage with `body` (indented 4). */
function ownershipProblems(
  body: string,
  files: Record<string, string> = {},
  wrap: (fs: FileSystem) => FileSystem = (fs) => fs,
): Array<[string, string, number, number]> {
  const fs = createMemoryFileSystem({
    '/ws/dvc.yaml': `stages:\n  a:\n    cmd: x\n${body}`,
    '/ws/data/in.csv': 'x',
    ...files,
  });
  return loadWorkspace(wrap(fs), '/ws').problems.map((problem) => [
    problem.code,
    problem.file,
    problem.line,
    problem.column,
  ]);
}

const outAt = (out: string) => `    outs:\n      - ${out}\n`;

test('an out outside the workspace is an outOutsideWorkspace error at the out', () => {
  for (const out of ['../outside.txt', '/srv/datasets']) {
    assert.deepEqual(ownershipProblems(outAt(out)), [['outOutsideWorkspace', '/ws/dvc.yaml', 5, 9]], out);
  }
});

test('a plain out of a stage whose wdir is above the workspace is outside it', () => {
  assert.deepEqual(ownershipProblems(`    wdir: ..\n${outAt('result.txt')}`), [
    ['outOutsideWorkspace', '/ws/dvc.yaml', 6, 9],
  ]);
});

test('an out under a symlinked folder that points outside the workspace is outside it', () => {
  const withLink = (fs: FileSystem): FileSystem => ({
    ...fs,
    realPath: (path) =>
      path === '/ws/link' || path.startsWith('/ws/link/')
        ? `/srv/data${path.slice('/ws/link'.length)}`
        : fs.realPath(path),
  });
  const problems = loadWorkspace(
    withLink(
      createMemoryFileSystem({
        '/ws/dvc.yaml': 'stages:\n  a:\n    cmd: x\n    outs: [link/model.pkl]\n',
        '/ws/link/x': '',
      }),
    ),
    '/ws',
  ).problems;
  assert.deepEqual(
    problems.map((problem) => [problem.code, problem.line]),
    [['outOutsideWorkspace', 4]],
  );
  assert.match(problems[0]!.message, /symlinked folder to \/srv\/data\/model\.pkl/);
});

test('an out that is the workspace itself is outNotOwned, however it is written', () => {
  for (const out of ['.', './', '""', 'sub/..']) {
    assert.deepEqual(ownershipProblems(outAt(out)), [['outNotOwned', '/ws/dvc.yaml', 5, 9]], out);
  }
});

test('.git, .mlc, pipeline, lock and params files are not a stage out', () => {
  const files = { '/ws/params.yaml': 'lr: 1\n', '/ws/conf.yaml': 'x: 1\n', '/ws/sub/mlc.yaml': 'stages: {}\n' };
  for (const out of [
    '.git',
    '.git/hooks/pre-commit',
    '.mlc',
    '.mlc/runs',
    'dvc.yaml',
    'dvc.lock',
    'sub/mlc.lock',
    'sub',
    'params.yaml',
  ]) {
    assert.deepEqual(ownershipProblems(outAt(out), files), [['outNotOwned', '/ws/dvc.yaml', 5, 9]], out);
  }
  // A vars file is read before any stage runs: it cannot be an out either (without vars it can).
  assert.deepEqual(ownershipProblems(outAt('conf.yaml'), files), []);
  const withVars = createMemoryFileSystem({
    '/ws/dvc.yaml': 'vars:\n  - conf.yaml\nstages:\n  a:\n    cmd: echo ${x}\n    outs: [conf.yaml]\n',
    ...files,
  });
  assert.deepEqual(
    loadWorkspace(withVars, '/ws').problems.map((problem) => [problem.code, problem.line]),
    [['outNotOwned', 6]],
  );
});

test('a params file that one stage writes and another reads is an ordinary out', () => {
  const fs = createMemoryFileSystem({
    '/ws/dvc.yaml':
      'stages:\n  tune:\n    cmd: x\n    outs: [best.json]\n  train:\n    cmd: y\n    params:\n      - best.json:\n',
  });
  assert.deepEqual(loadWorkspace(fs, '/ws').problems, []);
});

test('a dep that is also an out of the same stage is depIsOwnOut (DVC calls it a cycle)', () => {
  const files = { '/ws/data.csv': 'a\n' };
  assert.deepEqual(ownershipProblems('    deps: [data.csv]\n    outs: [data.csv]\n', files), [
    ['depIsOwnOut', '/ws/dvc.yaml', 5, 12],
  ]);
  // A dep inside an out folder, and an out inside a dep folder.
  assert.deepEqual(ownershipProblems('    deps: [data/in.csv]\n    outs: [data]\n'), [
    ['depIsOwnOut', '/ws/dvc.yaml', 5, 12],
  ]);
  assert.deepEqual(ownershipProblems('    deps: [data]\n    outs: [data/out.csv]\n'), [
    ['depIsOwnOut', '/ws/dvc.yaml', 5, 12],
  ]);
  // The stage's own params file.
  assert.deepEqual(
    ownershipProblems('    params:\n      - p.yaml:\n    outs: [p.yaml]\n', { '/ws/p.yaml': 'a: 1\n' }),
    [['depIsOwnOut', '/ws/dvc.yaml', 6, 12]],
  );
});

test('ordinary outs, a sibling of a dep and a folder next to the pipeline are not reported', () => {
  assert.deepEqual(
    ownershipProblems('    deps: [data/in.csv]\n    outs: [data/out.csv, models, ./metrics.json]\n    wdir: .\n'),
    [],
  );
  const nested = createMemoryFileSystem({
    '/ws/sub/dvc.yaml': 'stages:\n  a:\n    cmd: x\n    wdir: ..\n    outs: [shared/out.txt]\n',
  });
  assert.deepEqual(loadWorkspace(nested, '/ws').problems, []);
});
