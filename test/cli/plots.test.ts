import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createWorkspace, runMlc } from '../support/mlcCli';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
    cwd,
    encoding: 'utf8',
  });
}

/** A pipeline whose stage writes a loss curve and a confusion matrix from its params. */
function plotsWorkspace(): string {
  const root = createWorkspace({
    'dvc.yaml': [
      'stages:',
      '  evaluate:',
      '    cmd: >-',
      `      printf 'step,loss\\n0,\${loss0}\\n1,0.5\\n' > loss.csv &&`,
      `      printf 'actual,predicted\\n0,0\\n0,\${pred}\\n1,1\\n' > confusion.csv`,
      '    params: [loss0, pred]',
      '    plots:',
      '      - loss.csv: {x: step, y: loss}',
      '      - confusion.csv: {template: confusion, x: actual, y: predicted}',
      'plots:',
      '  - Reference: {y: {reference.csv: loss}, x: step}',
      '',
    ].join('\n'),
    'params.yaml': 'loss0: 0.9\npred: 1\n',
    'reference.csv': 'step,loss\n0,1.0\n',
    '.gitignore': 'loss.csv\nconfusion.csv\n.mlc/\n',
  });
  git(root, 'init', '--quiet', '--initial-branch=main');
  git(root, 'add', '.');
  git(root, 'commit', '--quiet', '-m', 'base');
  return root;
}

interface PlotsJson {
  revisions: string[];
  plots: Array<{
    kind: string;
    id: string;
    series?: Array<{ revision: string; y: Array<number | null> }>;
    matrices?: Array<{ revision: string; classes: string[]; counts: number[][] }>;
    missing: Array<{ revision: string; file: string; reason: string }>;
  }>;
  problems: unknown[];
}

test('mlc plots show --json resolves stage and top-level plots from the workspace files', async () => {
  const root = plotsWorkspace();
  assert.equal((await runMlc(root, ['run'])).code, 0);
  const result = await runMlc(root, ['plots', 'show', '--json']);
  assert.equal(result.code, 0, result.stderr);
  const shown = JSON.parse(result.stdout) as PlotsJson;
  assert.deepEqual(shown.revisions, ['workspace']);
  assert.deepEqual(
    shown.plots.map((plot) => [plot.kind, plot.id]),
    [
      ['line', 'loss.csv'],
      ['confusion', 'confusion.csv'],
      ['line', 'Reference'],
    ],
  );
  assert.deepEqual(shown.plots[0]!.series![0]!.y, [0.9, 0.5]);
  assert.deepEqual(shown.plots[1]!.matrices![0]!.counts, [
    [1, 1],
    [0, 1],
  ]);
  assert.deepEqual(shown.problems, []);
  const text = await runMlc(root, ['plots', 'show']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^confusion\.csv \(confusion\)$/m);
  assert.match(text.stdout, /^workspace\s+confusion\.csv\s+2\s+3\s+2 \(66\.7%\)$/m);
});

test('mlc plots diff shows each run as it left its files: the latest from the workspace, an overwritten one missing', async () => {
  const root = plotsWorkspace();
  assert.equal((await runMlc(root, ['run'])).code, 0);
  fs.writeFileSync(join(root, 'params.yaml'), 'loss0: 0.7\npred: 0\n');
  assert.equal((await runMlc(root, ['run'])).code, 0);
  const { runs } = JSON.parse((await runMlc(root, ['runs', '--json'])).stdout) as {
    runs: Array<{ id: string; startedAt: number }>;
  };
  const [older, newer] = [...runs].sort((a, b) => a.startedAt - b.startedAt).map((run) => run.id);
  const result = await runMlc(root, ['plots', 'diff', older!, newer!, '--json']);
  assert.equal(result.code, 0, result.stderr);
  const diff = JSON.parse(result.stdout) as PlotsJson;
  assert.deepEqual(diff.revisions, [older, newer]);
  const loss = diff.plots.find((plot) => plot.id === 'loss.csv')!;
  // The newer run's loss.csv is still in the working tree with the md5 it recorded.
  assert.deepEqual(
    loss.series!.map((series) => [series.revision, series.y]),
    [[newer, [0.7, 0.5]]],
  );
  // The older run's file was overwritten and never committed: missing, with the reason.
  assert.equal(loss.missing.length, 1);
  assert.equal(loss.missing[0]!.revision, older);
  assert.match(loss.missing[0]!.reason, /no copy with that content is left/);
  // A committed file that no stage writes comes from each run's git commit.
  const reference = diff.plots.find((plot) => plot.id === 'Reference')!;
  assert.deepEqual(
    reference.series!.map((series) => series.revision),
    [older, newer],
  );
  const unknown = await runMlc(root, ['plots', 'diff', 'no-such-run']);
  assert.equal(unknown.code, 2);
});
