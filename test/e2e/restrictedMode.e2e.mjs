// Restricted Mode: the ML container still shows the pipeline and its stages read-only, and asking
// to run explains why nothing runs, with a button to manage workspace trust. Nothing is executed.
// Screenshots: test-results/screenshots/restricted-NN-<label>.png.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  findNotification,
  grantWorkspaceTrust,
  openContainer,
  openWorkbench,
  runCommand,
  screenshotOnFailure,
  sidebar,
} from '../support/vscode/workbench.mjs';
import { workspaceCopy } from '../support/vscode/workspaceCopy.mjs';

let workbench;
let folder;

const shotOnFailure = screenshotOnFailure(() => workbench);

before(async () => {
  folder = workspaceCopy('churn');
  workbench = await openWorkbench(folder, { trust: 'restricted', name: 'restricted' });
});

after(async () => {
  await workbench?.close();
});

test(
  'in Restricted Mode the views show the stages read-only',
  shotOnFailure('in-restricted-mode-the-views-show-the-st', async () => {
    const { page } = workbench;
    await openContainer(page, 'ML');
    for (const name of ['prepare', 'train', 'evaluate']) {
      await sidebar(page)
        .locator('.label-name', { hasText: new RegExp(`^${name}$`) })
        .first()
        .waitFor({ timeout: 30_000 });
    }
    await sidebar(page)
      .getByText(/Restricted Mode: read-only/)
      .first()
      .waitFor({ timeout: 15_000 });
    await workbench.screenshot('restricted-sidebar');
  }),
);

test(
  'ML: Run Pipeline runs nothing and explains why, offering Manage Workspace Trust',
  shotOnFailure('ml-run-pipeline-runs-nothing-and-explain', async () => {
    const { page } = workbench;
    await runCommand(page, 'ML: Run Pipeline');
    // The explanation is a warning notification (a toast, or an entry behind the bell).
    const notification = await findNotification(page, /mlc cannot run the pipeline in Restricted Mode/);
    await notification.getByRole('button', { name: 'Manage Workspace Trust' }).waitFor();
    await workbench.screenshot('restricted-run-refused');
    await page.waitForTimeout(1000);
    assert.ok(!existsSync(join(folder, '.mlc/runs')), 'a run was recorded in Restricted Mode');
    assert.ok(!existsSync(join(folder, 'data/train.csv')), 'a stage ran in Restricted Mode');
  }),
);

test(
  'once the workspace is trusted, the views lose the read-only note and ML: Run Pipeline runs',
  shotOnFailure('once-trusted-the-pipeline-runs', async () => {
    const { page } = workbench;
    await grantWorkspaceTrust(page);
    await sidebar(page)
      .getByText(/Restricted Mode: read-only/)
      .first()
      .waitFor({ state: 'detached', timeout: 15_000 });
    await runCommand(page, 'ML: Run Pipeline');
    const evaluate = sidebar(page)
      .locator('.monaco-list-row')
      .filter({ has: page.locator('.label-name', { hasText: /^evaluate$/ }) })
      .first();
    await evaluate.locator('.label-description', { hasText: /^up to date/ }).waitFor({ timeout: 90_000 });
    assert.ok(existsSync(join(folder, 'models/model.json')), 'the pipeline did not run after trust was granted');
    await workbench.screenshot('trusted-pipeline-ran');
  }),
);
