import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadWorkspace } from '../../src/engine/pipeline/loadWorkspace';
import { runPipeline } from '../../src/engine/scheduler/runPipeline';
import { createContentHasher } from '../../src/node/hashing/createContentHasher';
import { nodeFileSystem } from '../../src/node/nodeFileSystem';
import { createLocalRunPorts, schedulerNodesOf } from '../../src/node/runStore/createLocalRunPorts';
import { createLocalGitCalls } from '../../src/node/git/createLocalGitCalls';
import { isProcessAlive } from '../../src/node/runStore/isOwnerAlive';
import { createWorkspace, runMlc, waitFor } from '../support/mlcCli';

/**
 * This test process plays the VS Code extension host: it runs the pipeline in-process exactly as
 * createEngineServices does (runPipeline + createLocalRunPorts, no owner kind given). A separate
 * `mlc stop` must stop the run without signalling this process.
 */
test('mlc stop from another process stops a run owned by an in-process runPipeline (the extension host) without signalling it', async () => {
  const root = createWorkspace({
    'mlc.yaml': `stages:
  block:
    cmd: sleep 60 & echo $! > child.pid; wait; echo done > out.txt
    deps: [mlc.yaml]
    outs: [out.txt]
`,
  });
  const received: string[] = [];
  const onSignal = (signal: NodeJS.Signals) => received.push(signal);
  process.on('SIGTERM', onSignal);
  const hasher = createContentHasher({ workspaceRoot: root });
  try {
    const workspace = loadWorkspace(nodeFileSystem, root);
    let runId: string | undefined;
    const ports = createLocalRunPorts({
      root,
      graph: workspace.graph,
      fs: nodeFileSystem,
      hasher,
      killGraceMs: 1000,
      git: createLocalGitCalls(),
      onRunStarted: (id) => (runId = id),
    });
    assert.equal(ports.owner.kind, 'extension', 'an embedder that does not say otherwise is never signalled');
    const running = runPipeline(
      {
        root,
        nodes: schedulerNodesOf(workspace.graph),
        targets: [],
        force: false,
        keepGoing: false,
        dryRun: false,
        jobs: 1,
        runner: 'local',
      },
      ports,
      new AbortController().signal,
    );
    const child = await waitFor(
      () => existsSync(join(root, 'child.pid')) && Number(readFileSync(join(root, 'child.pid'), 'utf8')),
      20_000,
      'the stage to start',
    );
    const stopped = await runMlc(root, ['stop', runId!]);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(
      stopped.stdout,
      /\(cancelled\): its VS Code extension host \(pid \d+ on .*\) honoured the stop request/,
    );
    const outcome = await running;
    assert.equal(outcome.kind, 'finished');
    assert.equal(outcome.kind === 'finished' && outcome.record.status, 'cancelled');
    assert.equal(outcome.kind === 'finished' && outcome.record.stages[0]!.status, 'cancelled');
    assert.equal(existsSync(join(root, 'out.txt')), false);
    await waitFor(() => !isProcessAlive(child), 5000, 'the stage child to die');
    assert.deepEqual(received, [], 'this process (the owner) was never signalled');
    assert.equal(existsSync(join(root, '.mlc/lock')), false, 'the workspace lock was released');
    const lockFile = join(root, 'mlc.lock');
    assert.equal(existsSync(lockFile) && readFileSync(lockFile, 'utf8').includes('block'), false, 'no lock entry');
  } finally {
    process.off('SIGTERM', onSignal);
    hasher.dispose();
  }
});
