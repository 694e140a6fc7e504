// The lifecycle after training in the real workbench, on a copy of the churn example with its real
// model server (src/serve.py on a free port): run the pipeline, register a version from the run
// (ML: Register Model…), deploy it from the Deploy panel and see the Deployments view show it up;
// deploy a broken version (the previous one keeps serving, the status bar turns red, a notification
// says why), deploy a good one, roll back from the panel and see the Deployments view change.
// A server killed behind mlc's back shows as down (red, notification). Cleanup undeploys (through
// the UI, and `mlc undeploy` as a safety net) so no server keeps running.
// Screenshots: test-results/screenshots/deploy-NN-<what>-<light|dark>.png.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  acceptQuickInput,
  openContainer,
  openWorkbench,
  runCommand,
  runContextMenuItem,
  screenshotOnFailure,
  sidebar,
  statusBar,
  webviewFrame,
} from '../support/vscode/workbench.mjs';
import { repoRoot } from '../support/vscode/toolchain.mjs';
import { QUIET_CHARTS, workspaceCopy } from '../support/vscode/workspaceCopy.mjs';

let workbench;
let folder;
let port;

const shotOnFailure = screenshotOnFailure(() => workbench);
const themeKind = async (page) => ((await page.locator('.monaco-workbench.vs-dark').count()) > 0 ? 'dark' : 'light');
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A port nothing listens on now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** What the model server answers on /health now (status 0 when nothing listens). */
function health() {
  return new Promise((resolve) => {
    const request = get({ host: '127.0.0.1', port, path: '/health', timeout: 5_000 }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => {
        try {
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(body) });
        } catch {
          resolve({ status: response.statusCode ?? 0, body: {} });
        }
      });
    });
    request.on('error', () => resolve({ status: 0, body: {} }));
    request.on('timeout', () => request.destroy());
  });
}

/** Makes train write a model src/serve.py refuses (a renamed feature), or restores the command. */
function breakTraining(broken) {
  const file = join(folder, 'mlc.yaml');
  const text = readFileSync(file, 'utf8');
  const rename = ` && python3 -c "import json; p='models/model.json'; m=json.load(open(p)); m['features'][0]='renamed'; json.dump(m, open(p, 'w'))"`;
  const plain = text.replace(rename, '');
  writeFileSync(
    file,
    broken
      ? plain.replace('--epoch-delay ${train.epoch_delay}', `--epoch-delay \${train.epoch_delay}${rename}`)
      : plain,
  );
}

/**
 * Starts a palette command that then asks (a quick pick, an input box): unlike runCommand it does
 * not wait for the quick input to close, since the command opens it again.
 */
async function startCommand(page, label) {
  const input = page.locator('.quick-input-widget input');
  for (let attempt = 0; attempt < 10; attempt++) {
    await page.keyboard.press(attempt % 2 === 0 ? 'F1' : 'Control+Shift+P');
    if (
      await input.waitFor({ timeout: 3_000 }).then(
        () => true,
        () => false,
      )
    )
      break;
  }
  await input.fill(`>${label}`);
  const row = page
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) })
    .first();
  await row.waitFor({ timeout: 30_000 });
  await row.click();
}

/** ML: Run Pipeline, then waits until the Runs view lists `count` succeeded runs. */
async function runPipeline(page, count) {
  await runCommand(page, 'ML: Run Pipeline');
  const deadline = Date.now() + 180_000;
  while (
    (await sidebar(page)
      .getByText(/succeeded/)
      .count()) < count
  ) {
    assert.ok(Date.now() < deadline, `the Runs view shows ${count} succeeded runs`);
    await new Promise((resume) => setTimeout(resume, 500));
  }
}

