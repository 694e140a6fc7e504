import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createWorkspace, runMlc } from '../support/mlcCli';

const root = createWorkspace({ 'mlc.yaml': 'stages:\n  hello:\n    cmd: echo hi\n' });

/** One line on stderr: no stack frames, no Node error codes. */
function assertOneLineUsageError(result: { code: number | null; stderr: string }, what: string): void {
  assert.equal(result.code, 2, `${what}: ${result.stderr}`);
  assert.equal(result.stderr.trimEnd().split('\n').length, 1, `${what} prints one line:\n${result.stderr}`);
  assert.doesNotMatch(result.stderr, /^\s+at /m, what);
  assert.doesNotMatch(result.stderr, /ERR_PARSE_ARGS/, what);
}

test('every command answers bad flags and arguments with one line on stderr and exit 2', async () => {
  const badUsages = [
    ['run', '--frob'],
    ['run', '-j', '-1'],
    ['run', '-j'],
    ['run', '-j', '0'],
    ['run', '--keep-going=yes'],
    ['run', '--runner'],
    ['stop', '--frob'],
    ['stop', '-j', '2', 'some-run'],
    ['stop'],
    ['status', '--frob'],
    ['status', '--json=yes'],
    ['validate', '--frob'],
    ['validate', 'extra'],
    ['dag', '--frob'],
    ['dag', '--json', '--dot'],
    ['runs', '--frob'],
    ['runs', '--limit'],
    ['runs', '--limit', '-3'],
    ['show', '--frob'],
    ['show'],
    ['metrics', '--frob'],
    ['metrics', 'some-run', '--max-points'],
    ['frob'],
    ['help', 'frob'],
  ];
  const results = await Promise.all(badUsages.map((args) => runMlc(root, args)));
  for (const [index, result] of results.entries()) assertOneLineUsageError(result, badUsages[index]!.join(' '));
});

test('-j=2 and --jobs=2 are read as -j 2', async () => {
  for (const jobs of [['-j=2'], ['--jobs=2'], ['-j', '2']]) {
    const result = await runMlc(root, ['run', ...jobs, '--dry-run']);
    assert.equal(result.code, 0, `${jobs.join(' ')}: ${result.stderr}`);
    assert.match(result.stdout, /Would run:\n {2}hello: never run/);
  }
});

test('mlc help CMD prints what mlc CMD --help prints, with the exit codes every command shares', async () => {
  const [help, flag, general] = await Promise.all([
    runMlc(root, ['help', 'run']),
    runMlc(root, ['run', '--help']),
    runMlc(root, ['help']),
  ]);
  assert.equal(help.code, 0);
  assert.equal(help.stdout, flag.stdout);
  assert.match(help.stdout, /^Usage: mlc run /);
  assert.match(help.stdout, /3 internal error/);
  assert.match(general.stdout, /^Usage: mlc <command>/);
  assert.match(general.stdout, /3 internal error/);
});
