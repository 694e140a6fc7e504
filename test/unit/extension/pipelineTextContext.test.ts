import assert from 'node:assert/strict';
import { test } from 'node:test';
import { completionContextAt, flattenParamKeys, pathTokenAt } from '../../../src/extension/pipelineTextContext';

const at = (text: string) => {
  // `|` marks the cursor.
  const lines = text.split('\n');
  const line = lines.findIndex((candidate) => candidate.includes('|'));
  const character = lines[line]!.indexOf('|');
  lines[line] = lines[line]!.replace('|', '');
  return completionContextAt(lines, line, character);
};

test('a cursor inside ${ offers template keys with the typed prefix', () => {
  assert.deepEqual(at('stages:\n  a:\n    cmd: python3 x.py --lr ${train.l|'), {
    kind: 'template',
    prefix: 'train.l',
    startColumn: 29,
  });
});

test('a closed template before the cursor is not a template context', () => {
  assert.equal(at('    cmd: python3 x.py --lr ${train.lr} |'), undefined);
});

test('an item of a block params list offers param keys', () => {
  const context = at('stages:\n  train:\n    params:\n      - seed\n      - tr|\n    outs: [m]');
  assert.deepEqual(context, { kind: 'paramKey', prefix: 'tr', startColumn: 8 });
});

test('items written at the same indent as params: are recognised', () => {
  assert.equal(at('    params:\n    - |')?.kind, 'paramKey');
});

test('an inline params list offers param keys after the last comma', () => {
  assert.deepEqual(at('    params: [seed, pre|'), { kind: 'paramKey', prefix: 'pre', startColumn: 19 });
});

test('keys listed under another params file carry that file', () => {
  const context = at('    params:\n      - seed\n      - custom.yaml:\n          - lr\n          - mo|');
  assert.deepEqual(context, { kind: 'paramKey', prefix: 'mo', startColumn: 12, paramsFile: 'custom.yaml' });
});

test('items of deps or outs lists are not param contexts', () => {
  assert.equal(at('    deps:\n      - src/train.py\n      - da|'), undefined);
  assert.equal(at('    outs:\n      - |'), undefined);
});

test('flattenParamKeys lists parents and leaves in dotted form, not list items', () => {
  const keys = flattenParamKeys({ seed: 1, train: { lr: 0.1, layers: [64, 32], opt: { name: 'adam' } } }).map(
    (entry) => entry.key,
  );
  assert.deepEqual(keys, ['seed', 'train', 'train.lr', 'train.layers', 'train.opt', 'train.opt.name']);
  assert.deepEqual(flattenParamKeys([1, 2]), []);
  assert.deepEqual(flattenParamKeys(null), []);
});

test('pathTokenAt finds the path under the cursor in block and inline lists', () => {
  assert.deepEqual(pathTokenAt('      - data/train.csv', 12), { path: 'data/train.csv', start: 8, end: 22 });
  assert.deepEqual(pathTokenAt('    deps: [src/a.py, "data/b.csv"]', 13), { path: 'src/a.py', start: 11, end: 19 });
  assert.deepEqual(pathTokenAt('      - metrics/eval.json:', 10), { path: 'metrics/eval.json', start: 8, end: 25 });
  assert.equal(pathTokenAt('      - ${item}/x.csv', 12), undefined);
});