/** ML: Register Model… with the newest succeeded run and the model name offered (churn). */
async function registerNewest(page, version) {
  await startCommand(page, 'ML: Register Model…');
  const widget = page.locator('.quick-input-widget');
  await widget.locator('input[placeholder="Register a model version from which run?"]').waitFor({ timeout: 30_000 });
  await widget.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 30_000 });
  const pickedRun = await widget.locator('.quick-input-list .monaco-list-row').first().innerText();
  const runQuestion = widget.locator('input[placeholder="Register a model version from which run?"]');
  const modelQuestion = widget.getByText(/The model \(declared under models: in mlc\.yaml: churn\)/);
  await acceptQuickInput(page, {
    accepted: (timeout) => modelQuestion.waitFor({ timeout }),
    stillOpen: runQuestion,
  });
  assert.equal(await widget.locator('input').inputValue(), 'churn');
  // The steps stay open when the focus moves (a click in the Deploy panel, or the panel taking the
  // focus back after the palette closed, which cancelled the command silently in CI).
  const panel = page.locator('iframe.webview.ready').filter({ visible: true });
  if ((await panel.count()) > 0) {
    await panel.last().focus();
    await page.waitForTimeout(500);
    assert.ok(await modelQuestion.isVisible(), 'the model question stays open while the Deploy panel has the focus');
  }
  await acceptQuickInput(page, {
    accepted: (timeout) => widget.waitFor({ state: 'hidden', timeout }),
    stillOpen: modelQuestion,
  });
  await sidebar(page)
    .locator('.monaco-list-row')
    .filter({ hasText: new RegExp(`^churn\\s*${version} versions?`) })
    .first()
    .waitFor({ timeout: 60_000 })
    .catch(async (error) => {
      // Seen once in a loaded full run and never alone: say which run was picked, what the workbench
      // said (a toast such as "Register churn: …") and what the sidebar lists, for the next look.
      // A new error: the runner prints the stack, which an edited message does not reach.
      const toasts = await page.locator('.notification-toast').allInnerTexts();
      const rows = await sidebar(page).locator('.monaco-list-row').allInnerTexts();
      throw new Error(
        `${error.message}\nrun picked: ${JSON.stringify(pickedRun)}\nnotifications: ${JSON.stringify(toasts)}\nsidebar rows: ${JSON.stringify(rows)}`,
        { cause: error },
      );
    });
  await sidebar(page).getByText(`v${version}`, { exact: true }).waitFor({ timeout: 30_000 });
}

/** Shows the Deploy panel and returns its frame. */
async function deployPanel(page) {
  await runCommand(page, 'ML: Show Deploy Panel');
  const frame = webviewFrame(page);
  await frame.getByRole('heading', { name: 'local — churn' }).waitFor({ timeout: 60_000 });
  return frame;
}

/** Chooses a version in the panel's picker (a vscode-single-select: open it, click the option). */
async function chooseVersion(frame, version) {
  await frame.getByRole('combobox', { name: 'Version to deploy to local' }).click();
  await frame.getByRole('option', { name: new RegExp(`^v${version}( ·|$)`) }).click();
}

/** Picks a version in the panel and clicks Deploy; resolves when nothing is switching any more. */
async function deployFromPanel(page, version) {
  const frame = await deployPanel(page);
  await chooseVersion(frame, version);
  const historyRows = frame.locator('section table').nth(1).locator('tbody tr');
  const before = await historyRows.count();
  await frame.getByRole('button', { name: `Deploy v${version}`, exact: true }).click();
  // Done when the history has one more attempt and nothing is switching any more.
  const deadline = Date.now() + 120_000;
  while ((await historyRows.count()) <= before) {
    assert.ok(Date.now() < deadline, `the deploy of v${version} is recorded in the panel's history`);
    await new Promise((resume) => setTimeout(resume, 250));
  }
  await frame.getByText('A deployment of local is in progress.').waitFor({ state: 'detached', timeout: 120_000 });
}

/** The Deployments view's row of the target, as text. */
const deploymentRow = (page) =>
  sidebar(page)
    .locator('.monaco-list-row')
    .filter({ hasText: /^local/ });

before(async () => {
  folder = workspaceCopy('churn', { settings: QUIET_CHARTS });
  port = await freePort();
  const params = readFileSync(join(folder, 'params.yaml'), 'utf8').replace(/epoch_delay: .*/, 'epoch_delay: 0');
  writeFileSync(join(folder, 'params.yaml'), params);
  writeFileSync(
    join(folder, 'mlc.yaml'),
    readFileSync(join(folder, 'mlc.yaml'), 'utf8').replaceAll('8601', String(port)),
  );
  workbench = await openWorkbench(folder, { name: 'deploy' });
});

after(async () => {
  await workbench?.close();
  // Whatever happened above, no model server of this test keeps running.
  const cli = join(repoRoot, 'dist', 'cli.js');
  if (folder && existsSync(cli) && existsSync(join(folder, '.mlc', 'deployments', 'local', 'current.json'))) {
    spawnSync(process.execPath, [cli, 'undeploy', 'local'], { cwd: folder, stdio: 'inherit', timeout: 60_000 });
  }
});

