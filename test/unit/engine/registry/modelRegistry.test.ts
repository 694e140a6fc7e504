import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkVersionIntact,
  promoteAlias,
  readModelRegistry,
  registerModelVersion,
  versionArtifactPath,
} from '../../../../src/engine/registry/modelRegistry';
import { createFakeHasher } from '../../../support/deployFakes';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

const root = '/ws';

function setup() {
  const fs = createMemoryFileSystem({ [`${root}/models/model.json`]: '{"w": 1}' });
  const ports = {
    fs,
    hasher: createFakeHasher(fs),
    git: { state: () => Promise.resolve({ commit: 'c0ffee', dirty: false, user: 'Ada <ada@example.org>' }) },
    clock: { now: () => Date.UTC(2026, 0, 2) },
  };
  const register = (runId: string, extra: { runArtifactMd5?: string } = {}) =>
    registerModelVersion(ports, {
      workspaceRoot: root,
      model: 'churn',
      artifactPath: `${root}/models/model.json`,
      runId,
      metrics: { accuracy: 0.83 },
      params: { 'train.lr': 0.5 },
      ...extra,
    });
  return { fs, ports, register };
}

test('a version is an immutable copy: retraining the workspace file leaves registered versions unchanged', async () => {
  const { fs, ports, register } = setup();
  const first = await register('run-1');
  assert.ok(first.ok);
  assert.equal(first.value.version, 1);
  assert.equal(first.value.who, 'Ada <ada@example.org>');
  assert.equal(first.value.commit, 'c0ffee');
  assert.equal(first.value.sourcePath, 'models/model.json');
  fs.writeFileAtomic(`${root}/models/model.json`, '{"w": 2}');
  const second = await register('run-2');
  assert.ok(second.ok);
  assert.equal(second.value.version, 2);
  assert.equal(fs.readText(versionArtifactPath(root, first.value)), '{"w": 1}');
  assert.equal(fs.readText(versionArtifactPath(root, second.value)), '{"w": 2}');
  assert.deepEqual((await checkVersionIntact(ports.hasher, root, first.value)).ok, true);
});

test('an edited version copy is refused by the intact check', async () => {
  const { fs, ports, register } = setup();
  const first = await register('run-1');
  assert.ok(first.ok);
  fs.writeFileAtomic(versionArtifactPath(root, first.value), '{"w": "edited"}');
  const check = await checkVersionIntact(ports.hasher, root, first.value);
  assert.equal(check.ok, false);
  assert.match(!check.ok ? check.message : '', /modified after registration/);
});

test('a workspace artifact that is not what the run recorded is refused, and nothing is written', async () => {
  const { fs, register } = setup();
  const outcome = await register('run-1', { runArtifactMd5: '0'.repeat(32) });
  assert.equal(outcome.ok, false);
  assert.match(!outcome.ok ? outcome.message : '', /is not what run run-1 produced/);
  assert.deepEqual(readModelRegistry(fs, root).models, []);
});

test('an unfinished version folder (no version.json) is never reused', async () => {
  const { fs, register } = setup();
  fs.writeFileAtomic(`${root}/.mlc/registry/churn/versions/1/model.json`, 'half written');
  const outcome = await register('run-1');
  assert.ok(outcome.ok);
  assert.equal(outcome.value.version, 2);
  assert.equal(fs.readText(`${root}/.mlc/registry/churn/versions/1/model.json`), 'half written');
});

test('aliases move between versions and report where they pointed before', async () => {
  const { fs, register } = setup();
  await register('run-1');
  await register('run-2');
  assert.deepEqual(promoteAlias(fs, root, 'churn', 1, 'production'), { ok: true, value: {} });
  assert.deepEqual(promoteAlias(fs, root, 'churn', 1, 'staging'), { ok: true, value: {} });
  assert.deepEqual(promoteAlias(fs, root, 'churn', 2, 'production'), { ok: true, value: { previous: 1 } });
  const [model] = readModelRegistry(fs, root).models;
  assert.deepEqual(model?.aliases, { production: 2, staging: 1 });
  const missing = promoteAlias(fs, root, 'churn', 9, 'production');
  assert.equal(missing.ok, false);
  assert.match(!missing.ok ? missing.message : '', /no version 9; its versions are 1, 2/);
  assert.equal(promoteAlias(fs, root, 'churn', 1, '../evil').ok, false);
});
