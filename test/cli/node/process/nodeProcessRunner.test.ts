import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ProcessSpec } from '../../../../src/engine/scheduler/ports';
import { nodeProcessRunner } from '../../../../src/node/process/nodeProcessRunner';
import { isProcessAlive } from '../../../../src/node/runStore/isOwnerAlive';
import { makeTempDir } from '../../../support/tempDir';

function spec(command: string, extra: Partial<ProcessSpec> = {}): ProcessSpec & { lines: string[] } {
  const lines: string[] = [];
  return {
    command,
    cwd: tmpdir(),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    onLine: (stream, line) => lines.push(`${stream}:${line}`),
    lines,
    ...extra,
  };
}

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

test('a command runs under /bin/sh in its cwd with its env, and its output arrives line by line', async () => {
  const folder = makeTempDir('mlc-runner-');
  const job = spec('printf "a\\nb"; echo "$GREETING" >&2; pwd; exit 3', {
    cwd: folder,
    env: { GREETING: 'hi', PATH: '/usr/bin:/bin' },
  });
  const result = await nodeProcessRunner.start(job, new AbortController().signal).result;
  assert.equal(result.exitCode, 3);
  assert.equal(result.timedOut, false);
  assert.deepEqual(job.lines.sort(), ['stderr:hi', 'stdout:a', `stdout:b${folder}`].sort());
});

test('a start removes the paths it is given first: a file, a folder with its contents, a dangling symlink, and a missing path without error', async (t) => {
  const folder = makeTempDir('mlc-runner-remove-', t);
  writeFileSync(join(folder, 'file.out'), 'stale');
  mkdirSync(join(folder, 'dir.out/nested'), { recursive: true });
  writeFileSync(join(folder, 'dir.out/nested/data'), 'stale');
  symlinkSync(join(folder, 'nowhere'), join(folder, 'link.out'));
  const removed = ['file.out', 'dir.out', 'link.out', 'missing.out'].map((name) => join(folder, name));
  // The command sees none of them: they were removed before it started.
  const job = spec('ls -A', { cwd: folder, removeBeforeStart: removed });
  const result = await nodeProcessRunner.start(job, new AbortController().signal).result;
  assert.equal(result.exitCode, 0);
  assert.equal(result.startError, undefined);
  assert.deepEqual(job.lines, []);
  for (const path of removed)
    assert.equal(existsSync(path) || lstatSync(path, { throwIfNoEntry: false }) !== undefined, false, path);
});

test('a timeout kills the whole process group, children included', async () => {
  const folder = makeTempDir('mlc-runner-');
  // The shell starts a background sleep (same process group) and records its pid, then waits.
  const job = spec('sleep 30 & echo $! > child.pid; wait', { cwd: folder, timeoutMs: 300, killGraceMs: 1000 });
  const started = Date.now();
  const result = await nodeProcessRunner.start(job, new AbortController().signal).result;
  assert.equal(result.timedOut, true);
  assert.equal(result.signal, 'SIGTERM');
  // Far below the 30 s sleep: the timeout, not the sleep, ended it (a bound, not a speed target).
  assert.ok(Date.now() - started < 20_000);
  const child = Number(readFileSync(join(folder, 'child.pid'), 'utf8'));
  assert.ok(await waitUntil(() => !isProcessAlive(child)), `child sleep ${child} survived the timeout`);
});

test('a process that ignores SIGTERM is killed with SIGKILL after the grace period', async () => {
  const job = spec("trap '' TERM; echo ready; sleep 30 & wait; sleep 30", { killGraceMs: 300 });
  const abort = new AbortController();
  const running = nodeProcessRunner.start(job, abort.signal);
  await waitUntil(() => job.lines.includes('stdout:ready'));
  const aborted = Date.now();
  abort.abort();
  const result = await running.result;
  assert.equal(result.cancelled, true);
  assert.ok(Date.now() - aborted >= 250, 'waited for the grace period');
  assert.ok(!isProcessAlive(running.pid!));
  let groupAlive = true;
  try {
    process.kill(-running.pid!, 0);
  } catch {
    groupAlive = false;
  }
  assert.equal(groupAlive, false, 'no member of the process group survives');
});

test('a missing working directory is a start error, not a crash', async () => {
  const result = await nodeProcessRunner.start(
    spec('true', { cwd: '/nonexistent/folder' }),
    new AbortController().signal,
  ).result;
  assert.equal(result.exitCode, undefined);
  assert.match(result.startError ?? '', /ENOENT/);
});

test('a background child holding the output pipes does not keep the stage waiting', async () => {
  const job = spec('sleep 60 & echo done');
  const started = Date.now();
  const result = await nodeProcessRunner.start(job, new AbortController().signal).result;
  assert.equal(result.exitCode, 0);
  // Far below the 60 s the background sleep holds the pipes: the stage did not wait for it.
  assert.ok(Date.now() - started < 30_000);
  assert.deepEqual(job.lines, ['stdout:done']);
});
