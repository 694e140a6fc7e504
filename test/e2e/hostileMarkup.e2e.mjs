// Markup in user-controlled text renders as text in every panel, in the real workbench. A copy of
// the churn example gets fixture data only (nothing runs, so the spec stays quick): five MLflow
// file-store runs named after the payloads of test/support/vscode/hostileText.mjs, with payloads as
// param keys and values, tag keys and values and metric names; a note and tags on a run
// (.mlc/annotations.json, where `Tags…`/notes from any panel go); a stage named like an <img> with
// a <svg> description; a registered model version whose alias, gate metric and deployment history
// (reason, who) carry payloads, and a deploy target whose health URL is a javascript: URL.
// Run History, Run Details, Compare, Metric Charts (legend, readout, chart titles), the Deploy panel
// and the Pipeline Graph (node, tooltip) each show the exact text, make no element or handler from
// it, and report no CSP violation. Screenshots: test-results/screenshots/hostile-markup-NN-<panel>.png.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { assertShownAsText, HOSTILE, markupConsoleLines } from '../support/vscode/hostileText.mjs';
import {
  openContainer,
  openWorkbench,
  runCommand,
  screenshotOnFailure,
  sidebar,
  webviewFrame,
} from '../support/vscode/workbench.mjs';
import { QUIET_CHARTS, workspaceCopy } from '../support/vscode/workspaceCopy.mjs';

let workbench;
let folder;
const shotOnFailure = screenshotOnFailure(() => workbench);
const panelTab = (page, title) => page.locator('.tabs-container .tab', { hasText: title }).first();

/** One MLflow run per payload, named after it; the ids are 32 hex digits, one digit repeated. */
const RUN_NAMES = [HOSTILE.img, HOSTILE.script, HOSTILE.svg, HOSTILE.template, HOSTILE.rtl];
const runIdOf = (index) => `mlflow:${String(index + 1).repeat(32)}`;
/** Keys are file names in MLflow's file store (a `/` nests folders); the RTL string is too long for one. */
const PARAMS = { [HOSTILE.img]: HOSTILE.script, [HOSTILE.svg]: HOSTILE.rtl, [HOSTILE.javascriptUrl]: HOSTILE.template };
const TAGS = { [HOSTILE.template]: HOSTILE.javascriptUrl, team: HOSTILE.svg };
const METRICS = ['accuracy', HOSTILE.img, HOSTILE.script];
const NOTE = `${HOSTILE.script}\n${HOSTILE.template}`;
const RUN_TAGS = [HOSTILE.svg, HOSTILE.rtl];
/** A stage name mlc accepts (with a DVC-compatibility warning): only @ : / \ are refused. */
const STAGE = HOSTILE.img;
/** mlc's own run of that stage, as `mlc run` records it: failed, with payloads in its params, metrics and log. */
const MLC_RUN_ID = '20261201-100000-hostile';
const MLC_RUN_LOG = [HOSTILE.script, HOSTILE.svg, HOSTILE.rtl];
const MLC_RUN_FAILURE = `exit code 1: ${HOSTILE.template}`;

