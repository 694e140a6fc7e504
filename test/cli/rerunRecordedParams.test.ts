// Run Details' Rerun with "the same params": after the params file changed, the rerun's steps
// (planParamsRestore, then rerunWithRecordedParams with the user agreeing) put the recorded
// values back and the new run, a real `mlc run --force`, records and uses exactly those values.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { planParamsRestore } from '../../src/engine/params/planParamsRestore';
import { loadWorkspace } from '../../src/engine/pipeline/loadWorkspace';
import { rerunWithRecordedParams } from '../../src/extension/panels/rerunWithRecordedParams';
import { nodeFileSystem } from '../../src/node/nodeFileSystem';
import { createWorkspace, runMlc } from '../support/mlcCli';

interface ShownRun {
  readonly id: string;
  readonly params: Record<string, unknown>;
}

async function runJson(root: string, args: string[]): Promise<string> {
  const result = await runMlc(root, ['run', '--json', ...args]);
  assert.equal(result.code, 0, result.stderr);
  return (JSON.parse(result.stdout) as { runId: string }).runId;
}

async function shown(root: string, runId: string): Promise<ShownRun> {
  const result = await runMlc(root, ['show', runId, '--json']);
  assert.equal(result.code, 0, result.stderr);
  const parsed = JSON.parse(result.stdout) as ShownRun | { run: ShownRun };
  return 'run' in parsed ? parsed.run : parsed;
}

/**
 * Run Details' Rerun as the panel does it, the user agreeing: plans the restore of `recorded`,
 * writes the files atomically and reruns with `mlc run --force`. Returns the new run's id.
 */
async function rerunAgreeing(
  root: string,
  recorded: Record<string, unknown>,
): Promise<{ rerunId: string; notRestorable: ReadonlyArray<{ key: string }> }> {
  const stages = loadWorkspace(nodeFileSystem, root).graph.stages;
  const plan = planParamsRestore(nodeFileSystem, stages, recorded as Record<string, number>);
  let rerunId = '';
  const outcome = await rerunWithRecordedParams(plan, {
    confirm: async () => true,
    writeFile: (file, text) => nodeFileSystem.writeFileAtomic(file, text),
    rerun: async () => {
      rerunId = await runJson(root, ['--force']);
    },
    displayPath: (file) => file,
  });
  assert.equal(outcome, 'ran');
  return { rerunId, notRestorable: plan.notRestorable };
}

test('a rerun of a run puts its recorded params back into params.yaml and runs with them', async () => {
  const root = createWorkspace({
    '.mlc/.keep': '',
    'mlc.yaml':
      "stages:\n  train:\n    cmd: node -e \"require('fs').writeFileSync('used.txt', process.argv[1])\" ${train.lr}\n" +
      '    params: [train.lr, seed]\n    outs: [used.txt]\n',
    'params.yaml': '# tuned\ntrain:\n  lr: 0.01\nseed: 7\n',
  });
  const first = await runJson(root, []);
  const recorded = (await shown(root, first)).params;
  assert.deepEqual(recorded, { 'train.lr': 0.01, seed: 7 });

  writeFileSync(join(root, 'params.yaml'), '# tuned\ntrain:\n  lr: 0.5\nseed: 7\n');
  const { rerunId, notRestorable } = await rerunAgreeing(root, recorded);
  assert.deepEqual(notRestorable, []);
  assert.equal(readFileSync(join(root, 'params.yaml'), 'utf8'), '# tuned\ntrain:\n  lr: 0.01\nseed: 7\n');
  assert.notEqual(rerunId, first);
  assert.deepEqual((await shown(root, rerunId)).params, recorded, 'the new run recorded the same params');
  assert.equal(readFileSync(join(root, 'used.txt'), 'utf8'), '0.01', 'and its command ran with them');
});

test('a rerun puts recorded params back into JSON and TOML params files in place and runs with them', async () => {
  const json = '{\n  "train": {\n    "lr": 0.01,\n    "epochs": 3\n  }\n}\n';
  const toml = '# data\n[data]\nsplit = 0.2 # held out\n';
  const root = createWorkspace({
    '.mlc/.keep': '',
    'mlc.yaml':
      'stages:\n  train:\n    cmd: cat params.json params.toml > used.txt\n' +
      '    params:\n      - params.json: [train.lr]\n      - params.toml: [data.split]\n    outs: [used.txt]\n',
    'params.json': json,
    'params.toml': toml,
  });
  const first = await runJson(root, []);
  const recorded = (await shown(root, first)).params;
  assert.deepEqual(recorded, { 'train.lr': 0.01, 'data.split': 0.2 });

  writeFileSync(join(root, 'params.json'), json.replace('0.01', '0.5'));
  writeFileSync(join(root, 'params.toml'), toml.replace('0.2', '0.3'));
  const { rerunId, notRestorable } = await rerunAgreeing(root, recorded);
  assert.deepEqual(notRestorable, []);
  assert.equal(readFileSync(join(root, 'params.json'), 'utf8'), json, 'the JSON file as it was, indentation kept');
  assert.equal(readFileSync(join(root, 'params.toml'), 'utf8'), toml, 'the TOML file as it was, comments kept');
  assert.deepEqual((await shown(root, rerunId)).params, recorded, 'the new run recorded the same params');
  assert.equal(readFileSync(join(root, 'used.txt'), 'utf8'), json + toml, 'and its command ran with them');
});
