import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadWorkspace } from '../../../../src/engine/pipeline/loadWorkspace';
import { runPipeline, type PipelineRunOutcome } from '../../../../src/engine/scheduler/runPipeline';
import { createContentHasher } from '../../../../src/node/hashing/createContentHasher';
import { nodeFileSystem } from '../../../../src/node/nodeFileSystem';
import { createLocalRunPorts, schedulerNodesOf } from '../../../../src/node/runStore/createLocalRunPorts';
import { createLocalGitCalls } from '../../../../src/node/git/createLocalGitCalls';
import { createWorkspace } from '../../../support/mlcCli';

/** Runs every stage in this process, as the extension host does (createEngineServices.startRun). */
async function runInProcess(root: string, force = false): Promise<PipelineRunOutcome> {
  const hasher = createContentHasher({ workspaceRoot: root, workers: 0 });
  try {
    const workspace = loadWorkspace(nodeFileSystem, root);
    const ports = createLocalRunPorts({
      root,
      graph: workspace.graph,
      fs: nodeFileSystem,
      hasher,
      git: createLocalGitCalls(),
    });
    const request = { root, nodes: schedulerNodesOf(workspace.graph), targets: [], force, keepGoing: false };
    return await runPipeline(
      { ...request, dryRun: false, jobs: 1, runner: 'local' },
      ports,
      new AbortController().signal,
    );
  } finally {
    hasher.dispose();
  }
}

function aWorkspace(files: Record<string, string>): string {
  return createWorkspace(files, 'mlc-local-ports-');
}

const pipeline = 'stages:\n  a:\n    cmd: echo a > a.txt\n    outs: [a.txt]\n';

test('a host that does not check problems first (the extension) still refuses before any stage runs', async () => {
  const conflicted =
    "schema: '2.0'\nstages:\n<<<<<<< HEAD\n  a:\n    cmd: echo a > a.txt\n=======\n  a:\n    cmd: echo b\n>>>>>>> feature\n";
  const root = aWorkspace({ 'dvc.yaml': pipeline, 'dvc.lock': conflicted });
  for (const force of [false, true]) {
    await assert.rejects(
      runInProcess(root, force),
      /dvc\.lock:3:1: git merge conflict markers at line 3; .* mlc does not write a lock file it could not read\./,
    );
    assert.equal(readFileSync(join(root, 'dvc.lock'), 'utf8'), conflicted);
    assert.equal(existsSync(join(root, 'a.txt')), false, 'the stage did not run');
    assert.equal(existsSync(join(root, '.mlc/runs')), false, 'no run was recorded');
  }
});

test('a lock file that becomes unreadable while the stage runs fails it with recordFailed and is left as it is', async () => {
  const root = aWorkspace({
    'dvc.yaml': "stages:\n  a:\n    cmd: printf '<<<<<<< HEAD\\n' >> dvc.lock && echo a > a.txt\n    outs: [a.txt]\n",
  });
  const outcome = await runInProcess(root);
  assert.equal(outcome.kind, 'finished');
  if (outcome.kind !== 'finished') return;
  assert.equal(outcome.record.status, 'failed');
  const [stage] = outcome.record.stages;
  assert.equal(stage?.status, 'failed');
  assert.equal(stage?.failure?.code, 'recordFailed');
  assert.match(stage?.failure?.message ?? '', /dvc\.lock:1:1: git merge conflict markers at line 1/);
  assert.equal(readFileSync(join(root, 'dvc.lock'), 'utf8'), '<<<<<<< HEAD\n');
});

test('running a stage keeps the bytes of a malformed entry of another stage', async () => {
  const malformed = '  old:\n    deps: 3  # edited by hand\n';
  const root = aWorkspace({ 'dvc.yaml': pipeline, 'dvc.lock': `schema: '2.0'\nstages:\n${malformed}` });
  const outcome = await runInProcess(root);
  assert.equal(outcome.kind === 'finished' && outcome.record.status, 'succeeded');
  const written = readFileSync(join(root, 'dvc.lock'), 'utf8');
  assert.ok(written.startsWith(`schema: '2.0'\nstages:\n${malformed}  a:\n    cmd: echo a > a.txt\n`), written);
});

test('an up-to-date run does not load the deploy ports (node:http, the deploy hosts): only a deployment gate needs them', async () => {
  const root = aWorkspace({ 'mlc.yaml': pipeline });
  assert.equal((await runInProcess(root)).kind, 'finished');
  assert.equal((await runInProcess(root)).kind, 'upToDate');
  const loaded = Object.keys(require.cache).filter((path) => /(createDeployPorts|DeployHost)\.ts$/.test(path));
  assert.deepEqual(loaded, []);
});
