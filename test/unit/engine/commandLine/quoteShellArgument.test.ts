import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import fc from 'fast-check';
import { joinShellArguments, quoteShellArgument } from '../../../../src/engine/commandLine/quoteShellArgument';

test('quoteShellArgument leaves safe words alone and single-quotes everything else, like shlex.quote', () => {
  assert.equal(quoteShellArgument('data/train.csv'), 'data/train.csv');
  assert.equal(quoteShellArgument(''), "''");
  assert.equal(quoteShellArgument('a b'), "'a b'");
  assert.equal(quoteShellArgument("it's"), `'it'"'"'s'`);
  assert.equal(quoteShellArgument('$(touch pwned)'), "'$(touch pwned)'");
});

test('any quoted text reaches the program unchanged through /bin/sh and runs nothing', () => {
  // Real shell round-trips: printf prints each argument between markers, so the output must be
  // exactly the input, whatever quotes, $(), backticks, globs or newlines it holds.
  const hostile = ['$(touch pwned)', '`touch pwned`', "'; touch pwned; '", '"$HOME"', '*', 'a\nb', '\\', '-n', ''];
  const samples = [...hostile, ...fc.sample(fc.string({ unit: 'binary', maxLength: 30 }), 150)].map((text) =>
    text.replaceAll('\0', ''),
  );
  const script = samples.map((text) => `printf '<%s>' ${quoteShellArgument(text)}`).join('; ');
  const result = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8', cwd: '/tmp' });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, samples.map((text) => `<${text}>`).join(''));
});

test('joinShellArguments makes one shell word per argument', () => {
  const result = spawnSync('/bin/sh', ['-c', `printf '[%s]' ${joinShellArguments(['a b', "c'd", 'e'])}`], {
    encoding: 'utf8',
  });
  assert.equal(result.stdout, "[a b][c'd][e]");
});
