import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pipeline, RunnerConfig, Stage } from '../../../../src/engine/pipeline/model';
import { TreeItemContext } from '../../../../src/extension/ids';
import { RunnerChecks } from '../../../../src/extension/views/runnerChecks';
import {
  declaredRunners,
  runnerRow,
  runnersUsedBy,
  type DeclaredRunner,
} from '../../../../src/extension/views/runnersViewModel';
import type { RunnerReachability } from '../../../../src/node/runners/checkRunner';
import { aStage } from '../../../support/builders';

const FILE = '/ws/mlc.yaml';
const aRunner = (name: string, type: RunnerConfig['type'], options: RunnerConfig['options'] = {}): RunnerConfig => ({
  name,
  type,
  options,
  position: { line: 1, column: 1 },
});
const aPipeline = (runners: RunnerConfig[], stages: Stage[] = []): Pipeline =>
  ({ file: FILE, kind: 'mlc', root: '/ws', stages, runners, models: [], deploy: [] }) as unknown as Pipeline;

const gpu = aRunner('gpu', 'ssh', { host: 'gpu-box', user: 'me', port: 2222 });
const hpc = aRunner('hpc', 'slurm', { partition: 'long', via: 'gpu' });
const broken = aRunner('broken', 'slurm', { via: 'hpc' });

test('the declared ssh and slurm runners are listed, local is not; a slurm runner resolves its ssh runner', () => {
  const listed = declaredRunners([aPipeline([aRunner('local', 'local'), gpu, hpc, broken])]);
  assert.deepEqual(
    listed.map((runner) => [runner.key, runner.placement.ok]),
    [
      [`${FILE}#gpu`, true],
      [`${FILE}#hpc`, true],
      [`${FILE}#broken`, false],
    ],
  );
  const viaSsh = listed[1]!.placement;
  assert.equal(viaSsh.ok && viaSsh.via?.name, 'gpu');
});

test('a row shows not checked, checking, reachable, or unreachable with the error text in its tooltip', () => {
  const [gpuRunner, hpcRunner, brokenRunner] = declaredRunners([aPipeline([gpu, hpc, broken])]) as [
    DeclaredRunner,
    DeclaredRunner,
    DeclaredRunner,
  ];
  const unchecked = runnerRow(gpuRunner, undefined, 'mlc.yaml');
  assert.equal(unchecked.description, 'ssh · me@gpu-box:2222 · not checked');
  assert.equal(unchecked.icon, 'circle-large-outline');
  assert.equal(unchecked.contextValue, TreeItemContext.runner);
  assert.equal(runnerRow(gpuRunner, { state: 'checking' }, 'mlc.yaml').icon, 'loading~spin');

  const reachable = runnerRow(
    hpcRunner,
    { state: 'checked', checkedAt: 0, result: { reachable: true, detail: 'slurm 23.02 on me@gpu-box:2222' } },
    'mlc.yaml',
  );
  assert.equal(reachable.description, 'slurm · partition long via gpu · reachable');
  assert.equal(reachable.icon, 'pass-filled');
  assert.match(reachable.tooltip, /slurm 23\.02 on me@gpu-box:2222/);

  const refused = 'the host me@gpu-box:2222 refused the login (Permission denied (publickey))';
  const unreachable = runnerRow(
    gpuRunner,
    { state: 'checked', checkedAt: 0, result: { reachable: false, message: refused } },
    'mlc.yaml',
  );
  assert.equal(unreachable.description, 'ssh · me@gpu-box:2222 · unreachable');
  assert.equal(unreachable.icon, 'error');
  assert.equal(unreachable.color, 'testing.iconFailed');
  assert.ok(unreachable.tooltip.includes(refused));

  const misconfigured = runnerRow(brokenRunner, undefined, 'mlc.yaml');
  assert.equal(misconfigured.icon, 'warning');
  assert.match(misconfigured.tooltip, /must be an ssh runner/);
});

test('the runners a run uses: the planned stages’ runner:, else the default runner setting', () => {
  const stages = [
    aStage({ name: 'prepare', pipelineFile: FILE }),
    { ...aStage({ name: 'train', pipelineFile: FILE }), runner: 'hpc' },
    { ...aStage({ name: 'evaluate', pipelineFile: FILE }), runner: 'gpu' },
  ];
  const pipelines = [aPipeline([gpu, hpc], stages)];
  const entries = stages.map((stage) => ({ address: stage.name, stage }));
  const keys = (runners: DeclaredRunner[]) => runners.map((runner) => runner.runner.name);
  assert.deepEqual(keys(runnersUsedBy(pipelines, entries, ['prepare', 'train'], 'local')), ['hpc']);
  assert.deepEqual(keys(runnersUsedBy(pipelines, entries, ['prepare'], 'gpu')), ['gpu']);
  assert.deepEqual(keys(runnersUsedBy(pipelines, entries, [], 'local')), []);
});

test('checks run side by side, one at a time per runner, and a check that throws reads as unreachable', async () => {
  const asked: string[] = [];
  let release: (result: RunnerReachability) => void = () => undefined;
  const checks = new RunnerChecks(
    (placement) => {
      asked.push(placement.runner.name);
      if (placement.runner.name === 'hpc') return Promise.reject(new Error('spawn ssh ENOENT'));
      return new Promise((resolve) => (release = resolve));
    },
    () => 7,
  );
  let changes = 0;
  checks.onDidChange(() => changes++);
  const runners = declaredRunners([aPipeline([gpu, hpc, broken])]);
  const first = checks.checkAll(runners);
  const second = checks.checkAll(runners.slice(0, 1));
  assert.deepEqual(asked, ['gpu', 'hpc'], 'gpu once although asked twice; the misconfigured runner never');
  assert.deepEqual(checks.state(runners[0]!.key), { state: 'checking' });
  release({ reachable: true, detail: 'me@gpu-box:2222' });
  await Promise.all([first, second]);
  assert.deepEqual(checks.state(runners[0]!.key), {
    state: 'checked',
    checkedAt: 7,
    result: { reachable: true, detail: 'me@gpu-box:2222' },
  });
  assert.deepEqual(checks.state(runners[1]!.key), {
    state: 'checked',
    checkedAt: 7,
    result: { reachable: false, message: 'Error: spawn ssh ENOENT' },
  });
  assert.equal(checks.state(runners[2]!.key), undefined);
  assert.equal(changes, 4, 'checking and checked, for each of the two runners');
});
