// First contact, both ways in. An empty folder: the Get Started walkthrough of mlc, its Create
// Pipeline button (a starter project), then ML: Run Pipeline and the run in the Runs view; the
// folder is a fresh temp folder outside the repository, as a new user's would be. Then a NaN
// learning rate fires the starter pipeline's NaN alert. An existing project (the DVC example with an
// MLflow file store beside it): the walkthrough's first step is already done, the ML view has the
// DVC stages, and the charts step's Show Run History lists the MLflow run.
// Screenshots: test-results/screenshots/walkthrough-NN-<label>.png and walkthrough-existing-NN-<label>.png.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot } from '../support/vscode/toolchain.mjs';
import {
  findNotification,
  openContainer,
  openWorkbench,
  runCommand,
  screenshotOnFailure,
  sidebar,
  statusBar,
  webviewFrame,
} from '../support/vscode/workbench.mjs';
import { workspaceCopy } from '../support/vscode/workspaceCopy.mjs';

let workbench;
let folder;

const shotOnFailure = screenshotOnFailure(() => workbench);

/** The walkthrough page (the Welcome editor), found by its step titles. */
const walkthroughStep = (page, title) =>
  page.locator('.gettingStartedContainer .getting-started-step', { hasText: title }).first();

/** Welcome: Open Walkthrough… then mlc's walkthrough in the second quick pick; waits for its steps. */
async function openWalkthrough(page) {
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
}

describe('from an empty folder', () => {
  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'mlc-e2e-first-run-'));
    workbench = await openWorkbench(folder, { name: 'walkthrough' });
  });

  after(async () => {
    await workbench?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  test(
    'the Get Started walkthrough of mlc opens from the palette with its steps',
    shotOnFailure('walkthrough-opened', async () => {
      const { page } = workbench;
      await openWalkthrough(page);
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
      // The starter project's files are written one after another: wait for all of them.
      const starterFiles = ['mlc.yaml', 'params.yaml', 'train.py'];
      const deadline = Date.now() + 30_000;
      while (!starterFiles.every((file) => existsSync(join(folder, file))) && Date.now() < deadline)
        await page.waitForTimeout(200);
      for (const file of starterFiles) assert.ok(existsSync(join(folder, file)), file);
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
});

const MLFLOW_RUN_ID = 'ab'.repeat(16);
const MLFLOW_RUN_NAME = 'baseline-before-mlc';

/** An MLflow file store under `root`/mlruns with one finished run, written by the test/support writer. */
function writeMlflowRun(root) {
  const spec = {
    experiments: [
      {
        id: '0',
        name: 'Default',
        runs: [
          {
            id: MLFLOW_RUN_ID,
            name: MLFLOW_RUN_NAME,
            status: 'FINISHED',
            startTime: 1700000000000,
            endTime: 1700000060000,
            params: { lr: '0.1' },
            metrics: { loss: [0.9, 0.5, 0.3].map((loss, step) => [1700000001000 + step * 1000, loss, step]) },
          },
        ],
      },
    ],
  };
  const written = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `const loaded = (path) => import(path).then((module) => (module.default?.writeMlflowFileStore || module.default?.nodeFileSystem ? module.default : module));
       const { writeMlflowFileStore } = await loaded(${JSON.stringify(join(repoRoot, 'test/support/mlflowFixtures.ts'))});
       const { nodeFileSystem } = await loaded(${JSON.stringify(join(repoRoot, 'src/node/nodeFileSystem.ts'))});
       writeMlflowFileStore(nodeFileSystem, ${JSON.stringify(join(root, 'mlruns'))}, ${JSON.stringify(spec)});`,
    ],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  assert.equal(written.status, 0, written.stderr);
}

describe('from an existing DVC and MLflow project', () => {
  before(async () => {
    folder = workspaceCopy('dvc-churn');
    writeMlflowRun(folder);
    workbench = await openWorkbench(folder, { name: 'walkthrough-existing' });
  });

  after(async () => {
    await workbench?.close();
  });

  test(
    "the walkthrough's first step is done by the DVC stages already there, and its charts step lists the MLflow run",
    shotOnFailure('existing-project', async () => {
      const { page } = workbench;
      // The walkthrough first, then the ML view its first step points to ("your stages are already
      // there"): the dvc.yaml stages, foreach expanded, before anything is created.
      await openWalkthrough(page);
      await openContainer(page, 'ML');
      await sidebar(page).getByText('prepare', { exact: true }).first().waitFor({ timeout: 60_000 });
      await sidebar(page).getByText('train@fast', { exact: true }).first().waitFor({ timeout: 30_000 });
      // Bring or create a pipeline: done (the Pipelines view showed the project's stages), nothing
      // written to get there (its check mark is the codicon VS Code marks `complete`).
      await walkthroughStep(page, 'Bring or create a pipeline')
        .locator('.codicon.complete')
        .first()
        .waitFor({ timeout: 30_000 });
      assert.equal(existsSync(join(folder, 'mlc.yaml')), false, 'no mlc.yaml was created');
      await workbench.screenshot('existing-project');

      // See the run and its charts: its Show Run History button lists the run MLflow recorded.
      await walkthroughStep(page, 'See the run and its charts').click();
      await page.getByRole('button', { name: 'Show Run History' }).first().click();
      const frame = webviewFrame(page);
      await frame.locator('[role=gridcell]', { hasText: MLFLOW_RUN_NAME }).first().waitFor({ timeout: 60_000 });
      await workbench.screenshot('existing-runs');
    }),
  );
});
