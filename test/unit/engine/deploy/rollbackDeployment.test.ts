import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deployModelVersion, undeployTarget } from '../../../../src/engine/deploy/deployModelVersion';
import { readCurrentDeployment } from '../../../../src/engine/deploy/deploymentState';
import { readDeploymentOverview } from '../../../../src/engine/deploy/deployTargets';
import { deploymentRow, deployTargetRow } from '../../../../src/extension/lifecycle/lifecycleViewModels';
import { rollbackDeployment } from '../../../../src/engine/deploy/rollbackDeployment';
import type { DeployTargetConfig } from '../../../../src/engine/pipeline/model';
import { readRegisteredModel, registerModelVersion } from '../../../../src/engine/registry/modelRegistry';
import { createFakeDeployHost, createFakeHasher } from '../../../support/deployFakes';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

const root = '/ws';

async function setup() {
  const fs = createMemoryFileSystem({});
  const fake = createFakeDeployHost((command) => (command.includes('/versions/3/') ? 'exits' : 'healthy'));
  const progress: string[] = [];
  const ports = {
    fs,
    hasher: createFakeHasher(fs),
    git: { state: () => Promise.resolve({ commit: 'c0ffee', dirty: false, user: 'Ada <ada@example.org>' }) },
    clock: fake.host.clock,
    host: fake.host,
    progress: (line: string) => progress.push(line),
    audit: () => Promise.resolve(),
  };
  for (const content of ['one', 'two', 'three']) {
    fs.writeFileAtomic(`${root}/models/model.json`, content);
    await registerModelVersion(ports, {
      workspaceRoot: root,
      model: 'churn',
      artifactPath: `${root}/models/model.json`,
      runId: content,
      metrics: { accuracy: 0.9 },
      params: {},
    });
  }
  const target: DeployTargetConfig = {
    name: 'local',
    model: 'churn',
    runner: 'local',
    start: 'python3 serve.py --model {model} --port {port}',
    health: 'http://127.0.0.1:{port}/health',
    gates: [{ metric: 'accuracy', min: 0.95 }],
    position: { line: 1, column: 1 },
  };
  const deploy = (version: number) => {
    const model = readRegisteredModel(fs, root, 'churn');
    return deployModelVersion(ports, {
      workspaceRoot: root,
      commandRoot: root,
      target: { ...target, gates: [] },
      model,
      version: model.versions.find((record) => record.version === version)!,
      action: 'deploy',
      healthTimeoutMs: 5_000,
    });
  };
  const rollback = () =>
    rollbackDeployment(ports, {
      workspaceRoot: root,
      commandRoot: root,
      target,
      model: readRegisteredModel(fs, root, 'churn'),
      healthTimeoutMs: 5_000,
    });
  return { fs, fake, ports, target, deploy, rollback, progress };
}

test('rollback with nothing earlier deploys nothing and says what to do', async () => {
  const { fs, deploy, rollback } = await setup();
  assert.equal((await deploy(1)).ok, true);
  const outcome = await rollback();
  assert.equal(outcome.kind, 'noPreviousVersion');
  assert.match(
    outcome.kind === 'noPreviousVersion' ? outcome.message : '',
    /local has no earlier healthy version to return to; deploy a version with mlc deploy local --version N/,
  );
  assert.equal(readCurrentDeployment(fs, root, 'local')?.version, 1);
});

test('rollback returns to the last healthy version before the current one, past a failed deploy, without gates', async () => {
  const { fs, ports, target, deploy, rollback, progress } = await setup();
  await deploy(1);
  await deploy(2);
  const failed = await deploy(3);
  assert.equal(failed.ok, false);
  assert.equal(readCurrentDeployment(fs, root, 'local')?.version, 2, 'the previous version keeps serving');
  assert.equal((await readDeploymentOverview(ports, root, target)).rollbackVersion, 1);
  const outcome = await rollback();
  assert.equal(outcome.kind, 'deployed');
  if (outcome.kind !== 'deployed') return;
  assert.equal(outcome.outcome.ok, true, 'the accuracy >= 0.95 gate is not asked again');
  assert.equal(outcome.outcome.version, 1);
  assert.equal(outcome.outcome.previousVersion, 2);
  assert.ok(progress.includes('Rolling local back to v1 from v2'));
  const overview = await readDeploymentOverview(ports, root, target);
  assert.equal(overview.recorded?.version, 1);
  assert.equal(overview.running, true);
  assert.deepEqual(
    overview.history.map((entry) => `${entry.action} v${entry.version} ${entry.result}`),
    ['deploy v1 succeeded', 'deploy v2 succeeded', 'deploy v3 failed', 'rollback v1 succeeded'],
  );
});

test('after an undeploy there is nothing to roll back to: the CLI, the Deployments view and the Deploy panel agree', async () => {
  const { fs, fake, ports, target, deploy, rollback } = await setup();
  await deploy(1);
  await deploy(2);
  await undeployTarget(ports, { workspaceRoot: root, target });
  const overview = await readDeploymentOverview(ports, root, target);
  assert.equal(overview.rollbackVersion, undefined);
  assert.doesNotMatch(deploymentRow(overview, undefined).tooltip, /Roll Back/);
  const model = readRegisteredModel(fs, root, 'churn');
  assert.equal(deployTargetRow(overview, model, undefined, () => []).rollbackVersion, null);
  const started = fake.servers.size;
  const outcome = await rollback();
  assert.equal(outcome.kind, 'noPreviousVersion');
  assert.equal(fake.servers.size, started, 'nothing was started');
  assert.equal(readCurrentDeployment(fs, root, 'local'), undefined);
});

test('a deploy after an undeploy has no earlier version to roll back to; the next deploy does', async () => {
  const { ports, target, deploy } = await setup();
  await deploy(1);
  await undeployTarget(ports, { workspaceRoot: root, target });
  await deploy(2);
  assert.equal((await readDeploymentOverview(ports, root, target)).rollbackVersion, undefined);
  await deploy(1);
  assert.equal((await readDeploymentOverview(ports, root, target)).rollbackVersion, 2);
});
