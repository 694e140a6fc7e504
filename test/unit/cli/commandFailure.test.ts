import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExitCode, UsageError } from '../../../src/cli/cliContext';
import { describeCommandFailure } from '../../../src/cli/commandFailure';
import { DeployHostError } from '../../../src/engine/deploy/ports';
import { EngineError } from '../../../src/engine/engineError';

test('a usage error is one line on stderr and exit 2', () => {
  const failure = describeCommandFailure('run', new UsageError("unknown stage '\u001b[2J'."), false);
  assert.equal(failure.code, ExitCode.usage);
  assert.equal(failure.text, "mlc run: unknown stage '\\x1b[2J'. (mlc run --help shows the usage)\n");
});

test('any other error is an internal error: one line and exit 3, the stack only with --verbose', () => {
  const error = new TypeError("Cannot read properties of undefined (reading 'x')");
  const quiet = describeCommandFailure('status', error, false);
  assert.equal(quiet.code, ExitCode.internal);
  assert.equal(quiet.code, 3);
  assert.equal(
    quiet.text,
    "mlc status: internal error: Cannot read properties of undefined (reading 'x') (run with --verbose for the stack)\n",
  );
  const verbose = describeCommandFailure('status', error, true);
  assert.equal(verbose.code, ExitCode.internal);
  assert.match(verbose.text, /^mlc status: internal error: Cannot read properties.*\nTypeError: .*\n {4}at /);
  assert.equal(
    describeCommandFailure('', 'thrown text', false).text.split('\n')[0],
    'mlc: internal error: thrown text (run with --verbose for the stack)',
  );
});

test('a deploy host that did not answer is one line and exit 1, not an internal error', () => {
  const failure = describeCommandFailure(
    'undeploy',
    new DeployHostError('cannot reach ada@gpu1: Connection refused'),
    true,
  );
  assert.equal(failure.code, ExitCode.failed);
  assert.equal(failure.text, 'mlc undeploy: cannot reach ada@gpu1: Connection refused\n');
});

test('an EngineError exits with the code of its reason: unreadable input is 2 in one line, internal is 3', () => {
  const unwritable = describeCommandFailure(
    'run',
    new EngineError(
      'lockFileUnwritable',
      'dvc.lock:3:1: merge conflict markers. mlc does not write a lock file it could not read.',
    ),
    true,
  );
  assert.equal(unwritable.code, ExitCode.usage);
  assert.equal(
    unwritable.text,
    'mlc run: dvc.lock:3:1: merge conflict markers. mlc does not write a lock file it could not read.\n',
  );
  const internal = describeCommandFailure('run', new EngineError('internal', 'Stage x is not part of run r1.'), false);
  assert.equal(internal.code, ExitCode.internal);
  assert.equal(
    internal.text,
    'mlc run: internal error: Stage x is not part of run r1. (run with --verbose for the stack)\n',
  );
});
