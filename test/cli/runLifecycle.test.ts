import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite, test } from 'node:test';
import type { RunRecord } from '../../src/engine/runStore/runRecord';
import { isProcessAlive } from '../../src/node/runStore/isOwnerAlive';
import { createWorkspace, runMlc, startMlc, waitFor, type MlcResult } from '../support/mlcCli';

function workspace(files: Record<string, string>): string {
  return createWorkspace(files, 'mlc-lifecycle-');
}

const readRecords = (root: string): RunRecord[] =>
  existsSync(join(root, '.mlc/runs'))
    ? readdirSync(join(root, '.mlc/runs')).map(
        (id) => JSON.parse(readFileSync(join(root, '.mlc/runs', id, 'run.json'), 'utf8')) as RunRecord,
      )
    : [];

/** Generous: a hang is what these tests catch, and spawnSync-style waits would never end. */
async function withinBound(result: Promise<MlcResult>, what: string): Promise<MlcResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not exit within 60 s`)), 60_000);
  });
  try {
    return await Promise.race([result, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Both pids a stage wrote, once it wrote them: its shell (the group leader) and a child. */
function stagePids(root: string): number[] | undefined {
  try {
    const pids = ['stage.pid', 'child.pid'].map((name) => Number(readFileSync(join(root, name), 'utf8')));
    return pids.every((pid) => pid > 0) ? pids : undefined;
  } catch {
    return undefined;
  }
}

/** A stage whose shell and child ignore SIGTERM (an ignored signal stays ignored across exec). */
const stubbornPipeline = `stages:
  stubborn:
    cmd: trap '' TERM; echo $$ > stage.pid; sleep 60 & echo $! > child.pid; wait
    deps: [mlc.yaml]
`;

suite('mlc run: the run folder, the lock and the processes', { concurrency: 2 }, () => {
  const wipingPipeline = (wipe: string) => `stages:
  wipe:
    cmd: ${wipe}
    deps: [mlc.yaml]
  later:
    cmd: echo later > later.txt
    deps: [mlc.yaml]
    outs: [later.txt]
`;

  test('a stage that deletes .mlc (rm -rf .mlc) does not crash or hang the run, and the next run works', async () => {
    const root = workspace({ 'mlc.yaml': wipingPipeline('rm -rf .mlc') });
    const first = await withinBound(runMlc(root, ['run', '-j', '1']), 'mlc run');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /warning: the run folder .* was deleted while the run was live/);
    assert.doesNotMatch(first.stderr, /at .*\.ts:\d+/, 'no stack trace');
    const [record] = readRecords(root);
    assert.equal(record?.status, 'succeeded');
    assert.match(record.message ?? '', /recreated it/);
    assert.equal(existsSync(join(root, '.mlc/lock')), false, 'the lock is released');

    writeFileSync(join(root, 'mlc.yaml'), wipingPipeline('echo fine'));
    const next = await withinBound(runMlc(root, ['run', '-j', '1']), 'the next mlc run');
    assert.equal(next.code, 0, next.stderr);
    assert.doesNotMatch(next.stderr, /warning/);
  });

  test('git clean -fdx in a stage (which removes .mlc and every untracked file) does not break the run', async () => {
    const root = workspace({ 'mlc.yaml': wipingPipeline('git clean -fdxq') });
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: root });
    git('init', '-q');
    git('add', 'mlc.yaml');
    git('commit', '-qm', 'pipeline');
    const result = await withinBound(runMlc(root, ['run', '-j', '1']), 'mlc run');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /recreated it/);
    assert.equal(readRecords(root)[0]?.status, 'succeeded');
  });

  test('an empty or garbage .mlc/lock is stale: the run takes it over with a warning naming the file', async () => {
    for (const garbage of ['', 'not a lock{', '{"pid": "x"}']) {
      const root = workspace({ 'mlc.yaml': wipingPipeline('echo fine') });
      mkdirSync(join(root, '.mlc'));
      writeFileSync(join(root, '.mlc/lock'), garbage);
      const result = await withinBound(runMlc(root, ['run']), 'mlc run');
      assert.equal(result.code, 0, `${JSON.stringify(garbage)}: ${result.stderr}`);
      assert.ok(
        result.stderr.includes(`the workspace lock ${join(root, '.mlc/lock')} could not be read`),
        result.stderr,
      );
      assert.equal(existsSync(join(root, '.mlc/lock')), false);
    }
  });

  test('kill -9 of mlc run: its stage, which ignores SIGTERM, dies with it', async () => {
    const root = workspace({ 'mlc.yaml': stubbornPipeline });
    const mlc = startMlc(root, ['run']);
    const pids = await waitFor(() => stagePids(root), 20_000, 'the stage to start');
    // mlc lists the stage's group with its watchdog right after the spawn returns; a kill in that
    // instant is covered by the next run instead (the test below), so give mlc a moment first.
    await new Promise((resolveWait) => setTimeout(resolveWait, 300));
    mlc.child.kill('SIGKILL');
    await mlc.done;
    await waitFor(() => !pids.some(isProcessAlive), 20_000, `the orphaned stage processes ${pids.join(', ')} to die`);
  });

  test('a new run kills what a dead run left running (its watchdog was killed too) before it starts', async () => {
    const root = workspace({ 'mlc.yaml': stubbornPipeline });
    const mlc = startMlc(root, ['run']);
    const pids = await waitFor(() => stagePids(root), 20_000, 'the stage to start');
    const watchdog = Number(
      execFileSync('pgrep', ['-P', String(mlc.child.pid), '-f', 'mlc-stage-watchdog'], { encoding: 'utf8' }).trim(),
    );
    // Never process.kill(0): that would signal this test's own process group.
    assert.ok(Number.isInteger(watchdog) && watchdog > 1, `one watchdog of mlc ${mlc.child.pid}, not '${watchdog}'`);
    process.kill(watchdog, 'SIGKILL');
    mlc.child.kill('SIGKILL');
    await mlc.done;
    assert.ok(pids.every(isProcessAlive), 'without mlc and its watchdog the stage lives on');

    writeFileSync(join(root, 'mlc.yaml'), wipingPipeline('echo fine'));
    const next = await withinBound(runMlc(root, ['run']), 'the next mlc run');
    assert.equal(next.code, 0, next.stderr);
    assert.match(next.stderr, /killed 2 process\(es\) still running for the dead run/);
    await waitFor(() => !pids.some(isProcessAlive), 20_000, `the leftover stage processes ${pids.join(', ')} to die`);
  });

  test('a second Ctrl-C kills a stage that ignores SIGTERM at once and releases the lock', async () => {
    const root = workspace({ 'mlc.yaml': stubbornPipeline });
    const mlc = startMlc(root, ['run']);
    const pids = await waitFor(() => stagePids(root), 20_000, 'the stage to start');
    mlc.child.kill('SIGINT');
    // The first Ctrl-C sends SIGTERM, which the stage ignores; the second must not wait for it.
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
    mlc.child.kill('SIGINT');
    const result = await withinBound(mlc.done, 'mlc run after two Ctrl-C');
    assert.equal(result.signal, null, 'mlc ends on its own terms, not killed by the signal');
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /stopping now/);
    assert.equal(existsSync(join(root, '.mlc/lock')), false, 'the workspace lock is released');
    assert.equal(readRecords(root)[0]?.status, 'cancelled');
    await waitFor(() => !pids.some(isProcessAlive), 20_000, `the stage processes ${pids.join(', ')} to die`);
  });

  test('one workspace root whatever the cwd: runs from the root and from sub/ share one lock and one run store', async () => {
    const blocking = `stages:
  block:
    cmd: echo $$ > started.pid; sleep 60
    deps: [dvc.yaml]
