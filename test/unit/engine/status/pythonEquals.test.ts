import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pythonFloat } from '../../../../src/engine/params/formatPythonValue';
import { pythonEquals } from '../../../../src/engine/status/pythonEquals';

test('numbers and bools compare as Python does: 1 == 1.0, True == 1, False == 0, but "1" != 1', () => {
  assert.equal(pythonEquals(1, pythonFloat(1)), true);
  assert.equal(pythonEquals(true, 1), true);
  assert.equal(pythonEquals(false, 0), true);
  assert.equal(pythonEquals(true, 2), false);
  assert.equal(pythonEquals('1', 1), false);
  assert.equal(pythonEquals(Number.NaN, Number.NaN), false);
  assert.equal(pythonEquals(null, undefined), true);
});

test('lists and dicts compare deeply, dicts regardless of key order', () => {
  assert.equal(pythonEquals([1, [2, true]], [1.0, [2, 1]]), true);
  assert.equal(pythonEquals([1, 2], [1, 2, 3]), false);
  assert.equal(pythonEquals({ a: 1, b: { c: [1] } }, { b: { c: [1] }, a: true }), true);
  assert.equal(pythonEquals({ a: 1 }, { a: 1, b: 2 }), false);
  assert.equal(pythonEquals({ a: 1 }, [1]), false);
});
