import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createWorkspace, runMlcSync } from '../support/mlcCli';

const PIPELINE = `stages:
  train:
    cmd: python3 train.py
    params: [train, seed]
    metrics: [metrics/eval.json]
`;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
    cwd,
    encoding: 'utf8',
  });
}

/** A repository whose first commit is the base and whose working tree changed metrics and params. */
function twoCommitRepository(): { root: string; baseCommit: string } {
  const root = createWorkspace({
    'mlc.yaml': PIPELINE,
    'params.yaml': 'seed: 7\ntrain:\n  lr: 0.1\n  epochs: 10\n  optimizer: sgd\n',
    'metrics/eval.json': '{"accuracy": 0.81, "auc": 0.9, "loss": 0.5}\n',
  });
  git(root, 'init', '--quiet', '--initial-branch=main');
  git(root, 'add', '.');
  git(root, 'commit', '--quiet', '-m', 'base');
  const baseCommit = git(root, 'rev-parse', 'HEAD').trim();
  git(root, 'checkout', '--quiet', '-b', 'feature');
  writeFileSync(join(root, 'params.yaml'), 'seed: 7\ntrain:\n  lr: 0.05\n  epochs: 10\n  optimizer: adam\n');
  writeFileSync(join(root, 'metrics/eval.json'), '{"accuracy": 0.84, "auc": 0.9, "f1": 0.7}\n');
  git(root, 'commit', '--quiet', '-am', 'tune');
  return { root, baseCommit };
}

test('mlc report --base main --md prints the metrics and changed params against the base commit', () => {
  const { root, baseCommit } = twoCommitRepository();
  const result = runMlcSync(root, ['report', '--base', 'main', '--md']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stdout,
    [
      `## mlc report: workspace vs \`main (${baseCommit.slice(0, 7)})\``,
      '',
      '### Metrics',
      '',
      '| File | Metric | main | workspace | Change | Change % |',
      '| --- | --- | ---: | ---: | ---: | ---: |',
      '| metrics/eval.json | accuracy | 0.81 | 0.84 | +0.03 | +3.70% |',
      '| metrics/eval.json | auc | 0.9 | 0.9 | 0 | 0.00% |',
      '| metrics/eval.json | loss | 0.5 | — | — | — |',
      '| metrics/eval.json | f1 | — | 0.7 | — | — |',
      '',
      '### Params',
      '',
      '| File | Param | main | workspace | Change | Change % |',
      '| --- | --- | ---: | ---: | ---: | ---: |',
      '| params.yaml | train.lr | 0.1 | 0.05 | -0.05 | -50.00% |',
      '| params.yaml | train.optimizer | sgd | adam | changed | — |',
      '',
      '2 unchanged params not shown.',
      '',
    ].join('\n'),
  );
});

test('mlc report compares the working tree, uncommitted edits included, and --json gives every row', () => {
  const { root, baseCommit } = twoCommitRepository();
  writeFileSync(join(root, 'metrics/eval.json'), '{"accuracy": 0.9}\n');
  const result = runMlcSync(root, ['report', '--base', baseCommit.slice(0, 10), '--json']);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as { base: unknown; metrics: unknown[]; params: unknown[] };
  assert.deepEqual(report.base, { ref: baseCommit.slice(0, 10), commit: baseCommit });
  assert.deepEqual(report.metrics[0], {
    file: 'metrics/eval.json',
    name: 'accuracy',
    base: 0.81,
    workspace: 0.9,
    delta: 0.9 - 0.81,
    deltaPercent: ((0.9 - 0.81) / 0.81) * 100,
  });
  assert.equal(report.params.length, 4);
  assert.deepEqual(report.params[3], {
    file: 'params.yaml',
    name: 'seed',
    base: 7,
    workspace: 7,
    delta: 0,
    deltaPercent: 0,
  });
});

test('mlc report refuses an unknown ref, a folder outside git and a missing --base (exit 2)', () => {
  const { root } = twoCommitRepository();
  const unknown = runMlcSync(root, ['report', '--base', 'no-such-branch']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /'no-such-branch' names no commit/);
  const notGit = createWorkspace({ 'mlc.yaml': PIPELINE });
  assert.equal(runMlcSync(notGit, ['report', '--base', 'main']).code, 2);
  assert.equal(runMlcSync(root, ['report']).code, 2);
});