`;
    const root = workspace({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'mlc.yaml': 'stages:\n  top:\n    cmd: echo top > top.txt\n    outs: [top.txt]\n',
      'sub/dvc.yaml': blocking,
    });
    const first = startMlc(root, ['run', 'sub/dvc.yaml:block']);
    await waitFor(() => existsSync(join(root, 'sub/started.pid')), 20_000, 'the stage to start');
    const runId = readRecords(root)[0]!.id;

    const second = await withinBound(runMlc(join(root, 'sub'), ['run']), 'mlc run in sub/');
    assert.equal(second.code, 1, second.stderr);
    assert.match(second.stderr, new RegExp(`another run \\(${runId}, pid \\d+ on .*\\) holds this workspace`));
    assert.equal(existsSync(join(root, 'sub/.mlc')), false, 'no second .mlc in sub/');
    first.child.kill('SIGTERM');
    await withinBound(first.done, 'the first run');

    // From sub/ with no STAGE: the stages of sub/'s pipeline files only, recorded at the root.
    writeFileSync(join(root, 'sub/dvc.yaml'), blocking.replace('sleep 60', 'echo done'));
    const fromSub = await withinBound(runMlc(join(root, 'sub'), ['run', '--json']), 'mlc run in sub/');
    assert.equal(fromSub.code, 0, fromSub.stderr);
    const json = JSON.parse(fromSub.stdout) as { stages: Array<{ address: string }> };
    assert.deepEqual(
      json.stages.map((stage) => stage.address),
      ['sub/dvc.yaml:block'],
    );
    assert.equal(existsSync(join(root, 'top.txt')), false, 'the root pipeline did not run');
    assert.equal(readRecords(root).length, 2);
    assert.equal(existsSync(join(root, 'sub/.mlc')), false);
  });

  test('a folder with its own .mlc below the root is another workspace: not discovered from the root', async () => {
    const root = workspace({
      '.mlc/.gitignore': '*\n',
      'mlc.yaml': 'stages:\n  top:\n    cmd: echo top\n',
      'nested/.mlc/.gitignore': '*\n',
      'nested/mlc.yaml': 'stages:\n  inner:\n    cmd: echo inner\n',
    });
    const fromRoot = await withinBound(runMlc(root, ['dag', '--json']), 'mlc dag');
    assert.deepEqual(
      (JSON.parse(fromRoot.stdout) as { stages: Array<{ name: string }> }).stages.map((stage) => stage.name),
      ['top'],
    );
    const fromNested = await withinBound(runMlc(join(root, 'nested'), ['dag', '--json']), 'mlc dag in nested/');
    assert.deepEqual(
      (JSON.parse(fromNested.stdout) as { stages: Array<{ name: string }> }).stages.map((stage) => stage.name),
      ['inner'],
    );
  });
});
