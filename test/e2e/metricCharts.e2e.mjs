// Metric Charts in the real workbench, on a copy of the churn example (train slowed to 1 s per
// epoch) with runs of three other tools beside it: an MLflow file-store run, a DVCLive folder and a
// TensorBoard event file (written by the test/support writer, as PyTorch writes it). ML: Run
// Pipeline opens the panel beside mlc.yaml by itself (mlc.charts.openOnRun) and the training curve
// grows while the run goes on; then the other tools' runs are overlaid, the x axis switched, a run
// toggled off; no CSP violation.
// Screenshots: test-results/screenshots/metric-charts-NN-<label>-<light|dark>.png (both themes;
// the live run in high contrast too).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot } from '../support/vscode/toolchain.mjs';
import {
  openContainer,
  openFile,
  openWorkbench,
  runCommand,
  screenshotOnFailure,
  selectColourTheme,
  sidebar,
  webviewFrame,
} from '../support/vscode/workbench.mjs';
import { workspaceCopy } from '../support/vscode/workspaceCopy.mjs';

const MLFLOW_RUN = '0123456789abcdef0123456789abcdef';
let workbench;
let folder;

function writeOtherToolsRuns(root) {
  const write = (path, text) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const losses = Array.from({ length: 40 }, (_, step) => 0.7 / (1 + step * 0.1));
  write('notebook/dvclive/params.yaml', 'lr: 0.01\n');
  write('notebook/dvclive/metrics.json', `{"loss": ${losses.at(-1)}, "step": 39}\n`);
  write(
    'notebook/dvclive/plots/metrics/loss.tsv',
    `step\tloss\n${losses.map((loss, step) => `${step}\t${loss * 1.1}`).join('\n')}\n`,
  );
  const run = `mlruns/0/${MLFLOW_RUN}`;
  write(
    'mlruns/0/meta.yaml',
    "artifact_location: file:///tmp/mlruns/0\ncreation_time: 1700000000000\nexperiment_id: '0'\n" +
      'last_update_time: 1700000000000\nlifecycle_stage: active\nname: Default\n',
  );
  write(
    `${run}/meta.yaml`,
    `artifact_uri: file:///tmp/mlruns/0/${MLFLOW_RUN}/artifacts\ndeleted_time: null\n` +
      "end_time: 1700000060000\nentry_point_name: ''\nexperiment_id: '0'\nlifecycle_stage: active\n" +
      `run_id: ${MLFLOW_RUN}\nrun_name: mlflow-baseline\nrun_uuid: ${MLFLOW_RUN}\n` +
      "source_name: ''\nsource_type: 4\nsource_version: ''\nstart_time: 1700000000000\nstatus: 3\ntags: []\nuser_id: user\n",
  );
  write(`${run}/tags/mlflow.runName`, 'mlflow-baseline');
  write(
    `${run}/metrics/loss`,
    losses.map((loss, step) => `${1700000001000 + step * 1000} ${loss * 0.9} ${step}\n`).join(''),
  );
  // TensorBoard's format is binary (TFRecord frames with CRC32C): the test/support writer makes it.
  const tensorboard = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `const loaded = await import(${JSON.stringify(join(repoRoot, 'test/support/tfeventsWriter.ts'))});
       const { writeEventFile, scalarEvents } = loaded.scalarEvents ? loaded : loaded.default;
       const { mkdirSync, writeFileSync } = await import('node:fs');
       mkdirSync(${JSON.stringify(join(root, 'tb/run1'))}, { recursive: true });
       const points = ${JSON.stringify(losses)}.map((loss, step) => ({ step, value: loss * 1.2 }));
       writeFileSync(${JSON.stringify(join(root, 'tb/run1/events.out.tfevents.1700000000.host'))}, writeEventFile(scalarEvents('loss', points)));`,
    ],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  assert.equal(tensorboard.status, 0, tensorboard.stderr);
}

const shotOnFailure = screenshotOnFailure(() => workbench);
const themeKind = async (page) => ((await page.locator('.monaco-workbench.vs-dark').count()) > 0 ? 'dark' : 'light');
const editorTab = (page, title) => page.locator('.tabs-container .tab', { hasText: title });
const panelTab = (page, title) => editorTab(page, title).first();
const pause = (ms) => new Promise((resume) => setTimeout(resume, ms));

/** Switches between the light and the dark theme and waits until the workbench wears the other one. */
async function toggleTheme(page) {
  const themeBefore = await themeKind(page);
  await runCommand(page, 'Preferences: Toggle between Light/Dark Themes');
  const themeDeadline = Date.now() + 15_000;
  while ((await themeKind(page)) === themeBefore && Date.now() < themeDeadline) await pause(100);
  assert.notEqual(await themeKind(page), themeBefore, 'the theme switched');
}

