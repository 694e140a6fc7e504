/**
 * Deploy page: per deploy target, the version serving it and its health, the version before it,
 * a version picker with that version's gate results (value vs threshold), Deploy / Roll Back /
 * Undeploy buttons, and the deployment history. The host does every action (with confirmation
 * where production is concerned); this page only asks. All values are text (buildElement).
 */
import './deploy.css';
import type {
  DeployAction,
  DeployGateRow,
  DeploySnapshot,
  DeployTargetRow,
  DeployUpdate,
} from '../../src/protocol/deploy';
import { formatMetricValue } from '../../src/protocol/formatRunValues';
import { buildElement } from '../shared/buildElement';
import { buildTable as table } from '../shared/buildTable';
import { buildButton, setDisabled } from '../shared/controls/button';
import { buildSelect } from '../shared/controls/select';
import { startPanel } from '../shared/startPanel';

interface DeployUiState {
  /** The version chosen in each target's picker. */
  readonly chosen: Readonly<Record<string, number>>;
}

const app = document.getElementById('app')!;
const connection = startPanel<DeployUpdate, DeployAction>((update) => {
  switch (update.type) {
    case 'snapshotted':
      snapshot = update.snapshot;
      render();
      return;
  }
});
const saved = (connection.savedState() ?? {}) as Partial<DeployUiState>;
let ui: DeployUiState = { chosen: typeof saved.chosen === 'object' && saved.chosen ? saved.chosen : {} };
let snapshot: DeploySnapshot | undefined;

const value = (number: number | null) => (number === null ? '—' : formatMetricValue(number));
const ms = (number: number | null) =>
  number === null ? '—' : `${number < 10 ? number.toFixed(1) : Math.round(number)} ms`;

function gateTable(gates: readonly DeployGateRow[]): HTMLElement {
  if (gates.length === 0) return buildElement('p', { className: 'muted', text: 'No metric gates on this target.' });
  return table(
    ['Gate', 'Value', 'Threshold', 'Result'],
    gates.map((gate) => [
      gate.gate,
      value(gate.value),
      value(gate.threshold),
      buildElement('span', {
        className: gate.passed ? 'status-succeeded' : 'status-failed',
        text: gate.passed ? 'pass' : 'FAIL',
      }),
    ]),
    [1, 2],
  );
}

function chosenVersion(target: DeployTargetRow): number | undefined {
  const chosen = ui.chosen[target.name];
  if (chosen !== undefined && target.versions.some((version) => version.version === chosen)) return chosen;
  return target.versions[0]?.version;
}

