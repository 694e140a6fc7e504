// A workspace with no pipeline, only MLflow stores: a real-world mlflow.db whose registry has a
// Staging and a Production version, and an mlruns/ file store with a models/ registry that a
// script changes. The Models view lists both (read-only, marked MLflow), opens a version's source
// run, and shows a new version without a refresh. Screenshots: test-results/screenshots/mlflow-models-NN-<label>.png.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { openContainer, openWorkbench, screenshotOnFailure, sidebar } from '../support/vscode/workbench.mjs';

const realWorld = process.env.MLC_REAL_WORLD_FIXTURES
  ? resolve(process.env.MLC_REAL_WORLD_FIXTURES)
  : resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures/real-world');
const database = join(realWorld, 'mlflowdb-mlops-zoomcamp-pr126/f0b5634/02-experiment-tracking/mlflow.db');

let workbench;
let folder;

/** One version of `churn` in the file store's registry, as MLflow writes it. */
const writeFileVersion = (version, stage) => {
  const model = join(folder, 'tracking', 'mlruns', 'models', 'churn');
  mkdirSync(join(model, `version-${version}`), { recursive: true });
  writeFileSync(
    join(model, 'meta.yaml'),
    'creation_timestamp: 1700000000000\ndescription: null\nlast_updated_timestamp: 1700000000000\nname: churn\n',
  );
  writeFileSync(
    join(model, `version-${version}`, 'meta.yaml'),
    [
      `creation_timestamp: ${1700000000000 + version}`,
      `current_stage: ${stage}`,
      "description: ''",
      `last_updated_timestamp: ${1700000000000 + version}`,
      'name: churn',
      `run_id: ${'c'.repeat(32)}`,
      "run_link: ''",
      `source: runs:/${'c'.repeat(32)}/model`,
      'status: READY',
      'status_message: null',
      "storage_location: ''",
      "user_id: ''",
      `version: ${version}`,
      '',
    ].join('\n'),
  );
};

const modelsView = (page) => sidebar(page).locator('.monaco-list-row');
const shotOnFailure = screenshotOnFailure(() => workbench);

before(async () => {
  if (!existsSync(database)) throw new Error(`Real-world fixture missing: ${database} (set MLC_REAL_WORLD_FIXTURES)`);
  folder = mkdtempSync(join(tmpdir(), 'mlc-e2e-mlflow-models-'));
  copyFileSync(database, join(folder, 'mlflow.db'));
  writeFileVersion(1, 'Staging');
  workbench = await openWorkbench(folder, { name: 'mlflow-models' });
});

after(async () => {
  await workbench?.close();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

test(
  'the Models view lists the MLflow registries of mlflow.db and mlruns/models, read-only',
  shotOnFailure('listed', async () => {
    const { page } = workbench;
    await openContainer(page, 'ML');
    await modelsView(page)
      .filter({ hasText: /nyc-taxi-regressor/ })
      .filter({ hasText: /MLflow · 2 versions/ })
      .first()
      .waitFor({ timeout: 60_000 });
    await modelsView(page)
      .filter({ hasText: /churn/ })
      .filter({ hasText: /MLflow · 1 version/ })
      .first()
      .waitFor({ timeout: 60_000 });
    await modelsView(page)
      .filter({ hasText: /nyc-taxi-regressor/ })
      .first()
      .click();
    await modelsView(page)
      .filter({ hasText: /v2/ })
      .filter({ hasText: /Production/ })
      .first()
      .waitFor({ timeout: 30_000 });
    await workbench.screenshot('listed');
    // The model row's hover (the mouse is still on it after the click) opens below it, over the
    // version rows, and takes the click (seen once in a full run): move the mouse away, as a person
    // would, and let it close.
    await page.mouse.move(1, 1);
    await page.locator('.context-view .hover-contents').waitFor({ state: 'hidden', timeout: 10_000 });
    // v2's source run is in the Runs view: clicking the version opens its Run Details.
    await modelsView(page)
      .filter({ hasText: /v2/ })
      .filter({ hasText: /Production/ })
      .first()
      .click();
    await page
      .locator('.tabs-container .tab', { hasText: /b72e6dbe/ })
      .first()
      .waitFor({ timeout: 30_000 });
  }),
);

test(
  'a version registered in the file store shows up on its own',
  shotOnFailure('updated', async () => {
    const { page } = workbench;
    writeFileVersion(2, 'Production');
    await modelsView(page)
      .filter({ hasText: /churn/ })
      .filter({ hasText: /MLflow · 2 versions/ })
      .first()
      .waitFor({ timeout: 60_000 });
    await workbench.screenshot('updated');
  }),
);