function writeFixtures(root) {
  const write = (path, text) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write(
    'mlruns/0/meta.yaml',
    "artifact_location: file:///tmp/mlruns/0\ncreation_time: 1700000000000\nexperiment_id: '0'\n" +
      'last_update_time: 1700000000000\nlifecycle_stage: active\nname: Default\n',
  );
  RUN_NAMES.forEach((name, index) => {
    const uuid = runIdOf(index).slice('mlflow:'.length);
    const run = `mlruns/0/${uuid}`;
    write(
      `${run}/meta.yaml`,
      `artifact_uri: file:///tmp/mlruns/0/${uuid}/artifacts\ndeleted_time: null\n` +
        `end_time: ${1700000060000 + index}\nentry_point_name: ''\nexperiment_id: '0'\nlifecycle_stage: active\n` +
        `run_id: ${uuid}\nrun_name: hostile-${index}\nrun_uuid: ${uuid}\n` +
        `source_name: ''\nsource_type: 4\nsource_version: ''\nstart_time: ${1700000000000 + index}\nstatus: 3\ntags: []\nuser_id: user\n`,
    );
    write(`${run}/tags/mlflow.runName`, name);
    for (const [key, value] of Object.entries(TAGS)) write(`${run}/tags/${key}`, value);
    for (const [key, value] of Object.entries(PARAMS)) write(`${run}/params/${key}`, value);
    for (const metric of METRICS) {
      const rows = Array.from(
        { length: 5 },
        (_, step) => `${1700000001000 + step * 1000} ${0.5 + index * 0.05 + step * 0.02} ${step}\n`,
      );
      write(`${run}/metrics/${metric}`, rows.join(''));
    }
  });
  write(
    `.mlc/runs/${MLC_RUN_ID}/run.json`,
    `${JSON.stringify({
      schema: 1,
      id: MLC_RUN_ID,
      status: 'failed',
      startedAt: 1764583200000,
      endedAt: 1764583201000,
      updatedAt: 1764583201000,
      owner: { pid: 1, hostname: 'localhost', kind: 'cli' },
      workspace: root,
      targets: [STAGE],
      options: { jobs: 1, force: false, keepGoing: false, runner: 'local' },
      params: { [HOSTILE.svg]: HOSTILE.script },
      metrics: { [HOSTILE.img]: 0.5 },
      seriesLatest: {},
      stages: [
        {
          address: STAGE,
          name: STAGE,
          pipeline: 'mlc.yaml',
          status: 'failed',
          reasons: [HOSTILE.svg],
          startedAt: 1764583200000,
          endedAt: 1764583201000,
          durationMs: 1000,
          exitCode: 1,
          attempts: [],
          failure: { code: 'exitCode', message: MLC_RUN_FAILURE },
          logFile: 'logs/hostile.log',
        },
      ],
    })}\n`,
  );
  write(`.mlc/runs/${MLC_RUN_ID}/logs/hostile.log`, `${MLC_RUN_LOG.join('\n')}\n`);
  write(
    '.mlc/annotations.json',
    `${JSON.stringify(
      {
        schema: 1,
        runs: {
          [runIdOf(0)]: { starred: false, note: NOTE, tags: RUN_TAGS },
          [MLC_RUN_ID]: { starred: true, note: HOSTILE.svg, tags: [HOSTILE.img] },
        },
      },
      null,
      2,
    )}\n`,
  );

  // A stage named like markup, described by another payload; the deploy target's health URL is a
  // javascript: URL and one gate reads a metric named like markup.
  const pipeline = join(root, 'mlc.yaml');
  writeFileSync(
    pipeline,
    readFileSync(pipeline, 'utf8')
      .replace(
        '\nmodels:\n',
        `\n  ${JSON.stringify(STAGE)}:\n    desc: ${JSON.stringify(HOSTILE.svg)}\n    cmd: echo hostile\n\nmodels:\n`,
      )
      .replace('health: http://127.0.0.1:8601/health', `health: ${JSON.stringify(HOSTILE.javascriptUrl)}`)
      .replace(
        '- { metric: auc, min: 0.85 }',
        `- { metric: auc, min: 0.85 }\n      - { metric: ${JSON.stringify(HOSTILE.img)}, min: 0.5 }`,
      ),
  );
  write('.mlc/registry/churn/versions/1/model.json', '{}\n');
  write(
    '.mlc/registry/churn/versions/1/version.json',
    `${JSON.stringify({
      model: 'churn',
      version: 1,
      artifact: 'model.json',
      kind: 'file',
      md5: '99914b932bd37a50b983c5e7c90ae93b',
      size: 3,
      sourcePath: 'models/model.json',
      sourceRun: HOSTILE.script,
      metrics: { accuracy: 0.9, auc: 0.9, [HOSTILE.img]: 0.7 },
      params: { [HOSTILE.svg]: HOSTILE.template },
      commit: null,
      who: HOSTILE.template,
      createdAt: '2026-12-01T10:00:00.000Z',
    })}\n`,
  );
  write('.mlc/registry/churn/aliases.json', `${JSON.stringify({ [HOSTILE.svg]: 1 })}\n`);
  write(
    '.mlc/deployments/local/history.jsonl',
    `${JSON.stringify({
      when: '2026-12-01T10:05:00.000Z',
      who: HOSTILE.template,
      action: 'deploy',
      target: 'local',
      model: 'churn',
      version: 1,
      previousVersion: null,
      result: 'failed',
      reason: `${HOSTILE.script} ${HOSTILE.rtl}`,
    })}\n`,
  );
}

