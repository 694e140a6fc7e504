// Run History, Run Details and Compare in the real workbench, on a copy of the churn example with
// runs of three sources: an mlc run (ML: Run Pipeline), a DVCLive folder, and an MLflow file-store
// run named like an XSS probe. Opens each panel from the palette, sorts, filters, stars, exports
// CSV through the save dialog, compares two runs, reloads the window and finds the panels
// restored; asserts no CSP violation and that the hostile name shows as text.
// Screenshots: test-results/screenshots/run-panels-NN-<panel>-<light|dark>.png (each panel in both themes).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  openContainer,
  openWorkbench,
  runCommand,
  screenshotOnFailure,
  sidebar,
  webviewFrame,
} from '../support/vscode/workbench.mjs';
import { workspaceCopy } from '../support/vscode/workspaceCopy.mjs';

const HOSTILE = '<img src=x onerror=alert(1)>';
let workbench;
let folder;
let runCount = 0;
/** The Run Details panel's title (`Run <name>`), to find its tab after the reload. */
let detailsTitle = '';

function writeOtherToolsRuns(root) {
  const write = (path, text) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('notebook/dvclive/params.yaml', 'lr: 0.01\nepochs: 3\n');
  write('notebook/dvclive/metrics.json', '{"accuracy": 0.81, "step": 2}\n');
  write('notebook/dvclive/plots/metrics/accuracy.tsv', 'step\taccuracy\n0\t0.5\n1\t0.7\n2\t0.81\n');
  const run = 'mlruns/0/0123456789abcdef0123456789abcdef';
  write(
    'mlruns/0/meta.yaml',
    "artifact_location: file:///tmp/mlruns/0\ncreation_time: 1700000000000\nexperiment_id: '0'\n" +
      'last_update_time: 1700000000000\nlifecycle_stage: active\nname: Default\n',
  );
  write(
    `${run}/meta.yaml`,
    'artifact_uri: file:///tmp/mlruns/0/0123456789abcdef0123456789abcdef/artifacts\ndeleted_time: null\n' +
      "end_time: 1700000060000\nentry_point_name: ''\nexperiment_id: '0'\nlifecycle_stage: active\n" +
      'run_id: 0123456789abcdef0123456789abcdef\nrun_name: hostile\nrun_uuid: 0123456789abcdef0123456789abcdef\n' +
      "source_name: ''\nsource_type: 4\nsource_version: ''\nstart_time: 1700000000000\nstatus: 3\ntags: []\nuser_id: user\n",
  );
  write(`${run}/tags/mlflow.runName`, HOSTILE);
  write(`${run}/params/lr`, '0.1');
  write(`${run}/metrics/accuracy`, '1700000001000 0.77 0\n');
}

const shotOnFailure = screenshotOnFailure(() => workbench);
/** 'dark' or 'light', from the workbench's theme class, for screenshot names. */
const themeKind = async (page) => ((await page.locator('.monaco-workbench.vs-dark').count()) > 0 ? 'dark' : 'light');
const panelTab = (page, title) => page.locator('.tabs-container .tab', { hasText: title }).first();

before(async () => {
  folder = workspaceCopy('churn');
  writeOtherToolsRuns(folder);
  workbench = await openWorkbench(folder, { name: 'run-panels' });
});

after(async () => {
  await workbench?.close();
});

test(
  'Run History lists every source, renders the hostile name as text, sorts, filters and stars',
  shotOnFailure('history', async () => {
    const { page } = workbench;
    await openContainer(page, 'ML');
    // The palette lists ML commands once the extension is active (their `when` is mlc.active).
    await sidebar(page).getByText('prepare', { exact: true }).first().waitFor({ timeout: 60_000 });
    await runCommand(page, 'ML: Run Pipeline');
    await sidebar(page)
      .getByText(/succeeded/)
      .first()
      .waitFor({ timeout: 120_000 });
    await runCommand(page, 'ML: Show Run History');
    const frame = webviewFrame(page);
    await frame.getByText(/^\d+ of \d+ runs/).waitFor({ timeout: 60_000 });
    const countText = await frame.getByText(/^\d+ of \d+ runs/).textContent();
    runCount = Number(/^(\d+) of/.exec(countText)[1]);
    assert.ok(runCount >= 3, `runs of three sources are listed (${countText})`);
    const hostile = frame.locator('[role=gridcell]', { hasText: HOSTILE }).first();
    assert.equal(await hostile.textContent(), HOSTILE);
    assert.equal(await frame.locator('img').count(), 0);
    await workbench.screenshot(`history-${await themeKind(page)}`);

    await frame.locator('[role=columnheader][data-column="metric:accuracy"]').click();
    assert.equal(await frame.locator('[data-column="metric:accuracy"]').getAttribute('aria-sort'), 'ascending');
    await frame.getByLabel('Filter runs').fill('source == dvclive');
    await frame.getByText(new RegExp(`^1 of ${runCount} runs`)).waitFor();
    await frame.getByLabel('Filter runs').fill('');
    await frame.getByText(new RegExp(`^${runCount} of ${runCount} runs`)).waitFor();

    await hostile.click();
    await frame.getByRole('button', { name: 'Star', exact: true }).click();
    await frame.locator('[role=gridcell].star', { hasText: '★' }).first().waitFor({ timeout: 30_000 });
    const annotations = JSON.parse(readFileSync(join(folder, '.mlc', 'annotations.json'), 'utf8'));
    assert.equal(annotations.runs['mlflow:0123456789abcdef0123456789abcdef'].starred, true);
  }),
);

