// Run History, Run Details and Compare in the real workbench, on a copy of the churn example with
// runs of three sources: an mlc run (ML: Run Pipeline), a DVCLive folder, and an MLflow file-store
// run named like an XSS probe. Opens each panel from the palette, sorts, filters, stars, exports
// CSV through the save dialog, compares two runs, reloads the window and finds the panels
// restored; asserts no CSP violation and that the hostile name shows as text.
// Screenshots: test-results/screenshots/run-panels-NN-<panel>-<light|dark>.png (each panel in both themes).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  openContainer,
  openWorkbench,
  runCommand,
  screenshotOnFailure,
  selectColourTheme,
  sidebar,
  webviewFrame,
} from '../support/vscode/workbench.mjs';
import { QUIET_CHARTS, workspaceCopy } from '../support/vscode/workspaceCopy.mjs';

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
const MLC_RUN_NAME = 'prepare, train, evaluate';
/** mlc's run records on disk: id -> run.json. */
const mlcRuns = () => {
  const runs = join(folder, '.mlc', 'runs');
  return new Map(
    (existsSync(runs) ? readdirSync(runs) : [])
      .filter((id) => existsSync(join(runs, id, 'run.json')))
      .map((id) => [id, JSON.parse(readFileSync(join(runs, id, 'run.json'), 'utf8'))]),
  );
};
const until = async (condition, what, timeout = 120_000) => {
  const deadline = Date.now() + timeout;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resume) => setTimeout(resume, 250));
  }
};
/** Answers the workbench's modal dialog with `button`; resolves with the dialog's text. */
const answerDialog = async (page, button) => {
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 30_000 });
  const text = await dialog.innerText();
  await dialog.getByRole('button', { name: button, exact: true }).click();
  return text;
};

