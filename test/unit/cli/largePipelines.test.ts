import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { toText } from '../../../src/cli/commands/dag';
import type { Pipeline } from '../../../src/engine/pipeline/model';
import { buildStageGraph } from '../../../src/engine/pipeline/stageGraph';
import { aStage } from '../../support/builders';
import { createWorkspace, runMlc, startMlc } from '../../support/mlcCli';

const workspaces: string[] = [];
after(() => {
  for (const root of workspaces) rmSync(root, { recursive: true, force: true });
});

/** A dvc.yaml of `count` plain independent stages. */
function plainStages(count: number): string {
  const lines = ['stages:'];
  for (let index = 0; index < count; index++) lines.push(`  s${index}:`, `    cmd: echo ${index}`);
  return `${lines.join('\n')}\n`;
}

test('mlc status on 20,000 stages in one file completes (stages are grouped per file in linear time)', async () => {
  const root = createWorkspace({ 'dvc.yaml': plainStages(20_000) });
  workspaces.push(root);
  const result = await runMlc(root, ['status']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^20000 stages: 20000 never-run$/m);
});

test('SIGTERM ends a long mlc status at once, even in the middle of synchronous work', async () => {
  // 100,000 stages keep status busy in synchronous parsing for seconds; SIGTERM must not wait.
  const root = createWorkspace({ 'dvc.yaml': plainStages(100_000) });
  workspaces.push(root);
  const status = startMlc(root, ['status']);
  await new Promise((resolveWait) => setTimeout(resolveWait, 500));
  status.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    status.done,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('status ignored SIGTERM for 60 s')), 60_000);
    }),
  ]).finally(() => clearTimeout(timer));
  assert.equal(result.signal, 'SIGTERM', `ended by the signal, not by finishing: ${result.stdout.slice(-200)}`);
});

test('dag text of a graph with 200,000 connected stages does not overflow the stack', () => {
  const file = '/ws/dvc.yaml';
  const stages = [aStage({ name: 'source', pipelineFile: file, outs: ['shared.csv'] })];
  for (let index = 0; index < 200_000; index++) {
    stages.push(aStage({ name: `s${index}`, pipelineFile: file, deps: ['shared.csv'] }));
  }
  const pipeline: Pipeline = {
    file,
    kind: 'dvc',
    root: '/ws',
    stages,
    runners: [],
    models: [],
    deploy: [],
    alerts: [],
    paramsFiles: [],
    metricsFiles: [],
    templateParams: {},
  };
  const text = toText(buildStageGraph([pipeline], '/ws').graph);
  assert.match(text, /^ {2}s199999 +<- source$/m);
  assert.match(text, /\n200001 stages, 200000 dependencies\.$/);
});
