import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { suite, test } from 'node:test';
import type { RunRecord } from '../../src/engine/runStore/runRecord';
import { isProcessAlive } from '../../src/node/runStore/isOwnerAlive';
import { createWorkspace, runMlc, startMlc, waitFor } from '../support/mlcCli';

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
/** A live process (`sleep`) recorded as the owner of a running run, as a hung owner would look. */
function fakeOwner(root: string, kind: 'cli' | 'extension' | undefined, options: { readonly holdsLock: boolean }) {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  const exited = new Promise<{ signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (_code, signal) => resolve({ signal })),
  );
  const runId = `20261126-093000-${String(child.pid).padStart(6, '0')}`;
  const owner = { pid: child.pid!, hostname: hostname(), ...(kind ? { kind } : {}) };
  const now = Date.now();
  mkdirSync(join(root, '.mlc/runs', runId), { recursive: true });
  const record = {
    schema: 1,
    id: runId,
    status: 'running',
    startedAt: now,
    updatedAt: now,
    owner,
    workspace: root,
    targets: [],
    options: { jobs: 1, force: false, keepGoing: false, runner: 'local' },
    params: {},
    metrics: {},
    seriesLatest: {},
    stages: [],
  };
  writeFileSync(join(root, '.mlc/runs', runId, 'run.json'), JSON.stringify(record));
  if (options.holdsLock) {
    writeFileSync(
      join(root, '.mlc/lock'),
      JSON.stringify({ runId, pid: owner.pid, hostname: owner.hostname, acquiredAt: now }),
    );
  }
  return { child, runId, exited };
}

const readRecord = (directory: string) => JSON.parse(readFileSync(join(directory, 'run.json'), 'utf8')) as RunRecord;

suite('mlc stop', { concurrency: 2 }, () => {
  test('stops a run started by another mlc process through a stop request: its stages die, it is recorded cancelled, no lock entry', async () => {
    const root = createWorkspace({ 'mlc.yaml': blocking });
    const mlc = startMlc(root, ['run']);
    const child = await waitFor(
      () => existsSync(join(root, 'child.pid')) && Number(readFileSync(join(root, 'child.pid'), 'utf8')),
      20_000,
      'the stage to start',
    );
    const runId = readRecord(runFolder(root)!).id;
    const stopped = await runMlc(root, ['stop', runId]);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(
      stopped.stdout.trim(),
      new RegExp(
        `^Stopped run ${runId} \\(cancelled\\): its mlc run process \\(pid ${mlc.child.pid} on .*\\) honoured the stop request\\.$`,
      ),
    );
    const run = await mlc.done;
    assert.equal(run.code, 1);
    assert.equal(run.signal, null, 'mlc run ended by itself, not by a signal');
    const record = readRecord(runFolder(root)!);
    assert.equal(record.status, 'cancelled');
    assert.equal(record.owner.kind, 'cli');
    assert.equal(record.stopRequest?.by.command, 'mlc stop');
    assert.match(record.message ?? '', /^cancelled: stop requested by mlc stop \(pid \d+/);
    assert.equal(record.stages[0]!.status, 'cancelled');
    assert.equal(existsSync(join(runFolder(root)!, 'stop-requested')), true);
    assert.equal(existsSync(join(root, 'out.txt')), false);
    assert.equal(existsSync(join(root, 'mlc.lock')), false, 'no lock entry for the killed stage');
    await waitFor(() => !isProcessAlive(child), 5000, 'the stage child to die');

    const again = await runMlc(root, ['stop', runId]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /is not running \(it is cancelled\)/);
  });

  test('an mlc run process that ignores the stop request gets SIGTERM after the grace period, only while it holds the lock', async () => {
    const root = createWorkspace({ 'mlc.yaml': blocking });
    // A stand-in for a hung `mlc run`: recorded as a CLI owner, holding .mlc/lock, never reading requests.
    const owner = fakeOwner(root, 'cli', { holdsLock: true });
    const stopped = await runMlc(root, ['stop', owner.runId, '--json']);
    assert.equal(stopped.code, 0, stopped.stderr);
    const answer = JSON.parse(stopped.stdout) as { result: string; how: string; status: string; message: string };
    assert.equal(answer.result, 'stopped');
    assert.equal(answer.how, 'signal');
    assert.equal(answer.status, 'interrupted');
    assert.match(answer.message, /did not answer the stop request and was sent SIGTERM/);
    assert.equal((await owner.exited).signal, 'SIGTERM');

    const unlocked = fakeOwner(root, 'cli', { holdsLock: false });
    const refused = await runMlc(root, ['stop', unlocked.runId]);
    assert.equal(refused.code, 1);
    assert.equal(isProcessAlive(unlocked.child.pid!), true, 'a pid without the lock is never signalled');
    unlocked.child.kill('SIGKILL');
  });

  test('a VS Code extension host (or an older owner) that does not answer is never signalled: exit 1 with a message', async () => {
    const root = createWorkspace({ 'mlc.yaml': blocking });
    const owners = [
      fakeOwner(root, 'extension', { holdsLock: true }),
      fakeOwner(root, undefined, { holdsLock: false }),
    ];
    try {
      // Both at once: each waits out the 5 s grace period.
      const answers = await Promise.all(owners.map((owner) => runMlc(root, ['stop', owner.runId])));
      for (const [index, owner] of owners.entries()) {
        const refused = answers[index]!;
        assert.equal(refused.code, 1);
        assert.match(refused.stderr, /did not answer the stop request within 5 s\. It was not signalled/);
        assert.equal(isProcessAlive(owner.child.pid!), true);
        assert.equal(existsSync(join(root, '.mlc/runs', owner.runId, 'stop-requested')), true);
      }
      assert.match(readFileSync(join(root, '.mlc/lock'), 'utf8'), new RegExp(owners[0]!.runId));
    } finally {
      for (const owner of owners) owner.child.kill('SIGKILL');
    }
  });

  test('an unknown run id or a missing argument is bad usage', async () => {
    const root = createWorkspace({ 'mlc.yaml': blocking });
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
