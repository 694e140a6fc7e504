import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodeTestCount, plainCount, summaryLine } from '../../../scripts/test-counts.mjs';

test("node --test's summary gives passed, failed and skipped", () => {
  const tap = '# tests 30\n# suites 0\n# pass 7\n# fail 2\n# cancelled 0\n# skipped 21\n# todo 0\n';
  assert.deepEqual(nodeTestCount(tap), { passed: 7, failed: 2, skipped: 21 });
});

test('the closing line counts skipped tests and reads back as it was written', () => {
  const line = summaryLine('all', { passed: 426, failed: 0, skipped: 21 });
  assert.equal(line, 'all: 426 passed, 0 failed, 21 skipped');
  assert.deepEqual(plainCount(`noise\nvscode: 1 passed, 1 failed, 0 skipped\n${line}\n`), {
    passed: 426,
    failed: 0,
    skipped: 21,
  });
  // A runner that does not report skipped tests counts none.
  assert.deepEqual(plainCount('vscode: 5 passed, 1 failed\n'), { passed: 5, failed: 1, skipped: 0 });
});
