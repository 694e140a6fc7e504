import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunSummary } from '../../../../src/engine/runs/model';
import { loadPlotsInWorker } from '../../../../src/node/plots/plotsWorkerClient';
import { makeTempDir } from '../../../support/tempDir';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
    cwd,
    encoding: 'utf8',
  });

test('the plots worker reads the workspace and a run at its commit, and copies the run image for the panel', async (t) => {
  const root = makeTempDir('mlc-plots-worker-', t);
  mkdirSync(join(root, 'eval'));
  writeFileSync(join(root, 'dvc.yaml'), 'plots:\n  - eval/importance.png\n  - eval/roc.csv: {x: fpr, y: tpr}\n');
  writeFileSync(join(root, 'eval/roc.csv'), 'fpr,tpr\n0,0\n1,1\n');
  writeFileSync(join(root, 'eval/importance.png'), 'committed image');
  git(root, 'init', '--quiet', '--initial-branch=main');
  git(root, 'add', '.');
  git(root, 'commit', '--quiet', '-m', 'run');
  const commit = git(root, 'rev-parse', 'HEAD').trim();
  writeFileSync(join(root, 'eval/importance.png'), 'newer image');
  writeFileSync(join(root, 'eval/roc.csv'), 'fpr,tpr\n0,0\n0.5,0.9\n1,1\n');
  const run: RunSummary = {
    id: 'mlflow:0/abc',
    source: 'mlflow',
    name: 'abc',
    status: 'succeeded',
    params: {},
    metrics: {},
    git: { commit, dirty: false },
    location: join(root, 'mlruns/0/abc'),
  };

  const result = await loadPlotsInWorker({ workspaceRoot: root, runs: [run] });

  assert.deepEqual(result.revisions, ['workspace', 'mlflow:0/abc']);
  const roc = result.views.find((view) => view.id === 'eval/roc.csv');
  assert.ok(roc?.kind === 'line');
  assert.deepEqual(
    roc.series.map((series) => [series.revision, series.y]),
    [
      ['workspace', [0, 0.9, 1]],
      ['mlflow:0/abc', [0, 1]],
    ],
  );
  assert.equal(result.imageFiles['workspace\0eval/importance.png'], join(root, 'eval/importance.png'));
  const copy = result.imageFiles['mlflow:0/abc\0eval/importance.png']!;
  assert.equal(copy, join(root, '.mlc/cache/plots/mlflow_0_abc/eval/importance.png'));
  assert.equal(readFileSync(copy, 'utf8'), 'committed image');
});
