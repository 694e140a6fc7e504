import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createWorkspace, runMlcSync } from '../support/mlcCli';

const broken = {
  'dvc.yaml': 'stages:\n  train:\n    cmd: python train.py ${lr}\n    dpes: [data.csv]\n',
  'params.yaml': 'lr: 0.1\n',
  'sub/mlc.yaml': 'stages:\n  s:\n    cmd: x\n    deps: [missing.txt]\n',
};

test('mlc validate --json prints every problem with its file relative to the cwd, and exits 1 on errors', () => {
  const { code, stdout } = runMlcSync(createWorkspace(broken), ['validate', '--json']);
  assert.equal(code, 1);
  const document = JSON.parse(stdout);
  assert.deepEqual(
    document.problems.map((problem: { file: string; line: number; column: number; severity: string; code: string }) => [
      problem.file,
      problem.line,
      problem.column,
      problem.severity,
      problem.code,
    ]),
    [
      ['dvc.yaml', 4, 5, 'error', 'unknownKey'],
      ['sub/mlc.yaml', 4, 12, 'warning', 'missingDependency'],
    ],
  );
  assert.match(document.problems[0].message, /Did you mean 'deps'/);
  assert.deepEqual(Object.keys(document.problems[0]), ['file', 'line', 'column', 'severity', 'code', 'message']);
});

test('mlc validate prints path:line:column: severity[code]: message and a summary', () => {
  const { code, stdout } = runMlcSync(createWorkspace(broken), ['validate']);
  assert.equal(code, 1);
  const lines = stdout.trim().split('\n');
  assert.match(lines[0]!, /^dvc\.yaml:4:5: error\[unknownKey\]: Unknown key 'dpes'/);
  assert.match(lines[1]!, /^sub\/mlc\.yaml:4:12: warning\[missingDependency\]: /);
  assert.equal(lines.at(-1), '1 error, 1 warning in 2 pipeline files.');
});

test('mlc validate exits 0 when only warnings (or nothing) are found', () => {
  const clean = runMlcSync(createWorkspace({ 'dvc.yaml': 'stages:\n  s:\n    cmd: echo hi\n' }), ['validate']);
  assert.equal(clean.code, 0);
  assert.equal(clean.stdout.trim(), 'No problems in 1 pipeline file.');
  const warnings = runMlcSync(createWorkspace({ 'dvc.yaml': 'stages:\n  s:\n    cmd: x\n    deps: [nope]\n' }), [
    'validate',
    '--json',
  ]);
  assert.equal(warnings.code, 0);
  assert.equal(JSON.parse(warnings.stdout).problems[0].severity, 'warning');
});

test('mlc validate exits 2 and says where it looked when there is no pipeline, or on a bad option', () => {
  const root = createWorkspace({ 'README.txt': 'nothing here' });
  const none = runMlcSync(root, ['validate']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no pipeline file \(mlc\.yaml, dvc\.yaml or MLproject\) in .*mlc-cli-/);
  assert.equal(none.stdout, '');
  const bad = runMlcSync(root, ['validate', '--xml']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Unknown option '--xml'/);
});
