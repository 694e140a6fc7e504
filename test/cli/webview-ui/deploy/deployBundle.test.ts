// The Deploy panel bundle as the production build makes it, in headless Chromium under the
// extension's CSP, fed fixture snapshots: targets with their versions, gates and history, the
// buttons' messages, read-only when untrusted or busy, and hostile text from records shown as text.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DeploySnapshot, DeployTargetRow } from '../../../../src/protocol/deploy';
import { type PanelHarness, postedByPanel, sendToPanel, startPanelHarness } from '../../../support/panelPage';

const HOSTILE = '<img src=x onerror=alert(1)>';
let harness: PanelHarness;
before(async () => {
  harness = await startPanelHarness();
});
after(async () => {
  await harness?.close();
});

const gates = (accuracy: number) => [
  {
    gate: 'accuracy >= 0.8',
    passed: accuracy >= 0.8,
    value: accuracy,
    threshold: 0.8,
    message: `accuracy >= 0.8: ${accuracy}`,
  },
];

const target: DeployTargetRow = {
  name: 'local',
  model: 'churn',
  currentVersion: 2,
  health: 'up',
  healthUrl: 'http://127.0.0.1:8601/health',
  pid: 4242,
  startedAt: '2026-12-01T10:05:00.000Z',
  p50Ms: 2.5,
  p95Ms: 14,
  errorRate: 0.05,
  previousVersion: 1,
  rollbackVersion: 1,
  versions: [
    { version: 3, aliases: [], metrics: { accuracy: 0.5 }, sourceRun: 'r3', createdAt: '', gates: gates(0.5) },
    { version: 2, aliases: ['staging'], metrics: { accuracy: 0.9 }, sourceRun: 'r2', createdAt: '', gates: gates(0.9) },
    {
      version: 1,
      aliases: ['production'],
      metrics: { accuracy: 0.85 },
      sourceRun: 'r1',
      createdAt: '',
      gates: gates(0.85),
    },
  ],
  history: [
    {
      when: '2026-12-01T10:06:00.000Z',
      who: HOSTILE,
      action: 'deploy',
      version: 3,
      previousVersion: 2,
      result: 'failed',
      reason: `the start command exited with code 1 before it was healthy\n  last log lines:\n    ${HOSTILE}`,
      gates: [],
    },
    {
      when: '2026-12-01T10:05:00.000Z',
      who: 'Ada',
      action: 'deploy',
      version: 2,
      previousVersion: 1,
      result: 'succeeded',
      reason: null,
      gates: gates(0.9),
    },
  ],
};

test('Deploy panel: serving version, health figures, gates of the chosen version, history, and the buttons', async () => {
  const page = await harness.open('deploy');
  const snapshot: DeploySnapshot = { targets: [target], trusted: true, busyTarget: null };
  await sendToPanel(page, { type: 'snapshotted', snapshot });
  await page.getByRole('heading', { name: 'local — churn' }).waitFor();
  const facts = (await page.locator('.facts').textContent()) ?? '';
  assert.match(facts, /Servingv2 up/);
  assert.match(facts, /Previous versionv1/);
  assert.match(facts, /Latency p50 \/ p952\.5 ms \/ 14 ms/);
  assert.match(facts, /Error rate5%/);
  assert.match(
    (await page.getByRole('alert').textContent()) ?? '',
    /Last deploy of v3 failed: the start command exited/,
  );

  // The newest version is chosen first: its gate fails, with the value and the threshold.
  // The picker is a vscode-single-select, opened and chosen from with the keyboard and by name.
  const picker = page.getByRole('combobox', { name: 'Version to deploy to local' });
  const chosen = () =>
    page.locator('vscode-single-select').evaluate((select) => (select as unknown as { value: string }).value);
  assert.equal(await chosen(), '3');
  const gateRow = page.locator('table').first().locator('tbody tr').first();
  assert.deepEqual(await gateRow.locator('td').allTextContents(), ['accuracy >= 0.8', '0.5', '0.8', 'FAIL']);
  await picker.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('option', { name: 'v2 · staging · serving · gates pass', exact: true }).click();
  assert.equal(await chosen(), '2');
  assert.deepEqual(await gateRow.locator('td').allTextContents(), ['accuracy >= 0.8', '0.9', '0.8', 'pass']);
  assert.deepEqual(await page.evaluate(() => (window as unknown as { __state: unknown }).__state), {
    chosen: { local: 2 },
  });

  // The shared @vscode-elements controls, as in the other panels: no plain <button> or <select>.
  assert.equal(await page.locator('button, select').count(), 0, 'no plain <button> or <select> left');
  assert.equal(await page.locator('vscode-button').count(), 4);
  await page.getByRole('button', { name: 'Deploy v2' }).click();
  await page.getByRole('button', { name: 'Roll Back to v1' }).click();
  await page.getByRole('button', { name: 'Undeploy' }).click();
  await page.getByRole('button', { name: 'Open server log' }).click();
  const actions = (await postedByPanel(page)).filter((message) => message.type !== 'ready');
  assert.deepEqual(actions, [
    { type: 'deploy', target: 'local', version: 2 },
    { type: 'rollback', target: 'local' },
    { type: 'undeploy', target: 'local' },
    { type: 'openLog', target: 'local' },
  ]);

  // Text from records stays text.
  const history = page.locator('table').nth(1);
  assert.equal(await history.locator('tbody tr').count(), 2);
  assert.equal(await history.getByText(HOSTILE, { exact: true }).count(), 1);
  assert.equal(await page.locator('img').count(), 0);
  const violations = await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
  assert.deepEqual(violations, []);
  await page.close();
});

test('Deploy panel: untrusted or busy means no action; no target and no version say what to do', async () => {
  const page = await harness.open('deploy');
  await sendToPanel(page, {
    type: 'snapshotted',
    snapshot: { targets: [target], trusted: false, busyTarget: null } satisfies DeploySnapshot,
  });
  await page.getByText('Trust the workspace to deploy (Restricted Mode).').waitFor();
  for (const name of ['Deploy v3', 'Roll Back to v1', 'Undeploy']) {
    const button = page.getByRole('button', { name });
    assert.equal(await button.isDisabled(), true, `${name} is disabled`);
    assert.equal(await button.getAttribute('aria-disabled'), 'true', `${name} says so to screen readers`);
  }
  assert.equal(await page.getByRole('button', { name: 'Open server log' }).isDisabled(), false);
  await sendToPanel(page, {
    type: 'snapshotted',
    snapshot: {
      targets: [
        { ...target, currentVersion: null, health: 'notDeployed', rollbackVersion: null, versions: [], history: [] },
      ],
      trusted: true,
      busyTarget: 'local',
    } satisfies DeploySnapshot,
  });
  await page.getByText('A deployment of local is in progress.').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Deploy', exact: true }).isDisabled(), true);
  await page.getByText(/No registered version of churn: register one from a run/).waitFor();
  await page.getByText('Not deployed yet.').waitFor();
  await sendToPanel(page, { type: 'snapshotted', snapshot: { targets: [], trusted: true, busyTarget: null } });
  await page.getByText(/No deploy target: add a deploy: section to mlc\.yaml/).waitFor();
  assert.deepEqual(
    (await postedByPanel(page)).filter((message) => message.type === 'reportProblem'),
    [],
  );
  await page.close();
});
