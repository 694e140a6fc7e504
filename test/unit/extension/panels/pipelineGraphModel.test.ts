import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadWorkspace } from '../../../../src/engine/pipeline/loadWorkspace';
import {
  buildPipelineGraph,
  downstreamTargets,
  graphNodeState,
} from '../../../../src/extension/panels/pipelineGraphModel';
import type { StageState } from '../../../../src/extension/presentation';
import { GRAPH_NODE_STATES } from '../../../../src/protocol/pipelineGraph';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

// prepare -> train@{cnn,mlp} (foreach) -> evaluate; report (matrix) reads evaluate's output;
// a nested dvc.yaml stage depends on prepare across files.
const MLC_YAML = `stages:
  prepare:
    cmd: python prepare.py
    deps: [raw.csv]
    outs: [data.csv]
  train:
    foreach: [cnn, mlp]
    do:
      cmd: python train.py \${item}
      deps: [data.csv]
      outs:
        - model-\${item}.pkl
  evaluate:
    cmd: python evaluate.py
    deps: [model-cnn.pkl, model-mlp.pkl]
    outs: [scores.json]
  report:
    matrix:
      format: [html, md]
    cmd: python report.py \${item.format}
    deps: [scores.json]
    outs:
      - report.\${item.format}
`;
const NESTED_YAML = `stages:
  profile:
    cmd: python profile.py
    deps: [../data.csv]
    outs: [profile.txt]
`;

function churnLike() {
  const fs = createMemoryFileSystem({
    '/ws/mlc.yaml': MLC_YAML,
    '/ws/raw.csv': 'a\n',
    '/ws/prepare.py': '',
    '/ws/sub/dvc.yaml': NESTED_YAML,
  });
  return loadWorkspace(fs, '/ws');
}

test('the graph has the engine stage graph: nodes in topological order, edges across files, lines', () => {
  const workspace = churnLike();
  const graph = buildPipelineGraph([workspace], () => undefined);
  assert.deepEqual(graph.files, ['mlc.yaml', 'sub/dvc.yaml']);
  const ids = graph.nodes.map((node) => node.id);
  assert.deepEqual(new Set(ids), new Set(workspace.graph.stages.map((stage) => workspace.graph.address(stage))));
  assert.ok(ids.indexOf('prepare') < ids.indexOf('train@cnn'));
  assert.ok(ids.indexOf('evaluate') < ids.indexOf('report@html'));
  assert.deepEqual(graph.edges, workspace.graph.edges, 'the same edges mlc run plans with');
  assert.ok(graph.edges.some(([from, to]) => from === 'prepare' && to === 'sub/dvc.yaml:profile'));
  const profile = graph.nodes.find((node) => node.id === 'sub/dvc.yaml:profile')!;
  assert.equal(profile.file, 1);
  assert.equal(profile.label, 'profile');
  assert.equal(graph.nodes.find((node) => node.id === 'prepare')!.line, 2);
});

test('foreach and matrix stages form groups of their expanded stages', () => {
  const graph = buildPipelineGraph([churnLike()], () => undefined);
  assert.deepEqual(
    graph.groups.map((group) => [group.id, group.label, group.members]),
    [
      ['0:train', 'train', ['train@cnn', 'train@mlp']],
      ['0:report', 'report', ['report@html', 'report@md']],
    ],
  );
  assert.equal(graph.nodes.find((node) => node.id === 'train@mlp')!.group, '0:train');
  assert.equal(graph.nodes.find((node) => node.id === 'evaluate')!.group, undefined);
});

test('each node carries the state and reasons the Pipelines view shows; unknown until computed', () => {
  const states: Record<string, { state: StageState; reasons: string[] }> = {
    prepare: { state: 'up-to-date', reasons: [] },
    'train@cnn': { state: 'changed', reasons: ['dep data.csv modified'] },
    evaluate: { state: 'failed', reasons: ['last run failed'] },
  };
  const graph = buildPipelineGraph([churnLike()], (root, address) => {
    assert.equal(root, '/ws');
    return states[address];
  });
  const node = (id: string) => graph.nodes.find((candidate) => candidate.id === id)!;
  assert.equal(node('prepare').state, 'up-to-date');
  assert.deepEqual(node('train@cnn').reasons, ['dep data.csv modified']);
  assert.equal(node('evaluate').state, 'failed');
  assert.equal(node('train@mlp').state, 'unknown');
});

test('every state of the Pipelines view maps to itself, and the panel knows them all', () => {
  const viewStates: StageState[] = [
    'up-to-date',
    'changed',
    'never-run',
    'frozen',
    'queued',
    'running',
    'failed',
    'unknown',
  ];
  for (const state of viewStates) assert.equal(graphNodeState(state), state);
  assert.deepEqual([...GRAPH_NODE_STATES].sort(), [...viewStates].sort());
});

test('run downstream targets the stage and everything that depends on it, from the engine graph', () => {
  const workspace = churnLike();
  assert.deepEqual(downstreamTargets(workspace, 'train@cnn'), ['train@cnn', 'evaluate', 'report@html', 'report@md']);
  assert.deepEqual(downstreamTargets(workspace, 'report@md'), ['report@md']);
  assert.deepEqual(downstreamTargets(workspace, 'no-such-stage'), []);
});

test('with several roots, files are named by root folder and a shared address is kept once', () => {
  const fs = createMemoryFileSystem({
    '/a/mlc.yaml': 'stages:\n  train:\n    cmd: x\n',
    '/b/mlc.yaml': 'stages:\n  train:\n    cmd: y\n  test:\n    cmd: z\n',
  });
  const graph = buildPipelineGraph([loadWorkspace(fs, '/a'), loadWorkspace(fs, '/b')], () => undefined);
  assert.deepEqual(graph.files, ['a/mlc.yaml', 'b/mlc.yaml']);
  assert.deepEqual(
    graph.nodes.map((node) => [node.id, node.file]),
    [
      ['train', 0],
      ['test', 1],
    ],
  );
});
