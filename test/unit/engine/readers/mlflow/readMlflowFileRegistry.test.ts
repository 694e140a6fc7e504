import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readMlflowFileRegistry } from '../../../../../src/engine/readers/mlflow/readMlflowFileRegistry';
import { createMemoryFileSystem } from '../../../../support/memoryFileSystem';
import { writeMlflowFileStore } from '../../../../support/mlflowFixtures';

const runId = 'ab'.repeat(16);

function registryStore() {
  const fs = createMemoryFileSystem();
  writeMlflowFileStore(fs, '/ws/mlruns', {
    experiments: [],
    models: [
      {
        name: 'churn-model',
        description: 'Predicts churn',
        createdAt: 1_700_000_000_000,
        updatedAt: 1_700_000_500_000,
        tags: { owner: 'ml-team' },
        aliases: { champion: 2, challenger: 3 },
        versions: [
          { version: 1, runId, source: `runs:/${runId}/model`, stage: 'Archived', createdAt: 1_700_000_100_000 },
          {
            version: 2,
            runId,
            source: `runs:/${runId}/model`,
            stage: 'Production',
            createdAt: 1_700_000_200_000,
            tags: { validated: 'yes' },
          },
          { version: 3, source: 'file:///models/3', createdAt: 1_700_000_300_000, status: 'PENDING_REGISTRATION' },
          { version: 4, source: 'file:///models/4', stage: 'Deleted_Internal', createdAt: 1_700_000_400_000 },
        ],
      },
      { name: 'another', createdAt: 1_700_000_000_000, versions: [] },
    ],
  });
  return fs;
}

test('readMlflowFileRegistry reads models, versions, stages, aliases and tags, hiding deleted versions', () => {
  const { value, problems } = readMlflowFileRegistry(registryStore(), '/ws/mlruns');
  assert.deepEqual(problems, []);
  assert.deepEqual(
    value.models.map((model) => model.name),
    ['another', 'churn-model'],
  );
  const model = value.models[1]!;
  assert.equal(model.description, 'Predicts churn');
  assert.equal(model.createdAt, 1_700_000_000_000);
  assert.equal(model.updatedAt, 1_700_000_500_000);
  assert.deepEqual(model.tags, { owner: 'ml-team' });
  assert.deepEqual(model.aliases, { champion: 2, challenger: 3 });
  assert.deepEqual(
    model.versions.map((version) => [version.version, version.stage, version.status, version.aliases]),
    [
      [1, 'Archived', 'READY', []],
      [2, 'Production', 'READY', ['champion']],
      [3, 'None', 'PENDING_REGISTRATION', ['challenger']],
    ],
  );
  assert.equal(model.versions[1]!.runId, runId);
  assert.equal(model.versions[1]!.source, `runs:/${runId}/model`);
  assert.deepEqual(model.versions[1]!.tags, { validated: 'yes' });
  assert.equal(model.versions[2]!.runId, undefined);
});

test('readMlflowFileRegistry reports a bad alias and a broken version meta, and keeps the rest', () => {
  const fs = registryStore();
  fs.writeFileAtomic('/ws/mlruns/models/churn-model/aliases/broken', 'three');
  fs.writeFileAtomic('/ws/mlruns/models/churn-model/version-2/meta.yaml', 'version: [2\n');
  const { value, problems } = readMlflowFileRegistry(fs, '/ws/mlruns');
  assert.deepEqual(problems.map((problem) => problem.code).sort(), ['mlflowMetaInvalid', 'mlflowRegistryAliasInvalid']);
  assert.deepEqual(
    value.models[1]!.versions.map((version) => version.version),
    [1, 3],
  );
});

test('a store without models/ has an empty registry', () => {
  const { value, problems } = readMlflowFileRegistry(createMemoryFileSystem(), '/ws/mlruns');
  assert.deepEqual(value, { location: '/ws/mlruns', models: [] });
  assert.deepEqual(problems, []);
});