function renderTarget(target: DeployTargetRow, current: DeploySnapshot): HTMLElement {
  const busy = current.busyTarget !== null;
  const disabledWhy = !current.trusted
    ? 'Trust the workspace to deploy (Restricted Mode).'
    : busy
      ? `A deployment of ${current.busyTarget} is in progress.`
      : '';
  const chosen = chosenVersion(target);
  const chosenRow = target.versions.find((version) => version.version === chosen);
  const health = buildElement('span', {
    className: `health health-${target.health}`,
    text: target.health === 'notDeployed' ? 'not deployed' : target.health,
  });
  const facts = buildElement('dl', { className: 'facts' }, [
    buildElement('dt', { text: 'Serving' }),
    buildElement('dd', {}, target.currentVersion === null ? [health] : [`v${target.currentVersion} `, health]),
    buildElement('dt', { text: 'Previous version' }),
    buildElement('dd', { text: target.previousVersion === null ? '—' : `v${target.previousVersion}` }),
    buildElement('dt', { text: 'Health URL' }),
    buildElement('dd', { text: target.healthUrl ?? '—' }),
    buildElement('dt', { text: 'Latency p50 / p95' }),
    buildElement('dd', { text: `${ms(target.p50Ms)} / ${ms(target.p95Ms)}` }),
    buildElement('dt', { text: 'Error rate' }),
    buildElement('dd', { text: target.errorRate === null ? '—' : `${Number((target.errorRate * 100).toFixed(1))}%` }),
    buildElement('dt', { text: 'Process' }),
    buildElement('dd', {
      text: target.pid === null ? '—' : `pid ${target.pid}${target.startedAt ? `, started ${target.startedAt}` : ''}`,
    }),
  ]);

  const picker = buildSelect(
    `Version to deploy to ${target.name}`,
    target.versions.map((version) => {
      const failed = version.gates.filter((gate) => !gate.passed).length;
      const label = [
        `v${version.version}`,
        version.aliases.join(', '),
        version.version === target.currentVersion ? 'serving' : '',
        version.gates.length === 0 ? '' : failed === 0 ? 'gates pass' : `${failed} gate${failed === 1 ? '' : 's'} fail`,
      ]
        .filter((part) => part !== '')
        .join(' · ');
      return [String(version.version), label];
    }),
    chosen === undefined ? undefined : String(chosen),
    (version) => {
      ui = { chosen: { ...ui.chosen, [target.name]: Number(version) } };
      connection.saveState(ui);
      render();
    },
  );
  picker.disabled = target.versions.length === 0;
  const deploy = buildButton(
    chosen === undefined ? 'Deploy' : `Deploy v${chosen}`,
    () => {
      if (chosen !== undefined) connection.post({ type: 'deploy', target: target.name, version: chosen });
    },
    { secondary: false },
  );
  setDisabled(deploy, disabledWhy !== '' || chosen === undefined);
  const rollback = buildButton(
    target.rollbackVersion === null ? 'Roll Back' : `Roll Back to v${target.rollbackVersion}`,
    () => connection.post({ type: 'rollback', target: target.name }),
  );
  setDisabled(rollback, disabledWhy !== '' || target.rollbackVersion === null);
  const undeploy = buildButton('Undeploy', () => connection.post({ type: 'undeploy', target: target.name }));
  setDisabled(undeploy, disabledWhy !== '' || target.currentVersion === null);
  const log = buildButton('Open server log', () => connection.post({ type: 'openLog', target: target.name }));

  const lastFailure = target.history[0]?.result === 'failed' ? target.history[0] : undefined;
  return buildElement('section', { attributes: { 'aria-label': `Target ${target.name}` } }, [
    buildElement('h2', { text: `${target.name} — ${target.model}` }),
    facts,
    ...(lastFailure
      ? [
          buildElement('p', { className: 'error-text', attributes: { role: 'alert' } }, [
            `Last ${lastFailure.action} of v${lastFailure.version ?? '?'} failed: `,
            buildElement('span', { className: 'reason', text: lastFailure.reason ?? 'no reason recorded' }),
          ]),
        ]
      : []),
    buildElement('div', { className: 'toolbar' }, ['Version:', picker, deploy, rollback, undeploy, log]),
    ...(disabledWhy ? [buildElement('p', { className: 'muted', text: disabledWhy })] : []),
    buildElement('h3', { text: chosenRow ? `Gates for v${chosenRow.version}` : 'Gates' }),
    chosenRow
      ? gateTable(chosenRow.gates)
      : buildElement('p', {
          className: 'muted',
          text: `No registered version of ${target.model}: register one from a run (ML: Register Model…).`,
        }),
    buildElement('h3', { text: 'History' }),
    target.history.length === 0
      ? buildElement('p', { className: 'muted', text: 'Not deployed yet.' })
      : table(
          ['When', 'Action', 'Version', 'From', 'Result', 'Who', 'Reason'],
          target.history.map((entry) => [
            entry.when,
            entry.action,
            entry.version === null ? '—' : `v${entry.version}`,
            entry.previousVersion === null ? '—' : `v${entry.previousVersion}`,
            buildElement('span', {
              className: entry.result === 'succeeded' ? 'status-succeeded' : 'status-failed',
              text: entry.result,
            }),
            entry.who,
            buildElement('span', { className: 'reason', text: entry.reason ?? '' }),
          ]),
        ),
  ]);
}

function render(): void {
  const current = snapshot;
  if (!current) return;
  const children: HTMLElement[] = [buildElement('h1', { text: 'Deploy' })];
  if (current.targets.length === 0) {
    children.push(
      buildElement('p', {
        className: 'muted',
        text: 'No deploy target: add a deploy: section to mlc.yaml (a model, a start command and a health URL).',
      }),
    );
  }
  for (const target of current.targets) children.push(renderTarget(target, current));
  const main = buildElement('main', {}, children);
  app.replaceChildren(main);
}