test(
  'the shown rows export to a CSV file chosen in the save dialog',
  shotOnFailure('export', async () => {
    const { page } = workbench;
    const frame = webviewFrame(page);
    await frame.getByRole('button', { name: 'Export CSV…' }).click();
    // code-server's save dialog is the simple file dialog: a path in the quick input.
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 30_000 });
    // It offers runs.csv in the workspace first; typing before that shows would be overwritten.
    const offerDeadline = Date.now() + 30_000;
    while (!(await input.inputValue()).endsWith('runs.csv') && Date.now() < offerDeadline) {
      await new Promise((resume) => setTimeout(resume, 100));
    }
    const target = join(folder, 'exported-runs.csv');
    await input.fill(target);
    await page.keyboard.press('Enter');
    const deadline = Date.now() + 30_000;
    while (!existsSync(target) && Date.now() < deadline) await new Promise((resume) => setTimeout(resume, 200));
    const csv = readFileSync(target, 'utf8');
    assert.match(csv.split('\r\n')[0], /^starred,status,name,source,started,duration,commit/);
    assert.equal(csv.trimEnd().split('\r\n').length, runCount + 1, 'a header and every shown run');
    assert.ok(csv.includes(HOSTILE));
  }),
);

test(
  'two runs compare side by side; Run Details opens from a row',
  shotOnFailure('compare', async () => {
    const { page } = workbench;
    const frame = webviewFrame(page);
    const rows = frame.locator('.grid-row:not([hidden])');
    await rows.nth(0).click();
    await rows.nth(1).click({ modifiers: ['Control'] });
    await frame.getByRole('button', { name: 'Compare', exact: true }).click();
    await panelTab(page, 'Compare Runs').waitFor({ timeout: 30_000 });
    await webviewFrame(page).getByRole('heading', { name: 'Compare 2 runs' }).waitFor({ timeout: 30_000 });
    await workbench.screenshot(`compare-${await themeKind(page)}`);

    await panelTab(page, 'Run History').click();
    await webviewFrame(page).locator('.grid-row:not([hidden])').first().dblclick();
    const detailsHeading = webviewFrame(page).getByRole('heading', { name: /^Run / });
    await detailsHeading.waitFor({ timeout: 30_000 });
    detailsTitle = await detailsHeading.textContent();
    await workbench.screenshot(`details-${await themeKind(page)}`);
  }),
);

test(
  'the panels come back after a window reload, and screenshots in the other theme',
  shotOnFailure('reload', async () => {
    const { page } = workbench;
    await runCommand(page, 'Developer: Reload Window');
    await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    await panelTab(page, 'Run History').waitFor({ timeout: 90_000 });
    await panelTab(page, 'Compare Runs').waitFor({ timeout: 30_000 });
    await panelTab(page, 'Run History').click();
    await webviewFrame(page)
      .getByText(new RegExp(`of ${runCount} runs`))
      .waitFor({ timeout: 60_000 });
    const themeBefore = await themeKind(page);
    await runCommand(page, 'Preferences: Toggle between Light/Dark Themes');
    const themeDeadline = Date.now() + 15_000;
    while ((await themeKind(page)) === themeBefore && Date.now() < themeDeadline) {
      await new Promise((resume) => setTimeout(resume, 100));
    }
    assert.notEqual(await themeKind(page), themeBefore, 'the theme switched');
    await workbench.screenshot(`history-${await themeKind(page)}`);
    await panelTab(page, 'Compare Runs').click();
    await webviewFrame(page).getByRole('heading', { name: 'Compare 2 runs' }).waitFor({ timeout: 30_000 });
    await workbench.screenshot(`compare-${await themeKind(page)}`);
    // Run Details came back too (its serializer restores the run it showed).
    await panelTab(page, detailsTitle).click();
    await webviewFrame(page).getByRole('heading', { name: detailsTitle, exact: true }).waitFor({ timeout: 30_000 });
    await workbench.screenshot(`details-${await themeKind(page)}`);
    // The workbench page has a CSP of its own (with 'unsafe-eval') that VS Code's UI itself trips
    // over; a panel's policy has no 'unsafe-eval', so its violations are the other lines.
    const violations = workbench.consoleLines.filter(
      (line) => /Content Security Policy|Refused to/i.test(line) && !line.includes("'unsafe-eval'"),
    );
    assert.deepEqual(violations, [], 'no CSP violation in a panel');
    // An inline handler anywhere means a run value was parsed as HTML (the Runs view's tooltip
    // once was: VS Code builds its plain-text form through a detached element).
    const inlineHandlers = workbench.consoleLines.filter((line) => line.includes('inline event handler'));
    assert.deepEqual(inlineHandlers, [], 'no run value parsed as HTML in the workbench');
  }),
);
