import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeError, EngineError } from '../../../src/engine/engineError';

test('an EngineError carries its reason code and the error it wraps as cause', () => {
  const cause = new Error('EACCES: permission denied');
  const error = new EngineError('lockFileUnwritable', 'dvc.lock cannot be written', { cause });
  assert.ok(error instanceof Error);
  assert.equal(error.name, 'EngineError');
  assert.equal(error.reason, 'lockFileUnwritable');
  assert.equal(error.cause, cause);
  assert.equal(describeError(error), 'dvc.lock cannot be written');
});

test('describeError gives the message of an Error and the text of anything else thrown', () => {
  assert.equal(describeError(new TypeError('x is undefined')), 'x is undefined');
  assert.equal(describeError('a string'), 'a string');
  assert.equal(describeError(42), '42');
  assert.equal(describeError(undefined), 'undefined');
});
