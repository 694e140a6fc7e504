import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPipeline } from '../../../../src/engine/pipeline/loadPipeline';
import { loadWorkspace } from '../../../../src/engine/pipeline/loadWorkspace';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

function load(contents: string | Uint8Array, file = '/ws/dvc.yaml') {
  return loadPipeline(createMemoryFileSystem({ [file]: contents }), file);
}

test('binary junk is a yamlSyntax problem, not a crash', () => {
  const junk = new Uint8Array(4096).map((_, index) => (index * 7919) % 256);
  const { problems, pipeline } = load(junk);
  assert.equal(problems[0]?.code, 'yamlSyntax');
  assert.deepEqual(pipeline.stages, []);
});

test('an alias bomb is stopped by the node budget', () => {
  const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let level = 0; level < 9; level++) {
    const name = String.fromCharCode(98 + level);
    const previous = String.fromCharCode(97 + level);
    lines.push(
      `${name}: &${name} [*${previous}, *${previous}, *${previous}, *${previous}, *${previous}, *${previous}, *${previous}, *${previous}, *${previous}, *${previous}]`,
    );
  }
  lines.push('stages:\n  s:\n    cmd: x\n    meta: *j');
  // The budget's own message proves the expansion was cut short (10^10 nodes would never finish).
  const { problems } = load(lines.join('\n'));
  assert.equal(problems[0]?.code, 'yamlSyntax');
  assert.match(problems[0]!.message, /too many nodes/);
});

test('deeply nested YAML is a nestingTooDeep problem, not a stack overflow', () => {
  let block = 'stages:\n  s:\n    cmd: x\n    meta:\n';
  for (let level = 0; level < 3000; level++) block += `${' '.repeat(6 + level)}k${level}:\n`;
  for (const levels of [700, 5000]) {
    const flow = `stages:\n  s:\n    cmd: x\n    meta: ${'['.repeat(levels)}${']'.repeat(levels)}\n`;
    for (const text of levels === 700 ? [flow] : [flow, block]) {
      const { problems } = load(text);
      assert.deepEqual(
        problems.map((problem) => problem.code),
        ['nestingTooDeep'],
      );
      assert.doesNotMatch(problems[0]!.message, /call stack/);
      assert.match(problems[0]!.message, /nested more than 500 levels/);
    }
  }
});

test('a document that is not a map, an empty file and a missing file never throw', () => {
  assert.equal(load('- just\n- a list\n').problems[0]?.code, 'wrongType');
  assert.deepEqual(load('').problems, []);
  const missing = loadPipeline(createMemoryFileSystem({}), '/ws/dvc.yaml');
  assert.equal(missing.problems[0]?.code, 'unreadableFile');
});

test('odd but valid shapes do not throw: null stages, numeric keys, merge keys', () => {
  assert.deepEqual(load('stages:\n').problems, []);
  const merged = load('base: &base\n  cmd: echo base\nstages:\n  s:\n    <<: *base\n    deps: [x]\n');
  assert.equal(merged.problems[0]?.code, 'unknownKey');
  assert.equal(merged.pipeline.stages[0]?.cmd, 'echo base');
  assert.equal(load('stages:\n  1:\n    cmd: one\n').pipeline.stages[0]?.name, '1');
});

test('a huge file (or unsaved text) is refused with a problem instead of being parsed', () => {
  const huge = `stages:\n${'  # padding padding padding padding padding padding padding padding\n'.repeat(260_000)}`;
  const fs = createMemoryFileSystem({ '/ws/dvc.yaml': huge });
  assert.equal(loadPipeline(fs, '/ws/dvc.yaml').problems[0]?.code, 'unreadableFile');
  assert.equal(loadPipeline(fs, '/ws/dvc.yaml', huge).problems[0]?.code, 'unreadableFile');
});

