// Without the real-world corpus, its tests are skipped outside CI (saying where they looked and how
// to point them at a copy) and fail in CI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../../support/tempDir';

const scratch = makeTempDir('mlc-real-world-');
const missing = join(scratch, 'no-corpus-here');
const corpusTest = join(scratch, 'corpus.test.ts');
writeFileSync(
  corpusTest,
  [
    `import { test } from 'node:test';`,
    `import { realWorldFixtures, skipWithoutRealWorldFixtures } from ${JSON.stringify(resolve(__dirname, '../../support/realWorldFixtures.ts'))};`,
    `test('reads the corpus', (t) => {`,
    `  if (skipWithoutRealWorldFixtures(t)) return;`,
    `  realWorldFixtures();`,
    `});`,
  ].join('\n'),
);

function runCorpusTest(environment: Record<string, string>) {
  // NODE_TEST_CONTEXT would make the child a subtest of this runner instead of a runner of its own.
  const { CI: _ci, NODE_TEST_CONTEXT: _context, ...inherited } = process.env;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', corpusTest], {
    encoding: 'utf8',
    env: { ...inherited, MLC_REAL_WORLD_FIXTURES: missing, ...environment },
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

test('outside CI a missing corpus skips the test with where it looked and how to point at a copy', () => {
  const { status, output } = runCorpusTest({});
  assert.equal(status, 0, output);
  assert.match(output, /^# skipped 1$/m);
  assert.match(output, /^# fail 0$/m);
  const reason = output.split('\n').find((line) => line.includes('# SKIP'));
  assert.ok(reason, output);
  assert.ok(reason.includes(missing), reason);
  assert.match(reason, /MLC_REAL_WORLD_FIXTURES=/);
});

test('in CI a missing corpus fails the test', () => {
  const { status, output } = runCorpusTest({ CI: 'true' });
  assert.notEqual(status, 0, output);
  assert.match(output, /^# fail 1$/m);
  assert.match(output, /Real-world fixtures missing at .*no-corpus-here/);
});

test('MLC_REAL_WORLD_FIXTURES points the tests at a copy elsewhere', () => {
  const { status, output } = runCorpusTest({ CI: 'true', MLC_REAL_WORLD_FIXTURES: scratch });
  assert.equal(status, 0, output);
  assert.match(output, /^# pass 1$/m);
});
