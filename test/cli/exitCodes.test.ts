import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createWorkspace, runMlcSync } from '../support/mlcCli';

// The exit codes every command shares (README, `mlc --help`): one test per code.

test('exit 0: the command did what was asked', () => {
  const root = createWorkspace({ 'mlc.yaml': 'stages:\n  hello:\n    cmd: echo hi > hi.txt\n    outs: [hi.txt]\n' });
  const result = runMlcSync(root, ['run']);
  assert.equal(result.code, 0, result.stderr);
});

test('exit 1: a stage failed', () => {
  const root = createWorkspace({ 'mlc.yaml': 'stages:\n  broken:\n    cmd: exit 5\n' });
  const result = runMlcSync(root, ['run']);
  assert.equal(result.code, 1, result.stderr);
});

test('exit 2: bad usage, and input mlc cannot read', () => {
  const root = createWorkspace({ 'mlc.yaml': 'stages:\n  hello:\n    cmd: echo hi\n' });
  const usage = runMlcSync(root, ['status', '--frob']);
  assert.equal(usage.code, 2, usage.stderr);
  assert.match(usage.stderr, /^mlc status: .*--frob.*\(mlc status --help shows the usage\)\n$/);
  writeFileSync(join(root, 'mlc.yaml'), 'stages:\n  hello: [not, a, stage\n');
  const unreadable = runMlcSync(root, ['run']);
  assert.equal(unreadable.code, 2, unreadable.stderr);
  assert.match(unreadable.stderr, /^mlc\.yaml:\d+:\d+: error\[yamlSyntax\]/);
});

test('exit 3: an internal error (a bug in mlc) is one line naming it, never taken for bad usage', () => {
  const root = createWorkspace({ 'mlc.yaml': 'stages:\n  hello:\n    cmd: echo hi\n' });
  // No input makes a correct mlc fail this way, so the bug is injected: once the CLI has loaded,
  // process.cwd() throws the TypeError a programming mistake would.
  const fault = join(root, 'fault.cjs');
  writeFileSync(fault, "process.nextTick(() => { process.cwd = () => { throw new TypeError('simulated bug'); }; });\n");
  const result = runMlcSync(root, ['status'], { NODE_OPTIONS: `--require ${fault}` });
  assert.equal(result.code, 3, result.stderr);
  assert.equal(result.stderr, 'mlc status: internal error: simulated bug (run with --verbose for the stack)\n');
});