/** Waits until the chart was drawn again after `draws` (a theme change rebuilds it in the theme's colours). */
async function redrawnAfter(chart, draws) {
  const deadline = Date.now() + 30_000;
  while (Number((await chart.getAttribute('data-draws')) ?? 0) <= draws && Date.now() < deadline) await pause(100);
  assert.ok(Number(await chart.getAttribute('data-draws')) > draws, 'the chart was drawn again in the new theme');
}

before(async () => {
  folder = workspaceCopy('churn');
  const params = join(folder, 'params.yaml');
  // A minute of training: the panel, opened by the run, must show the curve before training ends
  // (at 0.5 s an epoch it twice came up only after the 30 s of training, under load).
  writeFileSync(params, readFileSync(params, 'utf8').replace('epoch_delay: 0.0', 'epoch_delay: 1.0'));
  writeOtherToolsRuns(folder);
  workbench = await openWorkbench(folder, { name: 'metric-charts' });
});

after(async () => {
  await workbench?.close();
});

test(
  'ML: Run Pipeline opens Metric Charts beside mlc.yaml and the training curve grows while the run goes on',
  shotOnFailure('live', async () => {
    const { page } = workbench;
    await openContainer(page, 'ML');
    await sidebar(page).getByText('prepare', { exact: true }).first().waitFor({ timeout: 60_000 });
    await openFile(page, 'mlc.yaml');
    await runCommand(page, 'ML: Run Pipeline');
    await panelTab(page, 'Metric Charts').waitFor({ timeout: 60_000 });
    const frame = webviewFrame(page);
    const loss = frame.locator('.chart[data-metric="loss"]');
    await loss.waitFor({ timeout: 60_000 });
    // Sample the points drawn on the loss chart until all 60 epochs are there.
    const counts = new Set();
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const count = Number((await loss.getAttribute('data-point-count').catch(() => null)) ?? 0);
      if (count > 0) counts.add(count);
      if (count >= 60) break;
      await pause(100);
    }
    const growing = [...counts].filter((count) => count < 60);
    assert.ok(growing.length >= 2, `two different point counts drawn before training ended (saw ${[...counts]})`);
    assert.ok(counts.has(60), `the whole curve at the end (saw ${[...counts]})`);
    // Beside the code: mlc.yaml stays open in one editor group, the charts in another.
    assert.ok((await page.locator('.editor-group-container').count()) >= 2, 'two editor groups');
    const groupWith = (title) => page.locator('.editor-group-container').filter({ has: editorTab(page, title) });
    assert.equal(await groupWith('mlc.yaml').count(), 1);
    assert.equal(await groupWith('Metric Charts').count(), 1);
    assert.equal(
      await groupWith('mlc.yaml')
        .filter({ has: editorTab(page, 'Metric Charts') })
        .count(),
      0,
      'not the same group',
    );
    await sidebar(page)
      .getByText(/succeeded/)
      .first()
      .waitFor({ timeout: 120_000 });
    // The training curve in every theme: the one the workbench opened in, the other one, high contrast.
    await workbench.screenshot(`live-${await themeKind(page)}`);
    let drawn = Number(await loss.getAttribute('data-draws'));
    await toggleTheme(page);
    await redrawnAfter(loss, drawn);
    await workbench.screenshot(`live-${await themeKind(page)}`);
    const themeName = (await themeKind(page)) === 'dark' ? 'Dark Modern' : 'Light Modern';
    drawn = Number(await loss.getAttribute('data-draws'));
    await selectColourTheme(page, 'Dark High Contrast');
    await page.locator('.monaco-workbench.hc-black').waitFor({ timeout: 15_000 });
    await redrawnAfter(loss, drawn);
    await workbench.screenshot('live-high-contrast');
    await selectColourTheme(page, themeName);
    await page.locator('.monaco-workbench.hc-black').waitFor({ state: 'detached', timeout: 15_000 });
  }),
);

