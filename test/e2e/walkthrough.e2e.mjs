// First contact: an empty folder, the Get Started walkthrough of mlc, its Create Pipeline button
// (a starter project), then ML: Run Pipeline and the run in the Runs view. The folder is a fresh
// temp folder outside the repository, as a new user's would be. Then a NaN learning rate fires
// the starter pipeline's NaN alert.
// Screenshots: test-results/screenshots/walkthrough-NN-<label>.png.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  findNotification,
  openContainer,
  openWorkbench,
  runCommand,
  screenshotOnFailure,
  sidebar,
  statusBar,
} from '../support/vscode/workbench.mjs';

let workbench;
let folder;

const shotOnFailure = screenshotOnFailure(() => workbench);

before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'mlc-e2e-first-run-'));
  workbench = await openWorkbench(folder, { name: 'walkthrough' });
});

after(async () => {
  await workbench?.close();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

/** The walkthrough page (the Welcome editor), found by its step titles. */
const walkthroughStep = (page, title) =>
  page.locator('.gettingStartedContainer .getting-started-step', { hasText: title }).first();

test(
  'the Get Started walkthrough of mlc opens from the palette with its steps',
  shotOnFailure('walkthrough-opened', async () => {
    const { page } = workbench;
    // Welcome: Open Walkthrough… asks which walkthrough in a second quick pick.
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 30_000 });
    await input.fill('>Welcome: Open Walkthrough');
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: /Open Walkthrough/ })
      .first()
      .waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    const choice = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Get Started with ML Lifecycle' });
    await choice.first().waitFor({ timeout: 30_000 });
    await choice.first().click();
    for (const title of ['Bring or create a pipeline', 'Run it', 'See the run and its charts', 'Run it in CI']) {
      await walkthroughStep(page, title).waitFor({ timeout: 30_000 });
    }
    // The first step is open, with its Create Pipeline button and the Markdown beside it.
    await page.getByRole('button', { name: 'Create Pipeline' }).first().waitFor({ timeout: 30_000 });
    await workbench.screenshot('walkthrough-opened');
  }),
);

test(
  "the first step's Create Pipeline writes a starter project, and ML: Run Pipeline gives a first run",
  shotOnFailure('first-run', async () => {
    const { page } = workbench;
    await page.getByRole('button', { name: 'Create Pipeline' }).first().click();
    const deadline = Date.now() + 30_000;
    while (!existsSync(join(folder, 'mlc.yaml')) && Date.now() < deadline) await page.waitForTimeout(200);
    for (const file of ['mlc.yaml', 'params.yaml', 'train.py']) assert.ok(existsSync(join(folder, file)), file);
    await openContainer(page, 'ML');
    await sidebar(page)
      .locator('.label-name', { hasText: /^train$/ })
      .first()
      .waitFor({ timeout: 60_000 });
    await runCommand(page, 'ML: Run Pipeline');
    await sidebar(page)
      .locator('.monaco-list-row', { hasText: /succeeded/ })
      .first()
      .waitFor({ timeout: 90_000 });
    await sidebar(page)
      .locator('.monaco-list-row', { hasText: /loss 0\.\d+/ })
      .first()
      .waitFor({ timeout: 30_000 });
    await workbench.screenshot('first-run');
  }),
);

test(
  'a NaN loss fires the alert: a notification with Show Charts and the alerts status bar item',
  shotOnFailure('alert', async () => {
    const { page } = workbench;
    const params = readFileSync(join(folder, 'params.yaml'), 'utf8');
    writeFileSync(join(folder, 'params.yaml'), params.replace(/lr: [\d.]+/, 'lr: .nan'));
    await runCommand(page, 'ML: Run Pipeline');
    await sidebar(page)
      .locator('.monaco-list-row', { hasText: /⚠ 1 alert · succeeded/ })
      .first()
      .waitFor({ timeout: 90_000 });
    const notification = await findNotification(page, /ML alert: loss is NaN at step 1 of train/);
    await notification.getByRole('button', { name: 'Show Charts' }).waitFor({ timeout: 10_000 });
    await statusBar(page)
      .getByText(/1 alert/)
      .first()
      .waitFor({ timeout: 30_000 });
    await workbench.screenshot('alert');
  }),
);
