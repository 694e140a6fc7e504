import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeploymentOverview } from '../../../../src/engine/deploy/deployTargets';
import type { CurrentDeployment, DeploymentHistoryEntry } from '../../../../src/engine/deploy/deploymentState';
import type { HealthSummary } from '../../../../src/engine/deploy/healthStats';
import type { DeployTargetConfig } from '../../../../src/engine/pipeline/model';
import type { MlflowRegisteredModel } from '../../../../src/engine/readers/mlflow/registryModel';
import type { ModelVersionRecord, RegisteredModel } from '../../../../src/engine/registry/modelRegistry';
import { TreeItemContext } from '../../../../src/extension/ids';
import {
  deploymentRow,
  deploymentStatusBar,
  deployTargetRow,
  mlflowModelRow,
  mlflowVersionRow,
  modelRow,
  needsProductionConfirmation,
  versionRow,
} from '../../../../src/extension/lifecycle/lifecycleViewModels';

const version = (number: number, accuracy: number): ModelVersionRecord => ({
  model: 'churn',
  version: number,
  artifact: 'model.json',
  kind: 'file',
  md5: `md5-${number}`,
  size: 10,
  sourcePath: 'models/model.json',
  sourceRun: `run-${number}`,
  metrics: { accuracy },
  params: {},
  commit: 'c0ffee1234567890',
  who: 'Ada <ada@example.org>',
  createdAt: '2026-12-01T10:00:00.000Z',
});
const model: RegisteredModel = {
  name: 'churn',
  versions: [version(1, 0.91), version(2, 0.93)],
  aliases: { production: 1, staging: 2 },
};
const target: DeployTargetConfig = {
  name: 'local',
  model: 'churn',
  runner: 'local',
  start: 'python3 src/serve.py --model {model} --port 8601',
  health: 'http://127.0.0.1:8601/health',
  gates: [],
  position: { line: 1, column: 1 },
};
const current = (versionNumber: number): CurrentDeployment => ({
  target: 'local',
  model: 'churn',
  version: versionNumber,
  pid: 4242,
  commandLine: 'python3 src/serve.py',
  command: 'python3 src/serve.py',
  port: 8601,
  healthUrl: 'http://127.0.0.1:8601/health',
  host: 'local',
  startedAt: '2026-12-01T10:05:00.000Z',
  logFile: '/ws/.mlc/deployments/local/server.log',
});
const entry = (
  versionNumber: number,
  result: 'succeeded' | 'failed',
  previousVersion: number | null,
  reason?: string,
): DeploymentHistoryEntry => ({
  when: '2026-12-01T10:05:00.000Z',
  who: 'Ada',
  action: 'deploy',
  target: 'local',
  model: 'churn',
  version: versionNumber,
  previousVersion,
  result,
  ...(reason ? { reason } : {}),
  gates: [{ gate: 'accuracy >= 0.8', passed: true, value: 0.9, threshold: 0.8 }],
});
const up: HealthSummary = { health: 'up', p50Ms: 3.2, p95Ms: 41, errorRate: 0.05, samples: 20 };

test('Models view: a model with its version count and aliases; versions with aliases, metrics, run and hash', () => {
  assert.deepEqual(
    { label: modelRow(model).label, description: modelRow(model).description },
    { label: 'churn', description: '2 versions · production → v1 · staging → v2' },
  );
  assert.equal(modelRow({ name: 'new', versions: [], aliases: {} }).description, 'no versions yet');
  const row = versionRow(model, model.versions[0]!);
  assert.equal(row.label, 'v1');
  assert.equal(row.description, 'production · accuracy 0.91');
  assert.equal(row.icon, 'star-full');
  assert.match(
    row.tooltip,
    /source run: run-1\nmd5: md5-1\nregistered 2026-12-01T10:00:00.000Z by Ada <ada@example.org> at c0ffee123456/,
  );
  assert.equal(row.contextValue, 'mlcModelVersion');
});

test('Deployments view: version, health, p50/p95 and error rate; a gone process is down', () => {
  const overview: DeploymentOverview = {
    target,
    recorded: current(2),
    running: true,
    history: [entry(2, 'succeeded', 1)],
  };
  const row = deploymentRow(overview, up);
  assert.equal(row.description, 'churn v2 · up · p50 3.2 ms · p95 41 ms · 5% errors');
  assert.equal(row.icon, 'pass-filled');
  const gone = deploymentRow({ ...overview, running: false }, up);
  assert.match(gone.description, /^churn v2 · down/);
  assert.match(gone.tooltip, /the server process \(pid 4242\) is gone/);
  assert.equal(deploymentRow({ target, running: false, history: [] }, undefined).description, 'not deployed');
  const afterFailure = deploymentRow(
    { ...overview, history: [entry(2, 'succeeded', 1), entry(3, 'failed', 2, 'the start command exited with code 1')] },
    up,
  );
  assert.match(afterFailure.description, /last deploy of v3 failed$/);
  assert.equal(afterFailure.icon, 'warning');
});

