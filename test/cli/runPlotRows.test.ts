import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createWorkspace, runMlc } from '../support/mlcCli';

test('mlc run skips a plot row missing a middle cell and reports it once in the run events', async () => {
  const root = createWorkspace({
    'mlc.yaml': `stages:
  train:
    cmd: printf 'epoch,loss,acc\\n1,0.9,0.5\\n2,0.6\\n3,0.7,0.8\\n' > train.csv
    plots: [train.csv]
`,
  });
  const result = await runMlc(root, ['run', '--json']);
  assert.equal(result.code, 0, result.stderr);
  const directory = (JSON.parse(result.stdout) as { directory: string }).directory;
  const points = readFileSync(join(directory, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { name: string; step: number; value: number });
  assert.deepEqual(
    points.map((point) => `${point.name}@${point.step}=${point.value}`),
    ['loss@1=0.9', 'acc@1=0.5', 'loss@3=0.7', 'acc@3=0.8'],
  );
  const events = readFileSync(join(directory, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; stage?: string; problem?: { code: string; line: number } });
  const plotProblems = events.filter((event) => event.type === 'plotProblem');
  assert.deepEqual(
    plotProblems.map((event) => [event.stage, event.problem?.code, event.problem?.line]),
    [['train', 'seriesRowSkipped', 3]],
  );
});
