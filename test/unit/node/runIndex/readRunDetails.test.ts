import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { nodeFileSystem } from '../../../../src/node/nodeFileSystem';
import { createRunIndexClient } from '../../../../src/node/runIndex/createRunIndexClient';
import { readLogTail } from '../../../../src/node/runIndex/readRunDetails';
import { createWorkspace, runMlc } from '../../../support/mlcCli';

test('run details of an mlc run carry its stages, the failure reason, hashes and log tails', async (t) => {
  const root = createWorkspace({
    'mlc.yaml':
      'stages:\n  prepare:\n    cmd: echo prepared > data.txt\n    outs: [data.txt]\n' +
      '  train:\n    cmd: echo training; echo broken >&2; exit 3\n    deps: [data.txt]\n',
  });
  assert.equal((await runMlc(root, ['run'])).code, 1);
  const client = createRunIndexClient({ workspaceRoot: root, cachePath: false, mode: 'inThread' });
  t.after(() => client.dispose());
  const { runs } = await client.listRuns();
  const details = await client.runDetails(runs[0]!.id);
  assert.equal(details.run?.status, 'failed');
  assert.match(details.reason ?? '', /^train: .*3/);
  assert.deepEqual(
    details.stages.map((stage) => [stage.address, stage.status]),
    [
      ['prepare', 'succeeded'],
      ['train', 'failed'],
    ],
  );
  assert.match(Object.values(details.stages[0]!.outs)[0] ?? '', /^[0-9a-f]{32}$/);
  const trainLog = details.logs.find((log) => log.file.endsWith('train.log'))!;
  assert.deepEqual(
    trainLog.lines.map((line) => line.replace(/^\S+ /, '')),
    ['stdout training', 'stderr broken'],
  );
  const unknown = await client.runDetails('no-such-run');
  assert.equal(unknown.run, undefined);
});

test('a log tail reads only the end of a big log and drops the cut first line', () => {
  const root = createWorkspace({});
  const file = join(root, 'big.log');
  fs.writeFileSync(file, Array.from({ length: 20_000 }, (_value, index) => `line ${index}`).join('\n') + '\n');
  const tail = readLogTail(nodeFileSystem, file)!;
  assert.equal(tail.truncated, true);
  assert.equal(tail.lines.length, 200);
  assert.equal(tail.lines.at(-1), 'line 19999');
  assert.equal(tail.lines[0], 'line 19800');
});

test('run details say where each stage ran: nothing for this machine, runner, host and Slurm job otherwise', async (t) => {
  const root = createWorkspace({
    'mlc.yaml': 'stages:\n  prepare:\n    cmd: echo prepared\n  train:\n    cmd: echo trained\n',
  });
  assert.equal((await runMlc(root, ['run'])).code, 0);
  // The placement a Slurm runner records while its job waits (runStage's onPlacement).
  const runsFolder = join(root, '.mlc', 'runs');
  const recordFile = join(
    runsFolder,
    fs.readdirSync(runsFolder).find((name) => !name.startsWith('.'))!,
    'run.json',
  );
  const record = JSON.parse(fs.readFileSync(recordFile, 'utf8')) as { stages: Record<string, unknown>[] };
  Object.assign(
    record.stages.find((stage) => stage.address === 'train')!,
    {
      runner: 'cluster',
      host: 'me@login',
      jobId: '42',
      queuedReason: 'Priority',
    },
  );
  fs.writeFileSync(recordFile, JSON.stringify(record));
  const client = createRunIndexClient({ workspaceRoot: root, cachePath: false, mode: 'inThread' });
  t.after(() => client.dispose());
  const { runs } = await client.listRuns();
  const details = await client.runDetails(runs[0]!.id);
  assert.deepEqual(
    details.stages.map((stage) => [stage.address, stage.where]),
    [
      ['prepare', undefined],
      ['train', 'cluster · me@login · Slurm job 42 · queued: Priority'],
    ],
  );
});