test(
  'run, register from the run, deploy from the panel: the Deployments view shows the version up',
  shotOnFailure('deploy', async () => {
    const { page } = workbench;
    await openContainer(page, 'ML');
    await sidebar(page).getByText('prepare', { exact: true }).first().waitFor({ timeout: 60_000 });
    await sidebar(page).getByText('local', { exact: true }).first().waitFor({ timeout: 60_000 });
    await runPipeline(page, 1);
    // The Pipelines view has done its part: fold it so Models and Deployments have room.
    await sidebar(page).locator('.pane-header', { hasText: 'Pipelines' }).first().click();
    await registerNewest(page, 1);

    await deployFromPanel(page, 1);
    await deploymentRow(page)
      .filter({ hasText: /churn v1 · up/ })
      .first()
      .waitFor({ timeout: 60_000 });
    assert.match((await health()).body.model ?? '', /versions\/1\/model\.json$/);
    await deploymentRow(page)
      .filter({ hasText: /p50 .* ms · p95 .* ms · 0% errors/ })
      .first()
      .waitFor({ timeout: 60_000 });
    const frame = webviewFrame(page);
    await frame.locator('.health-up').first().waitFor({ timeout: 30_000 });
    await workbench.screenshot(`panel-${await themeKind(page)}`);
  }),
);

test(
  'a broken version fails to deploy: the previous keeps serving, the status bar is red, a notification says why',
  shotOnFailure('broken', async () => {
    const { page } = workbench;
    breakTraining(true);
    await runPipeline(page, 2);
    await registerNewest(page, 2);
    await deployFromPanel(page, 2);
    // The error notification: a toast, or in the notification center when other toasts took its place.
    await runCommand(page, 'Notifications: Show Notifications');
    await page
      .locator('.notifications-center')
      .getByText(/Deploy of v2 to local failed: the start command exited/)
      .first()
      .waitFor({ timeout: 60_000 });
    assert.match((await health()).body.model ?? '', /versions\/1\/model\.json$/, 'v1 serves again');
    const item = statusBar(page).locator('.statusbar-item', { hasText: 'local: deploy failed' });
    await item.first().waitFor({ timeout: 30_000 });
    const background = await item.first().evaluate((element) => getComputedStyle(element).backgroundColor);
    assert.notEqual(background, 'rgba(0, 0, 0, 0)', 'the item has the error background');
    await deploymentRow(page)
      .filter({ hasText: /churn v1 · up .*last deploy of v2 failed/ })
      .first()
      .waitFor({ timeout: 60_000 });
    const frame = webviewFrame(page);
    await frame
      .getByRole('alert')
      .getByText(/Last deploy of v2 failed/)
      .waitFor({ timeout: 30_000 });
    assert.match((await frame.getByRole('alert').textContent()) ?? '', /trained on other features/);
    await workbench.screenshot(`failed-deploy-${await themeKind(page)}`);
    await runCommand(page, 'Notifications: Hide Notifications');
  }),
);

test(
  'a good version deploys, then Roll Back in the panel returns to v1 and the Deployments view changes',
  shotOnFailure('rollback', async () => {
    const { page } = workbench;
    breakTraining(false);
    await runPipeline(page, 3);
    await registerNewest(page, 3);
    await deployFromPanel(page, 3);
    await deploymentRow(page)
      .filter({ hasText: /churn v3 · up/ })
      .first()
      .waitFor({ timeout: 60_000 });
    assert.match((await health()).body.model ?? '', /versions\/3\/model\.json$/);
    await statusBar(page).locator('.statusbar-item', { hasText: 'local v3' }).first().waitFor({ timeout: 30_000 });

    const frame = await deployPanel(page);
    await frame.getByRole('button', { name: 'Roll Back to v1' }).click();
    await deploymentRow(page)
      .filter({ hasText: /churn v1 · up/ })
      .first()
      .waitFor({ timeout: 120_000 });
    assert.match((await health()).body.model ?? '', /versions\/1\/model\.json$/);
    await frame.getByText('Previous version').waitFor();
    assert.match((await frame.locator('.facts').first().textContent()) ?? '', /Servingv1 up.*Previous versionv3/s);
    await workbench.screenshot(`rolled-back-${await themeKind(page)}`);
  }),
);

