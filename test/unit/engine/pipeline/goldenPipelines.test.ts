import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { loadWorkspace } from '../../../../src/engine/pipeline/loadWorkspace';
import { nodeFileSystem } from '../../../../src/node/nodeFileSystem';

/**
 * Golden pipelines: each folder of test/fixtures/pipelines is loaded as a workspace and compared
 * with its expected.json. After an intended change, regenerate with
 * `UPDATE_GOLDEN=1 node scripts/run-unit-tests.mjs test/unit/engine/pipeline/goldenPipelines.test.ts`
 * and review the diff.
 */
const fixtures = resolve(__dirname, '../../../fixtures/pipelines');

function snapshot(folder: string) {
  const workspace = loadWorkspace(nodeFileSystem, folder);
  const { graph } = workspace;
  return {
    stages: graph.stages.map((stage) => ({
      address: graph.address(stage),
      pipeline: relative(folder, stage.pipelineFile),
      ...(stage.group !== undefined ? { group: stage.group } : {}),
      cmd: stage.cmd,
      wdir: relative(folder, stage.wdir) || '.',
      deps: stage.deps.map((dep) => dep.path),
      params: stage.params.map((param) => ({ file: param.file, keys: param.keys })),
      outs: stage.outs.map((output) => ({
        path: output.path,
        kind: output.kind,
        cache: output.cache,
        persist: output.persist,
        ...(output.plot ? { plot: output.plot } : {}),
      })),
      ...(stage.frozen ? { frozen: true } : {}),
      ...(stage.runner !== undefined ? { runner: stage.runner } : {}),
      ...(stage.timeoutMs !== undefined ? { timeoutMs: stage.timeoutMs } : {}),
      ...(stage.retries > 0 ? { retries: stage.retries } : {}),
      line: stage.position.line,
    })),
    edges: graph.edges,
    components: graph.components(),
    templateParams: Object.fromEntries(
      workspace.pipelines.map((pipeline) => [relative(folder, pipeline.file), pipeline.templateParams]),
    ),
    problems: workspace.problems.map((problem) => ({
      file: relative(folder, problem.file),
      line: problem.line,
      column: problem.column,
      severity: problem.severity,
      code: problem.code,
    })),
  };
}

for (const name of readdirSync(fixtures).sort()) {
  test(`golden pipeline '${name}' loads as recorded in expected.json`, () => {
    const folder = join(fixtures, name);
    const expectedPath = join(folder, 'expected.json');
    const actual = JSON.parse(JSON.stringify(snapshot(folder)));
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(expectedPath, `${JSON.stringify(actual, null, 2)}\n`);
    assert.deepEqual(actual, JSON.parse(readFileSync(expectedPath, 'utf8')));
  });
}
