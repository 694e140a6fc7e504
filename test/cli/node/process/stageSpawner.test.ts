import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import type { ProcessResult, ProcessSpec } from '../../../../src/engine/scheduler/ports';
import { startProcess } from '../../../../src/node/process/nodeProcessRunner';
import { canUseStageSpawner, createStageSpawner, type StageSpawner } from '../../../../src/node/process/stageSpawner';
import { isProcessAlive } from '../../../../src/node/runStore/isOwnerAlive';
import { waitFor } from '../../../support/mlcCli';
import { makeTempDir } from '../../../support/tempDir';

const skip = canUseStageSpawner() ? false : 'no /bin/sh with setsid and mkfifo here: stages are spawned by Node';

interface Ran {
  readonly result: ProcessResult;
  readonly lines: string[];
  readonly pid: number | undefined;
}

async function run(spawner: StageSpawner, command: string, extra: Partial<ProcessSpec> = {}, signal?: AbortSignal) {
  const lines: string[] = [];
  let pid: number | undefined;
  const running = spawner.start(
    {
      command,
      cwd: tmpdir(),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      onLine: (stream, line) => lines.push(`${stream}:${line}`),
      ...extra,
    },
    signal ?? new AbortController().signal,
    (startedPid) => (pid = startedPid),
  );
  assert.ok(running, 'the spawner took the command');
  const result = await running.result;
  return { result, lines, pid } satisfies Ran;
}

function readPid(folder: string, name: string): Promise<number> {
  return waitFor(
    () => {
      try {
        return Number(readFileSync(join(folder, name), 'utf8')) || undefined;
      } catch {
        return undefined;
      }
    },
    60_000,
    `${name} to be written`,
  );
}

test(
  'a command runs in its cwd, in its own session, with its output line by line and its exit code',
  { skip },
  async () => {
    const spawner = createStageSpawner();
    try {
      const folder = makeTempDir('mlc-spawner-');
      const ran = await run(
        spawner,
        'printf "a\\nb\\n"; echo "$GREETING" >&2; pwd; ps -o sid= -p $$; echo $$; exit 3',
        {
          cwd: folder,
          env: { GREETING: 'hi', PATH: process.env.PATH ?? '/usr/bin:/bin' },
        },
      );
      assert.equal(ran.result.exitCode, 3);
      assert.equal(ran.result.signal, undefined);
      const stdout = ran.lines.filter((line) => line.startsWith('stdout:'));
      assert.deepEqual(stdout.slice(0, 3), ['stdout:a', 'stdout:b', `stdout:${folder}`]);
      // Its own session (setsid): the session id is its pid, as with spawn's `detached: true`.
      assert.equal(Number(stdout[3]!.slice('stdout:'.length)), ran.pid);
      assert.equal(stdout[4], `stdout:${ran.pid}`);
      assert.ok(ran.lines.includes('stderr:hi'));
    } finally {
      spawner.dispose();
    }
  },
);

test('an exit code above 128 and a death by a signal are told apart, as Node tells them', { skip }, async () => {
  const spawner = createStageSpawner();
  try {
    const exited = await run(spawner, 'exit 143');
    assert.deepEqual([exited.result.exitCode, exited.result.signal], [143, undefined]);
    const terminated = await run(spawner, 'kill -TERM $$');
    assert.deepEqual([terminated.result.exitCode, terminated.result.signal], [undefined, 'SIGTERM']);
    const killed = await run(spawner, 'kill -KILL $$');
    assert.deepEqual([killed.result.exitCode, killed.result.signal], [undefined, 'SIGKILL']);
    const ok = await run(spawner, 'true');
    assert.deepEqual([ok.result.exitCode, ok.result.signal], [0, undefined]);
  } finally {
    spawner.dispose();
  }
});

