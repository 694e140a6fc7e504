import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FilterNode, parseFilterExpression } from '../../../../webview-ui/runHistory/parseFilterExpression';

test('comparisons join with and/or, and binding tighter than or', () => {
  const parsed = parseFilterExpression('accuracy > 0.9 and train.lr < 0.01 or status == failed');
  assert.deepEqual(parsed.problems, []);
  assert.equal(parsed.value?.kind, 'or');
  const or = parsed.value as Extract<FilterNode, { kind: 'and' | 'or' }>;
  assert.equal(or.left.kind, 'and');
  assert.deepEqual(or.right, {
    kind: 'compare',
    field: 'status',
    fieldRange: { start: 38, end: 44 },
    operator: '==',
    value: 'failed',
  });
});

test('numbers become numbers, quoted and bare words stay text, backticks name odd columns', () => {
  const parsed = parseFilterExpression('`val loss`<=1e-3 and name ~ "run 1" and x = -2');
  assert.deepEqual(parsed.problems, []);
  const and = parsed.value as {
    left: { left: { value: unknown; field: string }; right: { value: unknown } };
    right: { value: unknown; operator: string };
  };
  assert.equal(and.left.left.field, 'val loss');
  assert.equal(and.left.left.value, 0.001);
  assert.equal(and.left.right.value, 'run 1');
  assert.equal(and.right.value, -2);
  assert.equal(and.right.operator, '==');
});

test('words without an operator are free text, joined with and', () => {
  const parsed = parseFilterExpression('resnet not failed');
  assert.deepEqual(parsed.value, {
    kind: 'and',
    left: { kind: 'text', text: 'resnet' },
    right: { kind: 'not', operand: { kind: 'text', text: 'failed' } },
  });
});

test('an empty expression matches everything and has no problem', () => {
  assert.deepEqual(parseFilterExpression('   '), { value: undefined, problems: [] });
});

test('errors are located at the character range they concern', () => {
  const cases: Array<[string, number, number, RegExp]> = [
    ['accuracy >', 10, 11, /needs a value/],
    ['(status == failed', 17, 18, /Close the parenthesis/],
    ['status == failed)', 16, 17, /no matching \(/],
    ['> 3', 0, 1, /needs a column name/],
    ['name == "open', 8, 13, /Close the quote/],
    ['a ! b', 2, 3, /Unexpected !/],
    ['and x', 0, 3, /needs a term before/],
  ];
  for (const [source, start, end, message] of cases) {
    const parsed = parseFilterExpression(source);
    assert.equal(parsed.value, undefined, source);
    assert.equal(parsed.problems.length, 1, source);
    const [problem] = parsed.problems;
    assert.deepEqual([problem!.start, problem!.end], [start, end], source);
    assert.match(problem!.message, message, source);
  }
});
