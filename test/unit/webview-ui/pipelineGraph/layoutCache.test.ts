import assert from 'node:assert/strict';
import { test } from 'node:test';
import { graphShape, LayoutCache, restoreLayout, saveLayout } from '../../../../webview-ui/pipelineGraph/layoutCache';
import { type GraphLayout, layoutGraph, type LayoutInput } from '../../../../webview-ui/pipelineGraph/layoutGraph';

const GRAPH: LayoutInput = {
  nodes: [{ id: 'prepare' }, { id: 'train' }, { id: 'evaluate' }],
  edges: [
    ['prepare', 'train'],
    ['train', 'evaluate'],
  ],
};

test('a saved layout comes back, through JSON, for the same shape only', () => {
  const shape = graphShape(GRAPH, 'TB');
  const layout = layoutGraph(GRAPH, 'TB');
  const saved: unknown = JSON.parse(JSON.stringify(saveLayout(shape, layout)));
  const restored = restoreLayout(saved, shape, GRAPH)!;
  assert.ok(restored, 'restored for its own shape');
  assert.deepEqual([...restored.nodes.keys()], ['prepare', 'train', 'evaluate']);
  for (const [id, node] of layout.nodes) {
    assert.ok(
      Math.abs(restored.nodes.get(id)!.x - node.x) <= 0.05 && Math.abs(restored.nodes.get(id)!.y - node.y) <= 0.05,
    );
  }
  assert.deepEqual(
    restored.edges.map((edge) => [edge.from, edge.to, edge.points.length]),
    layout.edges.map((edge) => [edge.from, edge.to, edge.points.length]),
  );

  const otherEdges: LayoutInput = {
    nodes: GRAPH.nodes,
    edges: [
      ['prepare', 'train'],
      ['prepare', 'evaluate'],
    ],
  };
  assert.equal(restoreLayout(saved, graphShape(otherEdges, 'TB'), otherEdges), undefined, 'another edge');
  const renamed: LayoutInput = { nodes: [...GRAPH.nodes.slice(0, 2), { id: 'report' }], edges: GRAPH.edges };
  assert.equal(restoreLayout(saved, graphShape(renamed, 'TB'), renamed), undefined, 'another stage');
  assert.equal(restoreLayout(saved, graphShape(GRAPH, 'LR'), GRAPH), undefined, 'another direction');
});

test('a saved layout that is not whole or not a layout is laid out again', () => {
  const shape = graphShape(GRAPH, 'TB');
  const saved = saveLayout(shape, layoutGraph(GRAPH, 'TB'));
  for (const broken of [
    undefined,
    'layout',
    { ...saved, nodes: saved.nodes.slice(1) },
    { ...saved, routes: saved.routes.map(() => [1, 2]) },
    { ...saved, nodes: saved.nodes.map(([id]) => [id, 'x', 0]) },
    { ...saved, width: null },
  ]) {
    assert.equal(restoreLayout(broken, shape, GRAPH), undefined, JSON.stringify(broken)?.slice(0, 80));
  }
});

test('the page keeps the layouts of its most recent shapes', () => {
  const cache = new LayoutCache(2);
  const layout = (width: number): GraphLayout => ({ nodes: new Map(), edges: [], width, height: 1 });
  cache.set('a', layout(1));
  cache.set('b', layout(2));
  assert.equal(cache.get('a')?.width, 1, 'used again: now the most recent');
  cache.set('c', layout(3));
  assert.equal(cache.get('b'), undefined, 'the least recently used went');
  assert.equal(cache.get('a')?.width, 1);
  assert.equal(cache.get('c')?.width, 3);
});
