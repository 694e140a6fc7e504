import assert from 'node:assert/strict';
import { test } from 'node:test';
import { editDistance } from '../../../../src/engine/text/editDistance';

test('editDistance counts inserts, deletes and substitutions, and a swapped pair of letters as one edit', () => {
  assert.equal(editDistance('', ''), 0);
  assert.equal(editDistance('runner', 'runner'), 0);
  assert.equal(editDistance('runnr', 'runner'), 1);
  assert.equal(editDistance('runenr', 'runner'), 1, 'a transposition is one edit (optimal string alignment)');
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('abc', ''), 3);
});
