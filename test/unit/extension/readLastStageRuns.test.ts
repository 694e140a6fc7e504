import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Stage } from '../../../src/engine/pipeline/model';
import type { WorkspaceView } from '../../../src/extension/engineServices';
import { readLastStageRuns } from '../../../src/extension/readLastStageRuns';
import { createMemoryFileSystem } from '../../support/memoryFileSystem';
import { aStage as aStageFrom } from '../../support/builders';

const aStage = (name: string, overrides: Partial<Stage> = {}): Stage => ({
  ...aStageFrom({ name, pipelineFile: '/ws/mlc.yaml', cmd: `echo ${name}` }),
  ...overrides,
});

const aRunRecord = (id: string, stages: Array<{ address: string; status: string; durationMs?: number }>) =>
  JSON.stringify({
    schema: 1,
    id,
    status: 'succeeded',
    startedAt: 0,
    stages: stages.map((stage) => ({ ...stage, name: stage.address, pipeline: 'mlc.yaml', reasons: [], attempts: [] })),
  });

test('the newest final execution of each stage wins, skipped and up-to-date entries do not count', () => {
  const train = aStage('train', {
    outs: [
      { path: 'metrics/train.json', position: { line: 5, column: 9 }, kind: 'metric', cache: false, persist: false },
    ],
  });
  const view: WorkspaceView = {
    root: '/ws',
    pipelines: [],
    problems: [],
    stages: [
      { address: 'prepare', stage: aStage('prepare') },
      { address: 'train', stage: train },
    ],
  };
  const fs = createMemoryFileSystem({
    '/ws/.mlc/runs/20261126-080000-aaaaaa/run.json': aRunRecord('20261126-080000-aaaaaa', [
      { address: 'prepare', status: 'succeeded', durationMs: 1000 },
      { address: 'train', status: 'failed', durationMs: 2000 },
    ]),
    '/ws/.mlc/runs/20261126-090000-bbbbbb/run.json': aRunRecord('20261126-090000-bbbbbb', [
      { address: 'prepare', status: 'up-to-date' },
      { address: 'train', status: 'succeeded', durationMs: 3000 },
    ]),
    '/ws/.mlc/runs/20261126-100000-cccccc/run.json': '{ torn',
    '/ws/metrics/train.json': JSON.stringify({ accuracy: 0.9, nested: { loss: 0.25 } }),
  });
  const runs = readLastStageRuns(fs, view);
  assert.deepEqual(runs.get('prepare'), {
    runId: '20261126-080000-aaaaaa',
    status: 'succeeded',
    durationMs: 1000,
    metrics: {},
  });
  assert.equal(runs.get('train')?.runId, '20261126-090000-bbbbbb');
  assert.equal(runs.get('train')?.durationMs, 3000);
  assert.deepEqual(runs.get('train')?.metrics, { accuracy: 0.9, 'nested.loss': 0.25 });
});

test('a workspace without runs has no stage history', () => {
  const view: WorkspaceView = { root: '/ws', pipelines: [], problems: [], stages: [] };
  assert.equal(readLastStageRuns(createMemoryFileSystem({}), view).size, 0);
});

test('the last execution of a stage on a remote runner says where it ran', () => {
  const view: WorkspaceView = {
    root: '/ws',
    pipelines: [],
    problems: [],
    stages: ['prepare', 'train'].map((name) => ({ address: name, stage: aStage(name) })),
  };
  const fs = createMemoryFileSystem({
    '/ws/.mlc/runs/20261126-080000-aaaaaa/run.json': JSON.stringify({
      schema: 1,
      id: '20261126-080000-aaaaaa',
      status: 'succeeded',
      startedAt: 0,
      stages: [
        { address: 'prepare', name: 'prepare', status: 'succeeded', reasons: [], attempts: [] },
        {
          ...{ address: 'train', name: 'train', status: 'succeeded', reasons: [], attempts: [] },
          ...{ runner: 'cluster', host: 'me@login', jobId: '42' },
        },
      ],
    }),
  });
  const runs = readLastStageRuns(fs, view);
  assert.equal(runs.get('prepare')?.where, undefined);
  assert.equal(runs.get('train')?.where, 'cluster · me@login · Slurm job 42');
});
