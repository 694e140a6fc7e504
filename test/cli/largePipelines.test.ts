import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { toText } from '../../src/cli/commands/dag';
import type { Pipeline } from '../../src/engine/pipeline/model';
import { emptyPipeline } from '../../src/engine/pipeline/parseDvcPipeline';
import { buildStageGraph } from '../../src/engine/pipeline/stageGraph';
import { aStage } from '../support/builders';
import { createWorkspace, runMlc, startMlc, waitFor } from '../support/mlcCli';

/** A dvc.yaml of `count` plain independent stages. */
function plainStages(count: number): string {
  const lines = ['stages:'];
  for (let index = 0; index < count; index++) lines.push(`  s${index}:`, `    cmd: echo ${index}`);
  return `${lines.join('\n')}\n`;
}

test('mlc status on 20,000 stages in one file completes (stages are grouped per file in linear time)', async () => {
  const root = createWorkspace({ 'dvc.yaml': plainStages(20_000) });
  const result = await runMlc(root, ['status']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^20000 stages: 20000 never-run$/m);
});

test('SIGTERM ends a long mlc status at once, even in the middle of synchronous work', async () => {
  // 100,000 stages keep status busy in synchronous parsing for seconds; SIGTERM must not wait.
  const root = createWorkspace({ 'dvc.yaml': plainStages(100_000) });
  const pipelineBytes = statSync(join(root, 'dvc.yaml')).size;
  const status = startMlc(root, ['status']);
  // Signal only once mlc has read the pipeline file (Linux counts the bytes a process read), so
  // the signal lands in the busy part, after start-up, whatever the machine's speed.
  await waitFor(() => bytesRead(status.child.pid!) > pipelineBytes, 60_000, 'mlc status to read dvc.yaml');
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

/** Bytes the process has read so far (`rchar` of /proc/PID/io); 0 once it is gone. */
function bytesRead(pid: number): number {
  try {
    return Number(/^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

test('dag text of a graph with 200,000 connected stages does not overflow the stack', () => {
  const file = '/ws/dvc.yaml';
  const stages = [aStage({ name: 'source', pipelineFile: file, outs: ['shared.csv'] })];
  for (let index = 0; index < 200_000; index++) {
    stages.push(aStage({ name: `s${index}`, pipelineFile: file, deps: ['shared.csv'] }));
  }
  const pipeline: Pipeline = { ...emptyPipeline(file, 'dvc'), stages };
  const text = toText(buildStageGraph([pipeline], '/ws').graph);
  assert.match(text, /^ {2}s199999 +<- source$/m);
  assert.match(text, /\n200001 stages, 200000 dependencies\.$/);
});
