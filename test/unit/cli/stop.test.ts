import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, suite, test } from 'node:test';
import type { RunRecord } from '../../../src/engine/runStore/runRecord';
import { isProcessAlive } from '../../../src/node/runStore/isOwnerAlive';
import { createWorkspace, runMlc, startMlc, waitFor } from '../../support/mlcCli';

const workspaces: string[] = [];
after(() => {
  for (const folder of workspaces) rmSync(folder, { recursive: true, force: true });
});

const blocking = `stages:
  block:
    cmd: sleep 60 & echo $! > child.pid; wait; echo done > out.txt
    deps: [mlc.yaml]
    outs: [out.txt]
`;

function runFolder(root: string): string | undefined {
  const runs = join(root, '.mlc/runs');
  if (!existsSync(runs)) return undefined;
  const [id] = readdirSync(runs);
  return id === undefined || !existsSync(join(runs, id, 'run.json')) ? undefined : join(runs, id);
}
const readRecord = (directory: string) => JSON.parse(readFileSync(join(directory, 'run.json'), 'utf8')) as RunRecord;

suite('mlc stop', { concurrency: 2 }, () => {
  test('stops a run started by another process: its stages die and it is recorded cancelled', async () => {
    const root = createWorkspace({ 'mlc.yaml': blocking });
    workspaces.push(root);
    const mlc = startMlc(root, ['run']);
    const child = await waitFor(
      () => existsSync(join(root, 'child.pid')) && Number(readFileSync(join(root, 'child.pid'), 'utf8')),
      20_000,
      'the stage to start',
    );
    const runId = readRecord(runFolder(root)!).id;
    const stopped = await runMlc(root, ['stop', runId]);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal(stopped.stdout.trim(), `Stopped run ${runId} (cancelled).`);
    const run = await mlc.done;
    assert.equal(run.code, 1);
    const record = readRecord(runFolder(root)!);
    assert.equal(record.status, 'cancelled');
    assert.equal(record.stages[0]!.status, 'cancelled');
    assert.equal(existsSync(join(root, 'out.txt')), false);
    await waitFor(() => !isProcessAlive(child), 5000, 'the stage child to die');

    const again = await runMlc(root, ['stop', runId]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /is not running \(it is cancelled\)/);
  });

  test('an unknown run id or a missing argument is bad usage', async () => {
    const root = createWorkspace({ 'mlc.yaml': blocking });
    workspaces.push(root);
    const unknown = await runMlc(root, ['stop', '20261126-000000-abcdef']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no run '20261126-000000-abcdef'/);
    const hostile = await runMlc(root, ['stop', '../../$(touch pwned)']);
    assert.equal(hostile.code, 2);
    assert.equal(existsSync(join(root, 'pwned')), false);
    const missing = await runMlc(root, ['stop']);
    assert.equal(missing.code, 2);
  });
});
