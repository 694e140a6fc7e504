// The Pipeline Graph in the real workbench, on a copy of the churn example: open it from the
// Pipelines view's title button, click a node and land on the stage's line in mlc.yaml, run a
// stage from its node and see its colour change, no CSP violation; a 200-stage pipeline added to
// the workspace is laid out in the page's layout worker (the panel's CSP lets it start). Screenshots:
// test-results/screenshots/pipeline-graph-NN-<label>-<light|dark>.png (both themes).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  openContainer,
  openWorkbench,
  runCommand,
  screenshotOnFailure,
  sidebar,
  statusBar,
  webviewFrame,
} from '../support/vscode/workbench.mjs';
import { QUIET_CHARTS, workspaceCopy } from '../support/vscode/workspaceCopy.mjs';

let workbench;
let folder;
const shotOnFailure = screenshotOnFailure(() => workbench);
const themeKind = async (page) => ((await page.locator('.monaco-workbench.vs-dark').count()) > 0 ? 'dark' : 'light');
const graphTab = (page) => page.locator('.tabs-container .tab', { hasText: 'Pipeline Graph' }).first();
const node = (frame, id) => frame.locator(`.node[data-id="${id}"]`);
const strokeOf = (frame, id) =>
  node(frame, id)
    .locator('.box')
    .evaluate((box) => getComputedStyle(box).stroke);

before(async () => {
  folder = workspaceCopy('churn', { settings: QUIET_CHARTS });
  workbench = await openWorkbench(folder, { name: 'pipeline-graph' });
});

after(async () => {
  await workbench?.close();
});

test(
  'the graph opens from the Pipelines view and draws the three stages with their state',
  shotOnFailure('open', async () => {
    const { page } = workbench;
    await openContainer(page, 'ML');
    await sidebar(page).getByText('prepare', { exact: true }).first().waitFor({ timeout: 60_000 });
    // A view's title actions show while the pointer is over its header.
    const header = sidebar(page).locator('.pane-header', { hasText: 'Pipelines' }).first();
    await header.hover();
    await header.getByRole('button', { name: 'Show Pipeline Graph' }).click({ timeout: 30_000 });
    await graphTab(page).waitFor({ timeout: 30_000 });
    const frame = webviewFrame(page);
    for (const stage of ['prepare', 'train', 'evaluate']) {
      await node(frame, stage).waitFor({ timeout: 60_000 });
    }
    await frame.locator('.node[data-id="train"][data-state="never-run"]').waitFor({ timeout: 60_000 });
    assert.equal(await frame.locator('path.edge').count(), 3, 'prepare -> train -> evaluate, prepare -> evaluate');
    await workbench.screenshot(`graph-${await themeKind(page)}`);
  }),
);

test(
  "clicking a node opens mlc.yaml at the stage's line",
  shotOnFailure('open-stage', async () => {
    const { page } = workbench;
    await node(webviewFrame(page), 'train').locator('.box').click();
    await page.locator('.tabs-container .tab.active', { hasText: 'mlc.yaml' }).waitFor({ timeout: 30_000 });
    await statusBar(page)
      .getByText(/^Ln 23, Col 3/)
      .waitFor({ timeout: 30_000 });
  }),
);

test(
  'running a stage from its node turns it up to date, in another colour',
  shotOnFailure('run', async () => {
    const { page } = workbench;
    await graphTab(page).click();
    const frame = webviewFrame(page);
    await node(frame, 'prepare').waitFor({ timeout: 30_000 });
    const before = await strokeOf(frame, 'prepare');
    await node(frame, 'prepare').hover();
    await frame.getByRole('tooltip').getByText('never run').waitFor({ timeout: 30_000 });
    await node(frame, 'prepare').locator('[data-action="run"]').click();
    await page
      .locator('.terminal-tab, .single-terminal-tab, .tabs-list', { hasText: 'mlc: prepare' })
      .first()
      .waitFor({ timeout: 30_000 })
      .catch(() => {});
    await graphTab(page).click();
    await webviewFrame(page).locator('.node[data-id="prepare"][data-state="up-to-date"]').waitFor({ timeout: 120_000 });
    const after = await strokeOf(webviewFrame(page), 'prepare');
    assert.notEqual(after, before, `the colour changed (${before} -> ${after})`);
    assert.equal(await node(webviewFrame(page), 'train').getAttribute('data-state'), 'never-run');
    await workbench.screenshot(`ran-prepare-${await themeKind(page)}`);
  }),
);

test(
  'the other theme, and no CSP violation',
  shotOnFailure('theme', async () => {
    const { page } = workbench;
    const themeBefore = await themeKind(page);
    await runCommand(page, 'Preferences: Toggle between Light/Dark Themes');
    const deadline = Date.now() + 15_000;
    while ((await themeKind(page)) === themeBefore && Date.now() < deadline) await page.waitForTimeout(100);
    assert.notEqual(await themeKind(page), themeBefore, 'the theme switched');
    await graphTab(page).click();
    await node(webviewFrame(page), 'prepare').waitFor({ timeout: 30_000 });
    await workbench.screenshot(`graph-${await themeKind(page)}`);
    // The workbench's own CSP (with 'unsafe-eval') is tripped by VS Code itself; a panel's is not.
    const violations = workbench.consoleLines.filter(
      (line) => /Content Security Policy|Refused to/i.test(line) && !line.includes("'unsafe-eval'"),
    );
    assert.deepEqual(violations, [], 'no CSP violation in the panel');
  }),
);

test(
  'a 200-stage pipeline is laid out in the layout worker of the real webview',
  shotOnFailure('big', async () => {
    const { page } = workbench;
    // Each stage reads the outputs of the one and the seven before it (never run: nothing executes).
    const stages = Array.from({ length: 200 }, (_, index) => {
      const deps = [index - 1, index - 7].filter((before) => before >= 0).map((before) => `out/s${before}.txt`);
      return `  s${index}:\n    cmd: echo ${index} > out/s${index}.txt\n    deps: [${deps.join(', ')}]\n    outs: [out/s${index}.txt]\n`;
    });
    mkdirSync(join(folder, 'big'), { recursive: true });
    writeFileSync(join(folder, 'big', 'mlc.yaml'), `stages:\n${stages.join('')}`);
    await graphTab(page).click();
    const frame = webviewFrame(page);
    await frame.getByText('203 stages').waitFor({ timeout: 60_000 });
    // Addresses carry the pipeline file (`big/mlc.yaml:s199`).
    await frame.locator('.node[data-id$="s199"]').waitFor({ state: 'attached', timeout: 60_000 });
    assert.equal(await frame.locator('.node').count(), 203);
    assert.equal(await frame.locator('.viewport').getAttribute('data-layout-thread'), 'worker');
    await workbench.screenshot(`graph-200-${await themeKind(page)}`);
    const violations = workbench.consoleLines.filter(
      (line) => /Content Security Policy|Refused to/i.test(line) && !line.includes("'unsafe-eval'"),
    );
    assert.deepEqual(violations, [], 'no CSP violation in the panel');
  }),
);