test(
  'MLflow, DVCLive and TensorBoard runs overlay the mlc run; the x axis switches and a run toggles off',
  shotOnFailure('overlay', async () => {
    const { page } = workbench;
    const frame = webviewFrame(page);
    await frame.getByRole('button', { name: 'Add runs…' }).click();
    // A quick pick of every run (the shown one ticked): tick the other tools' runs too.
    for (const name of ['mlflow-baseline', 'tb/run1', 'notebook/dvclive']) {
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
      await row.waitFor({ timeout: 30_000 });
      await row.locator('input[type=checkbox], .monaco-checkbox, .quick-input-list-checkbox').first().click();
    }
    await page.locator('.quick-input-widget').getByRole('button', { name: 'OK' }).click();
    const loss = frame.locator('.chart[data-metric="loss"]');
    const deadline = Date.now() + 60_000;
    while (Number((await loss.getAttribute('data-run-count')) ?? 0) < 4 && Date.now() < deadline) await pause(200);
    assert.ok(Number(await loss.getAttribute('data-run-count')) >= 4, 'the mlc run and three others on the loss chart');
    for (const name of ['mlflow-baseline', 'notebook/dvclive', 'tb/run1']) {
      assert.equal((await frame.locator('.legend-run', { hasText: name }).count()) > 0, true, `${name} in the legend`);
    }

    const rangeBefore = await loss.getAttribute('data-x-range');
    await frame.getByLabel('X axis').selectOption('relativeTime');
    const switched = Date.now() + 30_000;
    while ((await loss.getAttribute('data-x-range')) === rangeBefore && Date.now() < switched) await pause(100);
    assert.notEqual(await loss.getAttribute('data-x-range'), rangeBefore, 'the chart now spans seconds, not steps');
    await frame.getByLabel('X axis').selectOption('step');

    const mlflowToggle = frame.locator('.legend-run', { hasText: 'mlflow-baseline' });
    await mlflowToggle.click();
    assert.equal(await mlflowToggle.getAttribute('aria-pressed'), 'false');
    await loss.scrollIntoViewIfNeeded();
    const box = await loss.locator('.u-over').boundingBox();
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await loss.locator('.readout-run').first().waitFor({ timeout: 10_000 });
    assert.equal(await loss.locator('.readout-run', { hasText: 'mlflow-baseline' }).count(), 0, 'toggled off');
    assert.ok((await loss.locator('.readout-run').count()) >= 3, 'the other runs are read out at the cursor');
    await workbench.screenshot(`overlay-${await themeKind(page)}`);

    await toggleTheme(page);
    await pause(500);
    await workbench.screenshot(`overlay-${await themeKind(page)}`);

    const violations = workbench.consoleLines.filter(
      (line) => /Content Security Policy|Refused to/i.test(line) && !line.includes("'unsafe-eval'"),
    );
    assert.deepEqual(violations, [], 'no CSP violation in a panel');
  }),
);

test(
  'the Plots tab draws the DVC plots of the workspace and of the shown runs side by side',
  shotOnFailure('plots', async () => {
    const { page } = workbench;
    // A quick pick left open by an earlier test would take the click.
    if (await page.locator('.quick-input-widget').isVisible()) await page.keyboard.press('Escape');
    await panelTab(page, 'Metric Charts').click();
    const frame = webviewFrame(page);
    await frame.locator('#tab-plots').click();
    const confusion = frame.locator('.plot-card[data-plot-id="plots/confusion.csv"]');
    await confusion.waitFor({ timeout: 60_000 });
    // The workspace and the mlc run side by side (other tools' runs, when shown, have no copy of
    // the file: they are listed as missing).
    const blocks = confusion.locator('.plot-revision');
    assert.ok((await blocks.count()) >= 2, 'the workspace and the mlc run side by side');
    assert.equal(await blocks.first().getAttribute('data-revision'), 'workspace');
    const counts = await confusion
      .locator('.plot-revision')
      .first()
      .locator('.confusion-cell')
      .evaluateAll((cells) => cells.map((cell) => Number(cell.getAttribute('data-count'))));
    assert.equal(counts.length, 4, 'stayed/churned x stayed/churned');
    assert.equal(
      counts.reduce((sum, count) => sum + count, 0),
      400,
      'one count per test row',
    );
    // The mlc run's own matrix: its plots/confusion.csv still has the md5 the run recorded.
    assert.match((await blocks.nth(1).getAttribute('data-revision')) ?? '', /^\d{8}-\d{6}-/);
    const training = frame.locator('.plot-card[data-plot-id="logs/train.csv"] canvas').first();
    await training.waitFor({ timeout: 30_000 });
    assert.ok(
      Number(
        await frame.locator('.plot-card[data-plot-id="logs/train.csv"] .plot-chart').getAttribute('data-points'),
      ) >= 120,
    );
    await frame.locator('.plot-card[data-plot-id="plots/roc.csv"] canvas').first().waitFor({ timeout: 30_000 });
    // The heatmap in view for the screenshots (the training curve is above it).
    await confusion.evaluate((card) => card.scrollIntoView({ block: 'start' }));
    await workbench.screenshot(`plots-${await themeKind(page)}`);
    await toggleTheme(page);
    await pause(500);
    await workbench.screenshot(`plots-${await themeKind(page)}`);
    const violations = workbench.consoleLines.filter(
      (line) => /Content Security Policy|Refused to/i.test(line) && !line.includes("'unsafe-eval'"),
    );
    assert.deepEqual(violations, [], 'no CSP violation in the Plots tab');
  }),
);
