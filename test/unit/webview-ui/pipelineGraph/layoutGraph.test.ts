import assert from 'node:assert/strict';
import { test } from 'node:test';
import { layoutGraph, NODE_HEIGHT, NODE_WIDTH } from '../../../../webview-ui/pipelineGraph/layoutGraph';
import { visibleGraph } from '../../../../webview-ui/pipelineGraph/visibleGraph';
import { countCrossings } from '../../../support/edgeCrossings';
import { generatePipelineGraph } from '../../../support/pipelineGraphFixtures';

test('the rank order of orderLayers lays out the same graph with no more crossings than dagre its own', () => {
  const graph = generatePipelineGraph(120);
  const visible = visibleGraph(graph, new Set(), undefined);
  const layout = layoutGraph(visible);
  const dagreOrdered = layoutGraph(visible, 'TB', 'dagre');
  assert.deepEqual([...layout.nodes.keys()].sort(), graph.nodes.map((node) => node.id).sort(), 'every stage placed');
  assert.deepEqual(
    layout.edges.map((edge) => [edge.from, edge.to]),
    visible.edges.map(([from, to]) => [from, to]),
    'every edge routed, in order',
  );
  const placed = [...layout.nodes.values()];
  for (const [index, one] of placed.entries()) {
    for (const two of placed.slice(index + 1)) {
      const apart = Math.abs(one.x - two.x) >= NODE_WIDTH || Math.abs(one.y - two.y) >= NODE_HEIGHT;
      assert.ok(apart, `${one.id} and ${two.id} overlap`);
    }
  }
  // A route starts and ends on the boxes of its own ends (dagre clips it to their borders).
  const onBorder = (point: { x: number; y: number }, centre: { x: number; y: number }) => {
    const dx = Math.abs(point.x - centre.x);
    const dy = Math.abs(point.y - centre.y);
    const inside = dx <= NODE_WIDTH / 2 + 0.5 && dy <= NODE_HEIGHT / 2 + 0.5;
    return inside && (Math.abs(dx - NODE_WIDTH / 2) < 0.5 || Math.abs(dy - NODE_HEIGHT / 2) < 0.5);
  };
  for (const edge of layout.edges) {
    assert.ok(onBorder(edge.points[0]!, layout.nodes.get(edge.from)!), `${edge.from} -> ${edge.to} leaves its source`);
    assert.ok(
      onBorder(edge.points.at(-1)!, layout.nodes.get(edge.to)!),
      `${edge.from} -> ${edge.to} reaches its target`,
    );
  }
  const crossings = countCrossings(layout.edges);
  const dagreCrossings = countCrossings(dagreOrdered.edges);
  assert.ok(crossings <= dagreCrossings, `${crossings} crossings; dagre's own ordering ${dagreCrossings}`);
});
