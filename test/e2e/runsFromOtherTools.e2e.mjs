// A workspace with no pipeline, only a DVCLive folder written by a training script: mlc activates
// on it, the Runs view lists the run with its metrics, and updates on its own when the script
// writes again. The folder is a fresh temp folder outside the repository, like a user's project.
// Screenshots: test-results/screenshots/other-tools-NN-<label>.png.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openContainer, openWorkbench, screenshotOnFailure, sidebar } from '../support/vscode/workbench.mjs';

let workbench;
let folder;

const writeDvcLive = (accuracy, step) => {
  const live = join(folder, 'notebook', 'dvclive');
  mkdirSync(join(live, 'plots', 'metrics'), { recursive: true });
  writeFileSync(join(live, 'params.yaml'), 'lr: 0.01\nepochs: 3\n');
  writeFileSync(join(live, 'metrics.json'), `${JSON.stringify({ accuracy, step }, null, 4)}\n`);
  const rows = Array.from({ length: step + 1 }, (_, index) => `${index}\t${(accuracy * (index + 1)) / (step + 1)}`);
  writeFileSync(join(live, 'plots', 'metrics', 'accuracy.tsv'), `step\taccuracy\n${rows.join('\n')}\n`);
};

const shotOnFailure = screenshotOnFailure(() => workbench);

before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'mlc-e2e-dvclive-'));
  writeDvcLive(0.81, 1);
  workbench = await openWorkbench(folder, { name: 'other-tools' });
});

after(async () => {
  await workbench?.close();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

test(
  'the Runs view lists a DVCLive run of a workspace without any pipeline',
  shotOnFailure('dvclive-run-listed', async () => {
    const { page } = workbench;
    await openContainer(page, 'ML');
    await sidebar(page)
      .getByText(/No pipeline found/)
      .first()
      .waitFor({ timeout: 30_000 });
    await sidebar(page)
      .locator('.monaco-list-row', { hasText: /accuracy 0\.81/ })
      .first()
      .waitFor({ timeout: 30_000 });
    await workbench.screenshot('dvclive-run-listed');
  }),
);

test(
  'the run updates on its own when the training script writes new metrics',
  shotOnFailure('dvclive-run-updated', async () => {
    const { page } = workbench;
    writeDvcLive(0.93, 2);
    await sidebar(page)
      .locator('.monaco-list-row', { hasText: /accuracy 0\.93/ })
      .first()
      .waitFor({ timeout: 30_000 });
    await workbench.screenshot('dvclive-run-updated');
  }),
);
