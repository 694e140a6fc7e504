import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GraphNode, PipelineGraph } from '../../../../src/protocol/pipelineGraph';
import { layoutDirection, layoutGraph, NODE_HEIGHT } from '../../../../webview-ui/pipelineGraph/layoutGraph';
import { NODE_STATE_PRESENTATION } from '../../../../webview-ui/pipelineGraph/nodeStates';
import { groupState, visibleGraph } from '../../../../webview-ui/pipelineGraph/visibleGraph';
import { generatePipelineGraph } from '../../../support/pipelineGraphFixtures';

const node = (id: string, overrides: Partial<GraphNode> = {}): GraphNode => ({
  id,
  label: id,
  file: 0,
  line: 1,
  state: 'up-to-date',
  reasons: [],
  ...overrides,
});

// prepare -> train@a, train@b -> evaluate (file 0); sub:profile (file 1) <- prepare
const GRAPH: PipelineGraph = {
  files: ['mlc.yaml', 'sub/dvc.yaml'],
  nodes: [
    node('prepare'),
    node('train@a', { group: '0:train', state: 'up-to-date' }),
    node('train@b', { group: '0:train', state: 'changed', reasons: ['param lr changed'] }),
    node('evaluate', { state: 'never-run' }),
    node('sub/dvc.yaml:profile', { label: 'profile', file: 1 }),
  ],
  edges: [
    ['prepare', 'train@a'],
    ['prepare', 'train@b'],
    ['train@a', 'evaluate'],
    ['train@b', 'evaluate'],
    ['prepare', 'sub/dvc.yaml:profile'],
  ],
  groups: [{ id: '0:train', label: 'train', file: 0, members: ['train@a', 'train@b'] }],
};

test('expanded, every stage is a node and every edge is kept', () => {
  const visible = visibleGraph(GRAPH, new Set(), undefined);
  assert.deepEqual(
    visible.nodes.map((entry) => entry.id),
    GRAPH.nodes.map((entry) => entry.id),
  );
  assert.deepEqual(visible.edges, GRAPH.edges);
  assert.equal(visible.nodes.find((entry) => entry.id === 'train@a')!.group?.id, '0:train');
});

test('a collapsed group is one node in place of its members, its edges merged and deduplicated', () => {
  const visible = visibleGraph(GRAPH, new Set(['0:train']), undefined);
  assert.deepEqual(
    visible.nodes.map((entry) => [entry.id, entry.collapsed]),
    [
      ['prepare', false],
      ['0:train', true],
      ['evaluate', false],
      ['sub/dvc.yaml:profile', false],
    ],
  );
  assert.deepEqual(visible.edges, [
    ['prepare', '0:train'],
    ['0:train', 'evaluate'],
    ['prepare', 'sub/dvc.yaml:profile'],
  ]);
  assert.equal(visible.nodes[1]!.state, 'changed', 'the member that needs attention shows through');
});

test('one file: only its stages, and no edge to a stage of another file', () => {
  const visible = visibleGraph(GRAPH, new Set(), 1);
  assert.deepEqual(
    visible.nodes.map((entry) => entry.id),
    ['sub/dvc.yaml:profile'],
  );
  assert.deepEqual(visible.edges, []);
});

test('a group shows the state that most needs attention among its stages', () => {
  assert.equal(groupState(['up-to-date', 'failed', 'changed']), 'failed');
  assert.equal(groupState(['up-to-date', 'running', 'failed']), 'running');
  assert.equal(groupState(['frozen', 'up-to-date']), 'up-to-date');
  assert.equal(groupState(['frozen']), 'frozen');
  assert.equal(groupState([]), 'unknown');
});

test('every state has a label and a theme colour of its own', () => {
  const colours = Object.values(NODE_STATE_PRESENTATION).map((presentation) => presentation.color);
  assert.equal(new Set(colours).size, colours.length, 'no two states share a colour');
  assert.equal(NODE_STATE_PRESENTATION.changed.label, 'changed');
  assert.match(NODE_STATE_PRESENTATION.failed.color, /--vscode-testing-iconFailed/);
});

test('the layout puts every edge downwards and no two nodes on top of each other', () => {
  const graph = generatePipelineGraph(120);
  const layout = layoutGraph(visibleGraph(graph, new Set(), undefined));
  assert.equal(layout.nodes.size, 120);
  for (const [from, to] of graph.edges) {
    assert.ok(layout.nodes.get(from)!.y < layout.nodes.get(to)!.y, `${from} above ${to}`);
  }
  const placed = [...layout.nodes.values()];
  const positions = new Set(placed.map((entry) => `${Math.round(entry.x)},${Math.round(entry.y)}`));
  assert.equal(positions.size, placed.length);
  for (const edge of layout.edges) assert.ok(edge.points.length >= 2);
  assert.ok(layout.height > NODE_HEIGHT);
});

test('a deep graph lays out top to bottom, a wide one (a big foreach) left to right', () => {
  const chain = visibleGraph(
    {
      files: ['mlc.yaml'],
      nodes: ['a', 'b', 'c', 'd'].map((id) => node(id)),
      edges: [
        ['a', 'b'],
        ['b', 'c'],
        ['c', 'd'],
      ],
      groups: [],
    },
    new Set(),
    undefined,
  );
  assert.equal(layoutDirection(chain, 16 / 9), 'TB');
  const members = Array.from({ length: 60 }, (_, index) => `train@${index}`);
  const fanOut = visibleGraph(
    {
      files: ['mlc.yaml'],
      nodes: [node('prepare'), ...members.map((id) => node(id, { group: '0:train' })), node('report')],
      edges: [...members.map((id) => ['prepare', id] as const), ...members.map((id) => [id, 'report'] as const)],
      groups: [{ id: '0:train', label: 'train', file: 0, members }],
    },
    new Set(),
    undefined,
  );
  assert.equal(layoutDirection(fanOut, 16 / 9), 'LR');
  const horizontal = layoutGraph(fanOut, 'LR');
  assert.ok(horizontal.nodes.get('prepare')!.x < horizontal.nodes.get('report')!.x, 'left to right');
});
