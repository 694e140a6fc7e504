import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Stage } from '../../../../src/engine/pipeline/model';
import { formatPythonValue } from '../../../../src/engine/params/formatPythonValue';
import { parseParamsText } from '../../../../src/engine/params/parseParamsText';
import { loadParamsFile, readStageParams } from '../../../../src/engine/params/readParams';
import { aStage } from '../../../support/builders';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

/** A stage with exactly these fields replaced (params as the model holds them). */
const aStageWith = (overrides: Partial<Stage>): Stage => ({ ...aStage(), ...overrides });

test('JSON params accept NaN and Infinity and keep 1.0 a float', () => {
  const parsed = parseParamsText('{"a": NaN, "b": -Infinity, "c": 1.0, "d": 1, "e": [1e5]}', '/ws/p.json');
  assert.deepEqual(parsed.problems, []);
  const value = parsed.value!;
  assert.ok(Number.isNaN(value.a));
  assert.equal(value.b, -Infinity);
  assert.equal(formatPythonValue(value.c), '1.0');
  assert.equal(formatPythonValue(value.d), '1');
  assert.equal(formatPythonValue(value.e), '[100000.0]');
});

test('a JSON syntax error is a located paramsFileSyntax problem', () => {
  const parsed = parseParamsText('{\n  "a": 1,\n  "b": oops\n}', '/ws/p.json');
  assert.equal(parsed.value, undefined);
  assert.equal(parsed.problems[0]?.code, 'paramsFileSyntax');
  assert.deepEqual([parsed.problems[0]?.line, parsed.problems[0]?.column], [3, 8]);
});

test('TOML params tell ints from floats; YAML floats like 1.0 stay floats', () => {
  const toml = parseParamsText('[train]\nlr = 1.0\nepochs = 10\n', '/ws/params.toml');
  assert.equal(formatPythonValue((toml.value!.train as Record<string, unknown>).lr), '1.0');
  assert.equal(formatPythonValue((toml.value!.train as Record<string, unknown>).epochs), '10');
  const yaml = parseParamsText('lr: 1.0\nn: 3\nexp: 1e-5\n', '/ws/params.yaml');
  assert.equal(formatPythonValue(yaml.value!.lr), '1.0');
  assert.equal(formatPythonValue(yaml.value!.exp), '1e-05');
});

test('a TOML syntax error is located at its line', () => {
  const parsed = parseParamsText('a = 1\nb = = 2\n', '/ws/params.toml');
  assert.equal(parsed.problems[0]?.code, 'paramsFileSyntax');
  assert.equal(parsed.problems[0]?.line, 2);
});

test('an empty YAML params file is an empty map; a list at the top is a problem', () => {
  assert.deepEqual(parseParamsText('', '/ws/params.yaml').value, {});
  assert.equal(parseParamsText('- 1\n', '/ws/params.yaml').problems[0]?.code, 'paramsFileSyntax');
});

test('loadParamsFile returns plain numbers and reports a missing file', () => {
  const fs = createMemoryFileSystem({ '/ws/params.yaml': 'lr: 1.0\n' });
  assert.deepEqual(loadParamsFile(fs, '/ws/params.yaml').value, { lr: 1 });
  assert.equal(loadParamsFile(fs, '/ws/nope.yaml').problems[0]?.code, 'missingParamsFile');
});

test('readStageParams orders files and keys as dvc.lock does, and expands whole-file tracking', () => {
  const fs = createMemoryFileSystem({
    '/ws/params.yaml': 'train:\n  lr: 0.1\n  epochs: 3\nseed: 1\n',
    '/ws/b.json': '{"z": 1, "a": {"x": [1, 2]}}',
    '/ws/a.toml': 'k = "v"\n',
  });
  const stage = aStageWith({
    params: [
      { file: 'b.json', keys: ['z', 'a.x.1'], position: { line: 3, column: 5 } },
      { file: 'params.yaml', keys: ['train.lr', 'seed'], position: { line: 4, column: 5 } },
      { file: 'a.toml', keys: 'all', position: { line: 5, column: 5 } },
    ],
  });
  const { values, problems } = readStageParams(fs, stage);
  assert.deepEqual(problems, []);
  assert.deepEqual(Object.keys(values), ['params.yaml', 'a.toml', 'b.json']);
  assert.deepEqual(values['params.yaml'], { seed: 1, 'train.lr': 0.1 });
  assert.deepEqual(Object.keys(values['b.json']!), ['a.x.1', 'z']);
  assert.equal(values['b.json']!['a.x.1'], 2);
  assert.deepEqual(values['a.toml'], { k: 'v' });
});

test('readStageParams reports a missing key at the key and a missing file at the entry', () => {
  const fs = createMemoryFileSystem({ '/ws/params.yaml': 'lr: 1\n' });
  const stage = aStageWith({
    params: [
      {
        file: 'params.yaml',
        keys: ['lr', 'epochs'],
        position: { line: 4, column: 7 },
        keyPositions: [
          { line: 4, column: 9 },
          { line: 5, column: 9 },
        ],
      },
      { file: 'other.yaml', keys: ['x'], position: { line: 6, column: 7 } },
    ],
  });
  const { problems } = readStageParams(fs, stage);
  assert.deepEqual(
    problems.map((problem) => [problem.code, problem.file, problem.line, problem.column]),
    [
      ['missingParam', '/ws/dvc.yaml', 5, 9],
      ['missingParamsFile', '/ws/dvc.yaml', 6, 7],
    ],
  );
});

test('params files nested too deeply are nestingTooDeep in every format, never a stack overflow', () => {
  const brackets = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
  let classes = '';
  for (let level = 0; level < 600; level++) classes += `${' '.repeat(level)}class C${level}:\n`;
  classes += `${' '.repeat(600)}x = 1\n`;
  const files: Record<string, string> = {
    '/ws/deep.yaml': `a: ${brackets(20_000)}\n`,
    '/ws/deep.json': brackets(20_000),
    '/ws/deep.toml': `a = ${brackets(20_000)}\n`,
    '/ws/deep.py': `A = ${brackets(20_000)}\n`,
    '/ws/classes.py': classes,
  };
  const fs = createMemoryFileSystem(files);
  for (const file of Object.keys(files)) {
    const { problems } = loadParamsFile(fs, file);
    assert.deepEqual(
      problems.map((problem) => problem.code),
      ['nestingTooDeep'],
      file,
    );
  }
  // A params file nested a dozen levels is ordinary.
  const ordinary = createMemoryFileSystem({ '/ws/p.json': brackets(12), '/ws/p.py': `A = ${brackets(12)}\n` });
  assert.deepEqual(loadParamsFile(ordinary, '/ws/p.py').problems, []);
});
