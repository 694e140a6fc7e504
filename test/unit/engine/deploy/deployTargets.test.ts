import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  pickModelVersion,
  resolveDeclaredModel,
  resolveDeployTarget,
} from '../../../../src/engine/deploy/deployTargets';
import type { DeployTargetConfig, Pipeline } from '../../../../src/engine/pipeline/model';
import type { ModelVersionRecord, RegisteredModel } from '../../../../src/engine/registry/modelRegistry';

const position = { line: 1, column: 1 };
const target = (name: string, change: Partial<DeployTargetConfig> = {}): DeployTargetConfig => ({
  name,
  model: 'churn',
  runner: 'local',
  start: 'python3 serve.py --model {model}',
  gates: [],
  position,
  ...change,
});
const pipeline = (deploy: DeployTargetConfig[]) =>
  ({
    file: '/ws/mlc.yaml',
    root: '/ws',
    deploy,
    models: [{ name: 'churn', path: 'models/model.json', position }],
    runners: [
      { name: 'box', type: 'ssh', options: { host: 'gpu1' }, position },
      { name: 'cluster', type: 'slurm', options: {}, position },
    ],
  }) as unknown as Pipeline;

test('resolveDeployTarget finds a declared local target with its pipeline, and says why otherwise', () => {
  const pipelines = [pipeline([target('local'), target('remote', { runner: 'gpu' }), target('bare', { start: '' })])];
  const found = resolveDeployTarget(pipelines, 'local');
  assert.equal(found.ok && found.value.pipeline.root, '/ws');
  const unknown = resolveDeployTarget(pipelines, 'prod');
  assert.equal(!unknown.ok && unknown.message, "no deploy target 'prod'; mlc.yaml declares local, remote, bare.");
  const remote = resolveDeployTarget(pipelines, 'remote');
  assert.match(
    !remote.ok ? remote.message : '',
    /uses the runner 'gpu', which runners: in \/ws\/mlc\.yaml does not declare/,
  );
  const bare = resolveDeployTarget(pipelines, 'bare');
  assert.match(!bare.ok ? bare.message : '', /has no start command; add start: to it in \/ws\/mlc\.yaml/);
  const none = resolveDeployTarget([], 'local');
  assert.match(!none.ok ? none.message : '', /no mlc\.yaml here declares a deploy: section/);
});

test('resolveDeployTarget takes an ssh runner (the CLI and the extension alike), never a slurm runner', () => {
  const pipelines = [pipeline([target('ssh', { runner: 'box' }), target('batch', { runner: 'cluster' })])];
  const ssh = resolveDeployTarget(pipelines, 'ssh');
  assert.equal(ssh.ok && ssh.value.runner?.name, 'box');
  const local = resolveDeployTarget([pipeline([target('local')])], 'local');
  assert.equal(local.ok && local.value.runner, undefined);
  const slurm = resolveDeployTarget(pipelines, 'batch');
  assert.match(
    !slurm.ok ? slurm.message : '',
    /uses the slurm runner 'cluster': a model server runs until it is stopped/,
  );
});

test('resolveDeclaredModel refuses unsafe and undeclared names', () => {
  assert.equal(resolveDeclaredModel([pipeline([])], 'churn').ok, true);
  const unsafe = resolveDeclaredModel([pipeline([])], '../x');
  assert.match(!unsafe.ok ? unsafe.message : '', /cannot be a model name/);
  const missing = resolveDeclaredModel([pipeline([])], 'other');
  assert.match(!missing.ok ? missing.message : '', /no model 'other' under models:/);
});

test('pickModelVersion: the newest by default, a named one, or what exists', () => {
  const version = (number: number) => ({ model: 'churn', version: number }) as ModelVersionRecord;
  const model: RegisteredModel = { name: 'churn', versions: [version(1), version(2)], aliases: {} };
  const newest = pickModelVersion(model, undefined);
  assert.equal(newest.ok && newest.value.version, 2);
  const first = pickModelVersion(model, 1);
  assert.equal(first.ok && first.value.version, 1);
  const missing = pickModelVersion(model, 5);
  assert.equal(!missing.ok && missing.message, 'churn has no version 5; its versions are 1, 2.');
  const empty = pickModelVersion({ name: 'churn', versions: [], aliases: {} }, undefined);
  assert.match(!empty.ok ? empty.message : '', /register one with mlc register churn --run RUN_ID/);
});