test('a matrix bomb is an expansionTooLarge problem at the matrix, found before expanding', { timeout: 60_000 }, () => {
  const values = `[${Array.from({ length: 100 }, (_, index) => index).join(', ')}]`;
  const text = `stages:\n  s:\n    matrix:\n      a: ${values}\n      b: ${values}\n      c: ${values}\n    cmd: echo \${item.a}\n`;
  const { problems, pipeline } = load(text);
  assert.deepEqual(
    problems.map((problem) => [problem.code, problem.line, problem.column]),
    [['expansionTooLarge', 4, 7]],
  );
  assert.match(problems[0]!.message, /more than 50,000 stages; mlc expands at most 10,000 per foreach or matrix stage/);
  assert.deepEqual(pipeline.stages, []);
});

test('foreach and matrix groups are capped at 10,000 stages each and 50,000 per file', { timeout: 120_000 }, () => {
  const list = (count: number) => `[${Array.from({ length: count }, (_, index) => index).join(', ')}]`;
  const foreach = load(`stages:\n  s:\n    foreach: ${list(10_001)}\n    do:\n      cmd: echo \${item}\n`);
  assert.deepEqual(
    foreach.problems.map((problem) => [problem.code, problem.line]),
    [['expansionTooLarge', 3]],
  );
  assert.match(foreach.problems[0]!.message, /would make 10,001 stages/);
  // Six groups of 10,000 are each allowed, but the sixth would take the file past 50,000.
  let text = 'stages:\n';
  for (let group = 0; group < 6; group++)
    text += `  g${group}:\n    foreach: ${list(10_000)}\n    do:\n      cmd: echo \${item}\n`;
  const file = load(text);
  assert.deepEqual(
    file.problems.map((problem) => [problem.code, problem.line]),
    [['expansionTooLarge', 23]],
  );
  assert.equal(file.pipeline.stages.length, 50_000);
});

test('the workspace-wide stage cap leaves out the stages of the file that crosses it', () => {
  const fs = createMemoryFileSystem({
    '/ws/a/dvc.yaml': 'stages:\n  s:\n    foreach: [1, 2, 3]\n    do:\n      cmd: echo ${item}\n',
    '/ws/b/dvc.yaml': 'stages:\n  t:\n    foreach: [1, 2]\n    do:\n      cmd: echo ${item}\n',
  });
  const workspace = loadWorkspace(fs, '/ws', { maxStages: 4 });
  assert.deepEqual(
    workspace.problems.map((problem) => [problem.code, problem.file, problem.line]),
    [['expansionTooLarge', '/ws/b/dvc.yaml', 1]],
  );
  assert.equal(workspace.graph.stages.length, 3);
  assert.equal(loadWorkspace(fs, '/ws').graph.stages.length, 5);
});

test('bytes that are not UTF-8 are an invalidEncoding error at their line, and that stage is left out', () => {
  const encoder = new TextEncoder();
  const bytes = new Uint8Array([
    ...encoder.encode('stages:\n  good:\n    cmd: echo caf\u00e9 \u00e9\n  bad:\n    cmd: echo caf'),
    0xe9, // Latin-1 é
    ...encoder.encode('\n'),
  ]);
  const { problems, pipeline } = load(bytes);
  assert.deepEqual(
    problems.map((problem) => [problem.code, problem.severity, problem.line, problem.column]),
    [['invalidEncoding', 'error', 5, 18]],
  );
  assert.match(problems[0]!.message, /Byte 0xE9 at byte offset 63 is not UTF-8/);
  assert.deepEqual(
    pipeline.stages.map((stage) => [stage.name, stage.cmd]),
    [['good', 'echo caf\u00e9 \u00e9']],
  );
  // U+FFFD written as UTF-8 on purpose is text like any other.
  const written = load(encoder.encode('stages:\n  a:\n    cmd: echo \uFFFD\n'));
  assert.deepEqual(written.problems, []);
  assert.equal(written.pipeline.stages[0]?.cmd, 'echo \uFFFD');
});
