import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test, type TestContext } from 'node:test';
import { loadWorkspace } from '../../../../src/engine/pipeline/loadWorkspace';
import type { Logger } from '../../../../src/engine/ports';
import { computeStatus } from '../../../../src/engine/status/computeStatus';
import { createEngineServices } from '../../../../src/extension/createEngineServices';
import type { LoadOptions } from '../../../../src/extension/engineServices';
import { createContentHasher } from '../../../../src/node/hashing/createContentHasher';
import { nodeFileSystem } from '../../../../src/node/nodeFileSystem';
import { StaleAnswerError } from '../../../../src/node/workerRpc';

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/**
 * EngineServices, whose pipeline worker starts from its TypeScript source, over a copy of
 * examples/dvc-churn (status writes its hash cache under .mlc/).
 */
function engineOnExample(t: TestContext) {
  const root = mkdtempSync(join(tmpdir(), 'mlc-pipeline-worker-'));
  cpSync(resolve(__dirname, '../../../../examples/dvc-churn'), root, { recursive: true });
  const engine = createEngineServices({ logger: quiet });
  t.after(() => {
    engine.dispose();
    rmSync(root, { recursive: true, force: true });
  });
  const options: LoadOptions = { pipelineFiles: [join(root, 'dvc.yaml')], overrides: new Map(), ignore: [] };
  return { root, engine, options };
}

const WITHIN = { timeout: 120_000 };

test(
  'the pipeline worker loads a workspace and computes status exactly as the engine does in-process',
  WITHIN,
  async (t) => {
    const { root, engine, options } = engineOnExample(t);
    const view = await engine.loadWorkspace(root, options);
    const inProcess = loadWorkspace(nodeFileSystem, root, {});
    assert.ok(view.stages.length > 0);
    assert.deepEqual(view.pipelines, inProcess.pipelines);
    assert.deepEqual(view.problems, inProcess.problems);
    assert.deepEqual(
      view.stages.map((entry) => entry.address),
      inProcess.graph.stages.map((stage) => inProcess.graph.address(stage)),
    );

    const states = await engine.computeStatus(view, new Set(), new AbortController().signal);
    const expected = await computeStatus(inProcess.graph, {
      fs: nodeFileSystem,
      hasher: createContentHasher({ workspaceRoot: root, workers: 0 }),
    });
    assert.deepEqual(
      [...states].map(([address, status]) => [address, status.state, status.reasons]),
      [...expected].map(([address, status]) => [address, status.state, status.reasons]),
    );
  },
);

test('unsaved text is parsed in the worker and its problems come back with their locations', WITHIN, async (t) => {
  const broken = 'stages:\n  train:\n    cmd: [unclosed\n';
  const { root, engine, options } = engineOnExample(t);
  const overrides = new Map([[options.pipelineFiles[0]!, broken]]);
  const view = await engine.loadWorkspace(root, { ...options, overrides });
  const expected = loadWorkspace(nodeFileSystem, root, { overrides });
  assert.ok(view.problems.length > 0);
  assert.deepEqual(view.problems, expected.problems);
  for (const problem of view.problems) assert.ok(problem.file && problem.line >= 1 && problem.column >= 1);
});

test('a newer load of the same root makes the older one stale; status follows the newer view', WITHIN, async (t) => {
  const { root, engine, options } = engineOnExample(t);
  const older = engine.loadWorkspace(root, options);
  const newer = engine.loadWorkspace(root, options);
  await assert.rejects(older, StaleAnswerError);
  const view = await newer;
  const states = await engine.computeStatus(view, new Set(), new AbortController().signal);
  assert.equal(states.size, view.stages.length);
});