test(
  'a server that dies turns the status bar red with a notification; roll back, fail again in the other theme, undeploy',
  shotOnFailure('undeploy', async () => {
    const { page } = workbench;
    // Kill v1's server behind mlc's back: the next health round sees it gone.
    const current = JSON.parse(readFileSync(join(folder, '.mlc', 'deployments', 'local', 'current.json'), 'utf8'));
    process.kill(-current.pid, 'SIGTERM');
    await statusBar(page).locator('.statusbar-item', { hasText: 'local down' }).first().waitFor({ timeout: 60_000 });
    await deploymentRow(page)
      .filter({ hasText: /churn v1 · down/ })
      .first()
      .waitFor({ timeout: 30_000 });
    await runCommand(page, 'Notifications: Show Notifications');
    await page
      .locator('.notifications-center')
      .getByText(/Deployment local \(churn v1\) is down: its server process \(pid \d+\) is gone/)
      .first()
      .waitFor({ timeout: 30_000 });
    await workbench.screenshot(`down-${await themeKind(page)}`);
    await runCommand(page, 'Notifications: Hide Notifications');

    // Roll back (to v3, the version before v1 in the history), then a failed deploy of v2.
    const frame = await deployPanel(page);
    await frame.getByRole('button', { name: 'Roll Back to v3' }).click();
    await deploymentRow(page)
      .filter({ hasText: /churn v3 · up/ })
      .first()
      .waitFor({ timeout: 120_000 });
    await deployFromPanel(page, 2);
    await statusBar(page)
      .locator('.statusbar-item', { hasText: 'local: deploy failed' })
      .first()
      .waitFor({ timeout: 60_000 });
    assert.match((await health()).body.model ?? '', /versions\/3\/model\.json$/, 'v3 keeps serving');
    const themeBefore = await themeKind(page);
    await runCommand(page, 'Preferences: Toggle between Light/Dark Themes');
    const deadline = Date.now() + 15_000;
    while ((await themeKind(page)) === themeBefore && Date.now() < deadline) {
      await new Promise((resume) => setTimeout(resume, 200));
    }
    assert.notEqual(await themeKind(page), themeBefore, 'the theme switched');
    await deployPanel(page);
    await workbench.screenshot(`failed-deploy-${await themeKind(page)}`);

    await runCommand(page, 'ML: Undeploy…');
    await deploymentRow(page)
      .filter({ hasText: /not deployed/ })
      .first()
      .waitFor({ timeout: 60_000 });
    assert.equal((await health()).status, 0, 'nothing answers on the port');
    assert.equal(existsSync(join(folder, '.mlc', 'deployments', 'local', 'current.json')), false);
    await workbench.screenshot(`undeployed-${await themeKind(page)}`);
  }),
);

test(
  'Promote Version… from the Models view; deploying the production version asks first, Cancel deploys nothing',
  shotOnFailure('promote', async () => {
    const { page } = workbench;
    const v3 = sidebar(page).locator('.monaco-list-row').filter({ hasText: /^v3/ }).first();
    const widget = page.locator('.quick-input-widget');
    const productionRow = widget.locator('.quick-input-list .monaco-list-row', { hasText: 'production' }).first();
    await runContextMenuItem(page, v3, /Promote Version…/, productionRow);
    await widget.locator('input').fill('production');
    await acceptQuickInput(page, {
      accepted: (timeout) => widget.waitFor({ state: 'hidden', timeout }),
      stillOpen: productionRow,
    });
    await sidebar(page)
      .locator('.monaco-list-row')
      .filter({ hasText: /^churn\s*3 versions · production → v3/ })
      .first()
      .waitFor({ timeout: 30_000 });
    const aliases = JSON.parse(readFileSync(join(folder, '.mlc', 'registry', 'churn', 'aliases.json'), 'utf8'));
    assert.deepEqual(aliases, { production: 3 });

    const frame = await deployPanel(page);
    await chooseVersion(frame, 3);
    const historyRows = frame.locator('section table').nth(1).locator('tbody tr');
    const before = await historyRows.count();
    await frame.getByRole('button', { name: 'Deploy v3', exact: true }).click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.getByText(/Deploy churn v3 on local\? This target serves the production version/).waitFor({
      timeout: 30_000,
    });
    await workbench.screenshot(`production-confirmation-${await themeKind(page)}`);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 30_000 });
    assert.equal(await historyRows.count(), before, 'nothing was deployed');
    assert.equal((await health()).status, 0);
  }),
);