/** Every check a panel gets: the texts, no element or handler made from them, nothing in the console. */
async function assertPanel(frame, texts, panel) {
  await assertShownAsText(frame, texts, panel);
  assert.deepEqual(markupConsoleLines(workbench.consoleLines), [], `${panel}: no CSP refusal, nothing ran`);
  await workbench.screenshot(panel);
}

/**
 * Hovers the row of a side-bar view that shows `text` and returns the tooltip's text; asserts the
 * tooltip (rendered from Markdown by the workbench) made no image of it.
 */
async function treeTooltip(page, view, text) {
  const pane = sidebar(page).locator('.pane', { has: page.locator('.pane-header', { hasText: view }) });
  await pane.locator('.monaco-list-row', { hasText: text }).first().hover();
  const hover = page.locator('.workbench-hover, .monaco-hover').filter({ visible: true }).last();
  await hover.waitFor({ timeout: 15_000 });
  const shown = await hover.textContent();
  assert.equal(await hover.locator('img, svg[onload], script').count(), 0, `${view}: nothing made in the tooltip`);
  await page.mouse.move(0, 0);
  return shown;
}

const historyRow = (frame, index) => frame.locator(`.grid-row:not([hidden])[data-run-id="${runIdOf(index)}"]`);

before(async () => {
  folder = workspaceCopy('churn', { settings: QUIET_CHARTS });
  writeFixtures(folder);
  workbench = await openWorkbench(folder, { name: 'hostile-markup' });
});

after(async () => {
  await workbench?.close();
});

test(
  'Run History shows run names, tags and notes of markup as text',
  shotOnFailure('history', async () => {
    const { page } = workbench;
    await openContainer(page, 'ML');
    await sidebar(page).getByText('prepare', { exact: true }).first().waitFor({ timeout: 60_000 });
    await runCommand(page, 'ML: Show Run History');
    const frame = webviewFrame(page);
    await frame.getByText(/^\d+ of \d+ runs/).waitFor({ timeout: 60_000 });
    for (const index of RUN_NAMES.keys()) await historyRow(frame, index).waitFor({ timeout: 30_000 });
    await assertPanel(frame, { exact: RUN_NAMES, within: [RUN_TAGS.join(', ')] }, 'history');
    // The side bar's tooltips are Markdown the workbench renders (and turns into plain text).
    assert.ok((await treeTooltip(page, 'Pipelines', STAGE.slice(0, 12))).includes(STAGE), 'the stage tooltip');
    assert.ok((await treeTooltip(page, 'Runs', HOSTILE.img.slice(0, 12))).includes(HOSTILE.img), 'the run tooltip');
    assert.deepEqual(markupConsoleLines(workbench.consoleLines), [], 'tooltips: no CSP refusal, nothing ran');
  }),
);

test(
  'Run Details shows the name, params, tags, note and metric names of markup as text',
  shotOnFailure('details', async () => {
    const { page } = workbench;
    await historyRow(webviewFrame(page), 0).dblclick();
    const frame = webviewFrame(page);
    await frame.getByRole('heading', { name: `Run ${HOSTILE.img}`, exact: true }).waitFor({ timeout: 30_000 });
    await assertPanel(
      frame,
      {
        exact: [
          `Run ${HOSTILE.img}`,
          ...Object.keys(PARAMS),
          ...Object.values(PARAMS),
          ...Object.keys(TAGS),
          ...Object.values(TAGS),
          ...METRICS,
          NOTE,
          RUN_TAGS.join(', '),
        ],
      },
      'details',
    );
  }),
);

test(
  "Run Details of mlc's own run shows its stage, failure, log lines, note and tags of markup as text",
  shotOnFailure('details-mlc', async () => {
    const { page } = workbench;
    await panelTab(page, 'Run History').click();
    await webviewFrame(page).locator(`.grid-row:not([hidden])[data-run-id="${MLC_RUN_ID}"]`).dblclick();
    const frame = webviewFrame(page);
    await frame.getByRole('heading', { name: 'Stages', exact: true }).waitFor({ timeout: 30_000 });
    await assertPanel(
      frame,
      {
        exact: [`Run ${STAGE}`, STAGE, HOSTILE.svg, HOSTILE.script, HOSTILE.img],
        within: [...MLC_RUN_LOG, HOSTILE.template],
      },
      'details-mlc',
    );
  }),
);

