// The ML container end to end, as a person uses it on the churn example: see the stages, run one
// from its CodeLens, run the whole pipeline from the command palette, watch states and the Runs
// view update, then break the pipeline file and find the problem in the Problems panel.
// Screenshots: test-results/screenshots/surface-NN-<label>.png.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  openContainer,
  openFile,
  openWorkbench,
  runCommand,
  webviewFrame,
  screenshotOnFailure,
  sidebar,
} from '../support/vscode/workbench.mjs';
import { workspaceCopy } from '../support/vscode/workspaceCopy.mjs';

const STAGES = ['prepare', 'train', 'evaluate'];
let workbench;
let folder;

/** The tree row of a stage in the Pipelines view. */
const stageRow = (page, name) =>
  sidebar(page)
    .locator('.monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${name}$`) }) })
    .first();

const descriptionOf = async (page, name) =>
  (await stageRow(page, name).locator('.label-description').textContent({ timeout: 5000 }))?.trim() ?? '';

async function waitForDescription(page, name, pattern, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await descriptionOf(page, name).catch(() => '');
    if (pattern.test(last)) return last;
    await page.waitForTimeout(250);
  }
  assert.fail(`stage ${name}: description "${last}" never matched ${pattern}`);
}

const shotOnFailure = screenshotOnFailure(() => workbench);

before(async () => {
  folder = workspaceCopy('churn');
  workbench = await openWorkbench(folder, { name: 'surface' });
});

after(async () => {
  await workbench?.close();
});

test(
  'the ML container lists the pipeline file and its stages with their state',
  shotOnFailure('the-ml-container-lists-the-pipeline-file', async () => {
    const { page } = workbench;
    await openContainer(page, 'ML');
    for (const name of STAGES) await waitForDescription(page, name, /^never run/, 30_000);
    await sidebar(page).getByText('mlc.yaml').first().waitFor();
    await workbench.screenshot('ml-sidebar');
  }),
);

test(
  'the Run stage CodeLens over prepare runs it and the stage turns up to date',
  shotOnFailure('the-run-stage-codelens-over-prepare-runs', async () => {
    const { page } = workbench;
    await openFile(page, 'mlc.yaml');
    const lens = page.locator('.contentWidgets .codelens-decoration a', { hasText: '▶ Run stage' }).first();
    await lens.waitFor({ timeout: 30_000 });
    await workbench.screenshot('codelens');
    await lens.click();
    await page
      .locator('.terminal-tab, .single-terminal-tab, .tabs-list', { hasText: 'mlc: prepare' })
      .first()
      .waitFor({ timeout: 30_000 })
      .catch(() => {});
    await waitForDescription(page, 'prepare', /^up to date/);
    assert.match(await descriptionOf(page, 'train'), /^never run/);
    await workbench.screenshot('codelens-ran-prepare');
  }),
);

test(
  'ML: Run Pipeline runs the rest, the stages turn up to date and the run shows in the Runs view',
  shotOnFailure('ml-run-pipeline-runs-the-rest-the-stages', async () => {
    const { page } = workbench;
    await runCommand(page, 'ML: Run Pipeline');
    // The status bar shows the running stage while the run goes on.
    await page
      .locator('#workbench\\.parts\\.statusbar')
      .getByText(/mlc: (train|evaluate|starting)/)
      .first()
      .waitFor({ timeout: 30_000 })
      .catch(() => {});
    await workbench.screenshot('run-pipeline-running');
    for (const name of STAGES) await waitForDescription(page, name, /^up to date/);
    // The Runs view lists newest first: the pipeline's run (train and evaluate; prepare ran
    // before from its CodeLens) is the first row.
    const runsPane = sidebar(page).locator('.pane', { has: page.locator('.pane-header', { hasText: 'Runs' }) });
    const runRow = runsPane.locator('.monaco-list-row').first();
    await runRow.locator('.label-description', { hasText: /^succeeded/ }).waitFor({ timeout: 30_000 });
    // Let the CodeLenses catch up with the tree (VS Code refreshes them on its own schedule).
    await page
      .locator('.contentWidgets .codelens-decoration', { hasText: 'running' })
      .first()
      .waitFor({ state: 'detached', timeout: 15_000 });
    assert.ok(existsSync(join(folder, 'models/model.json')), 'the pipeline wrote no model');
    assert.ok(
      readdirSync(join(folder, '.mlc/runs')).length >= 2,
      'two runs (prepare, then the pipeline) were recorded',
    );
    await workbench.screenshot('pipeline-up-to-date-and-run');
    await runRow.click();
    // The Run Details panel (a webview) shows the run.
    await page.locator('.tabs-container .tab', { hasText: /^Run / }).first().waitFor({ timeout: 15_000 });
    await webviewFrame(page).getByText('succeeded', { exact: true }).first().waitFor({ timeout: 30_000 });
    await workbench.screenshot('run-details');
  }),
);

test(
  'breaking mlc.yaml shows the problem in the Problems panel while typing',
  shotOnFailure('breaking-mlc-yaml-shows-the-problem-in-t', async () => {
    const { page } = workbench;
    // The run details are open beside mlc.yaml: bring mlc.yaml's tab to the front first.
    await openFile(page, 'mlc.yaml');
    const tab = page.locator('.tabs-container .tab', { hasText: 'mlc.yaml' }).first();
    await tab.click();
    await page.locator('.tabs-container .tab.active', { hasText: 'mlc.yaml' }).first().waitFor();
    await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
    // Misspell the train stage's `runner:` key (line 42, column 5) without saving.
    await page.keyboard.press('Control+G');
    await page.keyboard.type('42:5');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Delete');
    await page.keyboard.press('Delete');
    await page.keyboard.press('Delete');
    await page.keyboard.press('Delete');
    await page.keyboard.press('Delete');
    await page.keyboard.press('Delete');
    await page.keyboard.type('runnr');
    await page.keyboard.press('Control+Shift+M');
    const problems = page.locator('.markers-panel');
    await problems.getByText(/runnr/).first().waitFor({ timeout: 30_000 });
    await workbench.screenshot('problems-panel');
    // Put the key back: the problem goes away, still unsaved.
    await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+G');
    await page.keyboard.type('42:5');
    await page.keyboard.press('Enter');
    for (let index = 0; index < 5; index++) await page.keyboard.press('Delete');
    await page.keyboard.type('runner');
    await problems.getByText(/runnr/).first().waitFor({ state: 'detached', timeout: 30_000 });
  }),
);
