import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planRun, type SchedulerNode, type StageStatusView } from '../../../../src/engine/scheduler/planRun';
import { aStage } from '../../../support/builders';

// prepare -> train -> evaluate, and report beside them (independent).
const nodes: SchedulerNode[] = [
  { address: 'prepare', stage: aStage({ name: 'prepare' }), upstream: [] },
  { address: 'train', stage: aStage({ name: 'train' }), upstream: ['prepare'] },
  { address: 'evaluate', stage: aStage({ name: 'evaluate' }), upstream: ['train'] },
  { address: 'report', stage: aStage({ name: 'report' }), upstream: [] },
];
const upToDate: StageStatusView = { state: 'up-to-date', reasons: [] };
const statuses = (changes: Record<string, StageStatusView>) =>
  new Map(nodes.map((node) => [node.address, changes[node.address] ?? upToDate]));

test('planRun keeps changed stages and plans their downstream conditionally, in topological order', () => {
  const plan = planRun(nodes, statuses({ train: { state: 'changed', reasons: ['dep train.py modified'] } }), {
    targets: [],
    force: false,
  });
  assert.deepEqual(
    plan.stages.map((stage) => [stage.address, stage.definite, stage.reasons]),
    [
      ['train', true, ['dep train.py modified']],
      ['evaluate', false, ['upstream stage train runs first']],
    ],
  );
  assert.deepEqual(plan.upToDate, ['prepare', 'report']);
});

test('planRun with targets selects them and their upstream only', () => {
  const plan = planRun(
    nodes,
    statuses({ prepare: { state: 'never-run', reasons: ['never run'] }, report: { state: 'never-run', reasons: [] } }),
    { targets: ['train'], force: false },
  );
  assert.deepEqual(
    plan.stages.map((stage) => stage.address),
    ['prepare', 'train'],
  );
  assert.equal(plan.stages[1]!.definite, false);
});

test('planRun --force forces the targets and everything upstream of them, frozen stages too (dvc repro -f)', () => {
  const frozenNodes = nodes.map((node) =>
    node.address === 'prepare' ? { ...node, stage: { ...node.stage, frozen: true } } : node,
  );
  const plan = planRun(frozenNodes, statuses({}), { targets: ['train'], force: true });
  assert.deepEqual(
    plan.stages.map((stage) => [stage.address, stage.definite, stage.reasons[0]]),
    [
      ['prepare', true, 'forced (--force)'],
      ['train', true, 'forced (--force)'],
    ],
  );
});

test('planRun never runs a frozen stage without --force, but its changed downstream still runs', () => {
  const plan = planRun(
    nodes,
    statuses({ prepare: { state: 'frozen', reasons: [] }, train: { state: 'changed', reasons: ['params changed'] } }),
    { targets: [], force: false },
  );
  assert.deepEqual(plan.frozen, ['prepare']);
  assert.deepEqual(
    plan.stages.map((stage) => [stage.address, stage.upstream]),
    [
      ['train', []],
      ['evaluate', ['train']],
    ],
  );
});
