import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPipeline } from '../../../../src/engine/pipeline/loadPipeline';
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
  const started = Date.now();
  const { problems } = load(lines.join('\n'));
  assert.equal(problems[0]?.code, 'yamlSyntax');
  assert.match(problems[0]!.message, /too many nodes/);
  assert.ok(Date.now() - started < 5000);
});

test('deeply nested YAML is reported, not a stack overflow', () => {
  const deep = `stages:\n  s:\n    cmd: x\n    meta: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
  assert.equal(load(deep).problems[0]?.code, 'yamlSyntax');
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