before(async () => {
  folder = workspaceCopy('churn', { settings: QUIET_CHARTS });
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
    await input.press('Enter');
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

test(
  'Rerun in Run Details writes the recorded params back after the confirmation and runs with them',
  shotOnFailure('rerun', async () => {
    const { page } = workbench;
    const paramsFile = join(folder, 'params.yaml');
    const original = readFileSync(paramsFile, 'utf8');
    const [firstId, firstRun] = [...mlcRuns()][0];
    assert.equal(firstRun.params['train.lr'], 0.5);
    writeFileSync(paramsFile, original.replace('lr: 0.5', 'lr: 0.25'));

    await panelTab(page, 'Run History').click();
    await webviewFrame(page).locator(`.grid-row[data-run-id="${firstId}"]`).dblclick();
    const heading = webviewFrame(page).getByRole('heading', { name: `Run ${MLC_RUN_NAME}`, exact: true });
    await heading.waitFor({ timeout: 30_000 });
    await webviewFrame(page).getByRole('button', { name: 'Rerun', exact: true }).click();
    const shown = await answerDialog(page, 'Write Params and Rerun');
    assert.match(shown, /params\.yaml:\s+train\.lr: 0\.25 -> 0\.5/, 'the dialog lists the change');
    // The extension writes once the dialog has closed: wait for the file, then compare it whole.
    await until(() => readFileSync(paramsFile, 'utf8').includes('lr: 0.5'), 'params.yaml to be written', 30_000);
    assert.equal(readFileSync(paramsFile, 'utf8'), original, 'the recorded value is back, comments kept');
    await until(
      () => [...mlcRuns().values()].some((run) => run.id !== firstId && run.status === 'succeeded'),
      'the rerun to succeed',
    );
    const rerun = [...mlcRuns().values()].find((run) => run.id !== firstId);
    assert.deepEqual(rerun.params, firstRun.params, 'the rerun recorded the same params');
  }),
);

test(
  'tags, a Markdown export, and deleting an mlc run after the confirmation',
  shotOnFailure('annotate-delete', async () => {
    const { page } = workbench;
    const [firstId] = [...mlcRuns()][0];
    await panelTab(page, 'Run History').click();
    const frame = webviewFrame(page);
    await frame.locator(`.grid-row[data-run-id="${firstId}"]`).click();
    await frame.getByRole('button', { name: 'Tags…', exact: true }).click();
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 30_000 });
    await input.fill('baseline, churn');
    // The box stays open, with what was typed, while the Run History panel has the focus (VS Code
    // closes a quick input on blur unless told otherwise; the panel that opened it can take the
    // focus back).
    await frame.getByLabel('Filter runs').focus();
    await page.waitForTimeout(500);
    assert.ok(await input.isVisible(), 'the Tags box stays open while the panel has the focus');
    assert.equal(await input.inputValue(), 'baseline, churn');
    await input.press('Enter');
    await until(() => {
      const annotations = JSON.parse(readFileSync(join(folder, '.mlc', 'annotations.json'), 'utf8'));
      return annotations.runs[firstId]?.tags?.join(',') === 'baseline,churn';
    }, 'the tags to be saved');
    await frame.locator('[role=gridcell]', { hasText: 'baseline, churn' }).first().waitFor({ timeout: 30_000 });

    await frame.getByRole('button', { name: 'Export Markdown…' }).click();
    await input.waitFor({ timeout: 30_000 });
    await until(async () => (await input.inputValue()).endsWith('runs.md'), 'the save dialog', 30_000);
    const target = join(folder, 'exported-runs.md');
    await input.fill(target);
    await input.press('Enter');
    await until(() => existsSync(target), 'the Markdown file', 30_000);
    const markdown = readFileSync(target, 'utf8').trimEnd().split('\n');
    assert.match(markdown[0], /^\| starred \| status \| name \|/);
    assert.match(markdown[1], /^\|(---\|)+$/);
    assert.ok(markdown.some((line) => line.includes('baseline, churn')));

    await frame.locator(`.grid-row[data-run-id="${firstId}"]`).click();
    await frame.getByRole('button', { name: 'Delete…', exact: true }).click();
    const shown = await answerDialog(page, 'Delete');
    assert.match(shown, new RegExp(`Delete the mlc run ${firstId}`));
    await until(() => !existsSync(join(folder, '.mlc', 'runs', firstId)), 'the run folder to go', 30_000);
    // Rows are pooled: a row element that showed the run stays, hidden, for the next run to use.
    const shownRow = frame.locator(`.grid-row:not([hidden])[data-run-id="${firstId}"]`);
    await until(async () => (await shownRow.count()) === 0, 'the row to go', 30_000);
  }),
);

test(
  'the panels in the high-contrast theme',
  shotOnFailure('high-contrast', async () => {
    const { page } = workbench;
    await selectColourTheme(page, 'Dark High Contrast');
    await page.locator('.monaco-workbench.hc-black').waitFor({ timeout: 15_000 });
    await panelTab(page, 'Run History').click();
    await webviewFrame(page)
      .getByText(/ of \d+ runs/)
      .waitFor({ timeout: 30_000 });
    await webviewFrame(page).locator('.grid-row:not([hidden])').first().click();
    await workbench.screenshot('history-high-contrast');
    await panelTab(page, 'Compare Runs').click();
    await webviewFrame(page)
      .getByRole('heading', { name: /^Compare \d runs$/ })
      .waitFor({ timeout: 30_000 });
    await workbench.screenshot('compare-high-contrast');
    // Run Details of the rerun (the run the earlier Details tab showed was deleted).
    await panelTab(page, 'Run History').click();
    await webviewFrame(page).locator('.grid-row:not([hidden])', { hasText: MLC_RUN_NAME }).first().dblclick();
    await webviewFrame(page)
      .getByRole('heading', { name: `Run ${MLC_RUN_NAME}`, exact: true })
      .waitFor({ timeout: 30_000 });
    await workbench.screenshot('details-high-contrast');
  }),
);
