// Restricted Mode: the ML container still shows the pipeline and its stages read-only, and asking
// to run explains why nothing runs, with a button to manage workspace trust. Nothing is executed.
// Screenshots: test-results/screenshots/restricted-NN-<label>.png.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openContainer, openWorkbench, runCommand, sidebar } from '../support/vscode/workbench.mjs';
import { workspaceCopy } from '../support/vscode/workspaceCopy.mjs';

let workbench;
let folder;

before(async () => {
  folder = workspaceCopy('churn');
  workbench = await openWorkbench(folder, { trust: 'restricted', name: 'restricted' });
});

after(async () => {
  await workbench?.close();
});

test('in Restricted Mode the views show the stages read-only', async () => {
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
});

test('ML: Run Pipeline runs nothing and explains why, offering Manage Workspace Trust', async () => {
  const { page } = workbench;
  await runCommand(page, 'ML: Run Pipeline');
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: /Restricted Mode/ }).first();
  await toast.waitFor({ timeout: 15_000 });
  await toast.getByRole('button', { name: 'Manage Workspace Trust' }).waitFor();
  await workbench.screenshot('restricted-run-refused');
  await page.waitForTimeout(1000);
  assert.ok(!existsSync(join(folder, '.mlc/runs')), 'a run was recorded in Restricted Mode');
  assert.ok(!existsSync(join(folder, 'data/train.csv')), 'a stage ran in Restricted Mode');
});