test('status bar: hidden while nothing is deployed, red when down or after a failed deploy, calm otherwise', () => {
  const undeploy: DeploymentHistoryEntry = { ...entry(2, 'succeeded', 2), action: 'undeploy' };
  assert.equal(
    deploymentStatusBar([
      { overview: { target, running: false, history: [entry(2, 'succeeded', 1), undeploy] }, summary: undefined },
    ]),
    undefined,
  );
  assert.equal(
    deploymentStatusBar([{ overview: { target, running: false, history: [] }, summary: undefined }]),
    undefined,
  );
  const serving: DeploymentOverview = {
    target,
    recorded: current(2),
    running: true,
    history: [entry(2, 'succeeded', 1)],
  };
  assert.deepEqual(deploymentStatusBar([{ overview: serving, summary: up }]), {
    text: '$(pulse) local v2',
    tooltip: 'local: v2 up',
    alarm: false,
  });
  const down = deploymentStatusBar([{ overview: serving, summary: { ...up, health: 'down' } }]);
  assert.equal(down?.text, '$(error) local down');
  assert.equal(down?.alarm, true);
  const failed = deploymentStatusBar([
    { overview: { ...serving, history: [...serving.history, entry(3, 'failed', 2)] }, summary: up },
  ]);
  assert.equal(failed?.text, '$(error) local: deploy failed');
  assert.equal(failed?.tooltip, 'local: v2 up (last deploy of v3 failed)');
});

test('production confirmation: a target named production, or the serving or next version holds production', () => {
  assert.equal(needsProductionConfirmation('local', model, [2, null]), false);
  assert.equal(needsProductionConfirmation('local', model, [2, 1]), true);
  assert.equal(needsProductionConfirmation('production', { ...model, aliases: {} }, [2]), true);
});

test('Deploy panel row: current and previous version, rollback target, gates per version, history newest first', () => {
  const overview: DeploymentOverview = {
    target,
    recorded: current(2),
    running: true,
    history: [entry(1, 'succeeded', null), entry(2, 'succeeded', 1), entry(3, 'failed', 2, 'gate failed')],
    rollbackVersion: 1,
  };
  const row = deployTargetRow(overview, model, up, (number) => [
    {
      gate: 'accuracy >= 0.92',
      passed: number === 2,
      value: number === 2 ? 0.93 : 0.91,
      threshold: 0.92,
      message: 'm',
    },
  ]);
  assert.equal(row.currentVersion, 2);
  assert.equal(row.previousVersion, 1);
  assert.equal(row.rollbackVersion, 1);
  assert.equal(row.health, 'up');
  assert.deepEqual(
    row.versions.map((entry) => [entry.version, entry.aliases, entry.gates[0]!.passed]),
    [
      [2, ['staging'], true],
      [1, ['production'], false],
    ],
  );
  assert.deepEqual(
    row.history.map((entry) => `${entry.version} ${entry.result} ${entry.reason ?? ''}`.trim()),
    ['3 failed gate failed', '2 succeeded', '1 succeeded'],
  );
  assert.deepEqual(row.history[0]!.gates[0], {
    gate: 'accuracy >= 0.8',
    passed: true,
    value: 0.9,
    threshold: 0.8,
    message: '',
  });
});

const mlflowModel: MlflowRegisteredModel = {
  name: 'nyc-taxi',
  tags: {},
  aliases: { champion: 2 },
  versions: [
    {
      version: 1,
      stage: 'Production',
      aliases: [],
      runId: 'aaaa',
      source: 'runs:/aaaa/model',
      status: 'READY',
      createdAt: Date.UTC(2024, 4, 1),
      userId: 'ada',
      tags: {},
    },
    { version: 2, stage: 'None', aliases: ['champion'], runId: 'bbbb', status: 'PENDING_REGISTRATION', tags: {} },
  ],
};

test('an MLflow model row names its registry and is read-only (no mlc model menus match it)', () => {
  const row = mlflowModelRow(mlflowModel, 'mlflow.db');
  assert.equal(row.label, 'nyc-taxi');
  assert.equal(row.description, 'MLflow · 2 versions · champion → v2');
  assert.match(row.tooltip, /MLflow registry of mlflow\.db/);
  assert.match(row.tooltip, /Read-only here: register, promote and deploy work on mlc's registry/);
  assert.equal(row.contextValue, TreeItemContext.mlflowModel);
  assert.notEqual(row.id, modelRow({ name: 'nyc-taxi', versions: [], aliases: {} }).id);
});

test('MLflow version rows show stage, aliases and status, and link the source run only when it is listed', () => {
  const [first, second] = mlflowModel.versions;
  const production = mlflowVersionRow(mlflowModel, first!, 'mlflow.db', (runId) => runId === 'mlflow:aaaa');
  assert.equal(production.label, 'v1');
  assert.equal(production.description, 'Production');
  assert.equal(production.icon, 'star-full');
  assert.equal(production.runId, 'mlflow:aaaa');
  assert.match(production.tooltip, /source run: mlflow:aaaa \(click to open\)/);
  assert.match(production.tooltip, /model files: runs:\/aaaa\/model/);
  assert.match(production.tooltip, /registered 2024-05-01T00:00:00\.000Z by ada/);
  assert.equal(production.contextValue, TreeItemContext.mlflowModelVersion);
  assert.notEqual(production.contextValue, TreeItemContext.modelVersion, 'Promote matches mlcModelVersion only');

  const pending = mlflowVersionRow(mlflowModel, second!, 'mlflow.db', () => false);
  assert.equal(pending.description, 'champion · PENDING_REGISTRATION');
  assert.equal(pending.icon, 'versions');
  assert.equal(pending.runId, undefined);
  assert.match(pending.tooltip, /source run: mlflow:bbbb \(not among the listed runs\)/);
});