test(
  'the environment, the command and the cwd arrive byte for byte (quotes, $, newlines, non-ASCII)',
  { skip },
  async () => {
    const spawner = createStageSpawner();
    try {
      const folder = makeTempDir("mlc spawner 'q' $x\n-");
      const awkward = `it's "$HOME" \`id\` $(id) \\ \n\ttab ;|&<> * ~ é \u0001\u007f\u00ff end`;
      const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/home/x', KEEP: 'k', DROP: 'gone' };
      // The first command sets the spawner's environment; the second differs from it by a set, a
      // changed and an unset variable, which the wrapper applies.
      await run(spawner, 'true', { env: base });
      const env = { ...base, KEEP: awkward, NEW: `new\n${awkward}` } as Record<string, string>;
      delete env.DROP;
      const nodeLines: string[] = [];
      const viaNode = await startProcess(
        {
          command: 'env; echo "--$PWD"',
          cwd: folder,
          env,
          onLine: (stream, line) => nodeLines.push(`${stream}:${line}`),
        },
        new AbortController().signal,
      ).result;
      const viaSpawner = await run(spawner, 'env; echo "--$PWD"', { cwd: folder, env });
      assert.equal(viaNode.exitCode, 0);
      assert.equal(viaSpawner.result.exitCode, 0);
      assert.deepEqual([...viaSpawner.lines].sort(), [...nodeLines].sort());
      assert.ok(viaSpawner.lines.includes(`stdout:KEEP=it's "$HOME" \`id\` $(id) \\ `));
      assert.ok(!viaSpawner.lines.some((line) => line.startsWith('stdout:DROP=')));
      const command = await run(spawner, `printf '%s\\n' ${"'"}${awkward.replaceAll("'", `'"'"'`)}${"'"}`);
      assert.deepEqual(
        command.lines,
        awkward.split('\n').map((line) => `stdout:${line}`),
      );
    } finally {
      spawner.dispose();
    }
  },
);

test('SIGINT and SIGQUIT reach a stage at their defaults, as from Node', { skip }, async () => {
  const spawner = createStageSpawner();
  try {
    const ran = await run(spawner, 'grep "^SigIgn" /proc/$$/status');
    const mask = BigInt(`0x${(ran.lines[0] ?? 'stdout:SigIgn:\t0').split('\t')[1]}`);
    // Bits 1 (SIGINT, 2) and 2 (SIGQUIT, 3) clear: a Python stage still gets KeyboardInterrupt.
    assert.equal(mask & 0b110n, 0n);
  } finally {
    spawner.dispose();
  }
});

test('a missing working directory is a start error', { skip }, async () => {
  const spawner = createStageSpawner();
  try {
    const ran = await run(spawner, 'true', { cwd: '/nonexistent/folder' });
    assert.equal(ran.result.exitCode, undefined);
    assert.match(ran.result.startError ?? '', /ENOENT/);
  } finally {
    spawner.dispose();
  }
});

test(
  'cancelling kills the whole group; a large output arrives whole; a background child does not hold the stage',
  { skip },
  async () => {
    const spawner = createStageSpawner();
    try {
      const folder = makeTempDir('mlc-spawner-');
      const abort = new AbortController();
      const cancelled = run(
        spawner,
        '(echo $$ > child.pid; exec sleep 60) & sleep 60',
        { cwd: folder, killGraceMs: 500 },
        abort.signal,
      );
      const child = await readPid(folder, 'child.pid');
      abort.abort();
      const result = (await cancelled).result;
      assert.equal(result.cancelled, true);
      assert.equal(isProcessAlive(child), false);

      // 10 MB in 100-byte lines, then exit at once: every line, in order.
      const big = await run(
        spawner,
        'yes 123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789 | head -n 100000; echo end >&2',
      );
      assert.equal(big.result.exitCode, 0);
      const stdout = big.lines.filter((line) => line.startsWith('stdout:'));
      assert.equal(stdout.length, 100_000);
      assert.ok(big.lines.includes('stderr:end'));

      const background = await run(spawner, 'sleep 60 & echo done');
      assert.equal(background.result.exitCode, 0);
      assert.deepEqual(background.lines, ['stdout:done']);
      if (background.pid !== undefined) process.kill(-background.pid, 'SIGKILL');
    } finally {
      spawner.dispose();
    }
  },
);

test(
  'a spawner that dies fails its stages in flight (killed, with the reason) and the next start gets a new one',
  { skip },
  async () => {
    const spawner = createStageSpawner();
    try {
      const folder = makeTempDir('mlc-spawner-');
      // The stage's parent is its wrapper, whose parent is the spawner.
      const inFlight = run(spawner, 'ps -o ppid= -p $PPID > spawner.pid; echo $$ > stage.pid; sleep 60', {
        cwd: folder,
      });
      const spawnerPid = await readPid(folder, 'spawner.pid');
      const stagePid = await readPid(folder, 'stage.pid');
      process.kill(spawnerPid, 'SIGKILL');
      const { result } = await inFlight;
      assert.equal(result.exitCode, undefined);
      assert.match(result.startError ?? '', /stage spawner exited \(SIGKILL\); the stage was killed/);
      await waitFor(() => !isProcessAlive(stagePid), 30_000, 'the stage of the dead spawner to be killed');
      const next = await run(spawner, 'echo again');
      assert.deepEqual([next.result.exitCode, next.lines], [0, ['stdout:again']]);
    } finally {
      spawner.dispose();
    }
  },
);

test('when its process dies (kill -9), the stages started through the spawner die too', { skip }, async () => {
  const folder = makeTempDir('mlc-spawner-');
  const parentScript = `
    const { createStageSpawner } = require(${JSON.stringify(resolve(__dirname, '../../../../src/node/process/stageSpawner.ts'))});
    createStageSpawner().start({ command: 'echo $$ > stage.pid; sleep 60', cwd: ${JSON.stringify(folder)}, env: { PATH: '/usr/bin:/bin' }, killGraceMs: 500 }, new AbortController().signal, () => undefined);
  `;
  const parent = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', parentScript], {
    stdio: 'ignore',
  });
  const stagePid = await readPid(folder, 'stage.pid');
  parent.kill('SIGKILL');
  await waitFor(() => !isProcessAlive(stagePid), 60_000, `stage ${stagePid} to be killed once its mlc died`);
});