test(
  'Compare shows two runs named like markup, their params and metrics as text',
  shotOnFailure('compare', async () => {
    const { page } = workbench;
    await panelTab(page, 'Run History').click();
    const history = webviewFrame(page);
    await historyRow(history, 0).click();
    await historyRow(history, 1).click({ modifiers: ['Control'] });
    await history.getByRole('button', { name: 'Compare', exact: true }).click();
    await panelTab(page, 'Compare Runs').waitFor({ timeout: 30_000 });
    const frame = webviewFrame(page);
    await frame.getByRole('heading', { name: 'Compare 2 runs' }).waitFor({ timeout: 30_000 });
    await assertPanel(
      frame,
      { exact: [HOSTILE.img, HOSTILE.script], within: [...Object.keys(PARAMS), ...METRICS, HOSTILE.rtl] },
      'compare',
    );
  }),
);

test(
  'Metric Charts shows run names in the legend and readout, and metric names, as text',
  shotOnFailure('charts', async () => {
    const { page } = workbench;
    await panelTab(page, 'Run History').click();
    const history = webviewFrame(page);
    await historyRow(history, 2).click();
    await historyRow(history, 4).click({ modifiers: ['Control'] });
    await history.getByRole('button', { name: 'Show Charts', exact: true }).click();
    await panelTab(page, 'Metric Charts').waitFor({ timeout: 30_000 });
    const frame = webviewFrame(page);
    const accuracy = frame.locator('.chart[data-metric="accuracy"]');
    await accuracy.waitFor({ timeout: 60_000 });
    const deadline = Date.now() + 60_000;
    while (Number((await accuracy.getAttribute('data-run-count')) ?? 0) < 2 && Date.now() < deadline) {
      await new Promise((resume) => setTimeout(resume, 200));
    }
    await accuracy.scrollIntoViewIfNeeded();
    const box = await accuracy.locator('.u-over').boundingBox();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await accuracy.locator('.readout-run').first().waitFor({ timeout: 10_000 });
    const readout = await accuracy.locator('.readout-run').allTextContents();
    for (const name of [HOSTILE.svg, HOSTILE.rtl]) {
      assert.ok(
        readout.some((line) => line.startsWith(`${name}: `)),
        `the readout names ${JSON.stringify(name)} (${readout})`,
      );
    }
    const legend = await frame.locator('.legend-run').allTextContents();
    for (const name of [HOSTILE.svg, HOSTILE.rtl]) assert.ok(legend.includes(name), `the legend shows ${name}`);
    await assertPanel(frame, { exact: [HOSTILE.img, HOSTILE.script] }, 'charts');
  }),
);

test(
  'the Deploy panel shows a javascript: health URL, an alias, a gate and a history of markup as text',
  shotOnFailure('deploy', async () => {
    const { page } = workbench;
    await runCommand(page, 'ML: Show Deploy Panel');
    await panelTab(page, 'Deploy').waitFor({ timeout: 30_000 });
    const frame = webviewFrame(page);
    await frame.getByRole('heading', { name: 'Deploy', exact: true }).waitFor({ timeout: 30_000 });
    await frame.getByRole('heading', { name: 'History', exact: true }).waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('a').count(), 0, 'no link made of the health URL');
    await assertPanel(
      frame,
      {
        exact: [HOSTILE.javascriptUrl, HOSTILE.template, `${HOSTILE.script} ${HOSTILE.rtl}`],
        within: [HOSTILE.svg, HOSTILE.img],
      },
      'deploy',
    );
  }),
);

test(
  'the Pipeline Graph shows a stage named like markup, and its description, as text',
  shotOnFailure('graph', async () => {
    const { page } = workbench;
    await runCommand(page, 'ML: Show Pipeline Graph');
    await panelTab(page, 'Pipeline Graph').waitFor({ timeout: 30_000 });
    const frame = webviewFrame(page);
    await frame.locator('.node[data-id="train"]').waitFor({ timeout: 60_000 });
    const nodes = frame.locator('.node');
    const ids = await nodes.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-id')));
    const index = ids.indexOf(STAGE);
    assert.ok(index >= 0, `a node for the stage ${STAGE} (nodes: ${ids})`);
    // The node's label is cut to 24 characters; the tooltip holds the whole name and the description.
    await nodes.nth(index).hover();
    const tooltip = frame.locator('#node-tooltip');
    await tooltip.waitFor({ timeout: 10_000 });
    assert.equal(await tooltip.locator('strong').textContent(), STAGE);
    await assertPanel(frame, { exact: [STAGE, HOSTILE.svg] }, 'graph');
  }),
);
