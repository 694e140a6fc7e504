import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, suite, test } from 'node:test';
import type { RunRecord } from '../../../src/engine/runStore/runRecord';
import { createWorkspace, runMlc, type MlcResult } from '../../support/mlcCli';

const workspaces: string[] = [];
after(() => {
  for (const folder of workspaces) rmSync(folder, { recursive: true, force: true });
});
function workspace(files: Record<string, string>): string {
  const folder = createWorkspace(files, 'mlc-lifecycle-');
  workspaces.push(folder);
  return folder;
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
});
