import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommandArgs } from '../../../src/cli/argv';
import { UsageError } from '../../../src/cli/cliContext';

const runOptions = {
  jobs: { type: 'string', short: 'j' },
  'keep-going': { type: 'boolean', short: 'k' },
} as const;

test('parseCommandArgs reads -j=2 like -j 2 and --jobs=2, and accepts --verbose everywhere', () => {
  for (const args of [['-j=2'], ['-j', '2'], ['--jobs=2'], ['-j2']]) {
    assert.equal(parseCommandArgs(args, runOptions).values.jobs, '2', args.join(' '));
  }
  assert.equal(parseCommandArgs(['--verbose'], {}).values.verbose, true);
  assert.deepEqual(parseCommandArgs(['--', '-j=2'], runOptions).positionals, ['-j=2']);
});

test('parseCommandArgs turns every parse error into a one-line UsageError', () => {
  for (const args of [['--frob'], ['-j', '-1'], ['-j'], ['--keep-going=yes'], ['-k=yes']]) {
    assert.throws(
      () => parseCommandArgs(args, runOptions),
      (error: unknown) => error instanceof UsageError && !error.message.includes('\n') && error.message.length > 0,
      args.join(' '),
    );
  }
  assert.throws(() => parseCommandArgs(['x'], {}, { allowPositionals: false }), UsageError);
});
