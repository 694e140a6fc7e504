import assert from 'node:assert/strict';
import { test } from 'node:test';
import { layoutGraph, NODE_HEIGHT, NODE_WIDTH } from '../../../../webview-ui/pipelineGraph/layoutGraph';
import { visibleGraph } from '../../../../webview-ui/pipelineGraph/visibleGraph';
import { countCrossings } from '../../../support/edgeCrossings';
import { generatePipelineGraph } from '../../../support/pipelineGraphFixtures';

test("the panel's dagre lays out the same graph as plain dagre, boxes apart, routes from end to end, with no more crossings", () => {
  const graph = generatePipelineGraph(120);
  const visible = visibleGraph(graph, new Set(), undefined);
  const layout = layoutGraph(visible);
  const plain = layoutGraph(visible, 'TB', 'plain-dagre');
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
  // The same layers as plain dagre (no empty rank between two is a matter of dagre's bookkeeping),
  // and every route goes down from layer to layer.
  for (const [id, node] of layout.nodes) assert.equal(node.y, plain.nodes.get(id)!.y, `${id} in its layer`);
  for (const edge of layout.edges) {
    const downwards = edge.points.every((point, index) => index === 0 || point.y >= edge.points[index - 1]!.y);
    assert.ok(downwards, `${edge.from} -> ${edge.to} goes down`);
  }
  // Left to right too: each route goes right, from its source's box to its target's.
  const sideways = layoutGraph(visible, 'LR');
  for (const edge of sideways.edges) {
    const [from, to] = [sideways.nodes.get(edge.from)!, sideways.nodes.get(edge.to)!];
    assert.ok(from.x < to.x, `${edge.from} left of ${edge.to}`);
    assert.ok(onBorder(edge.points[0]!, from) && onBorder(edge.points.at(-1)!, to), `${edge.from} -> ${edge.to}`);
  }
  const crossings = countCrossings(layout.edges);
  const dagreCrossings = countCrossings(plain.edges);
  assert.ok(crossings <= dagreCrossings, `${crossings} crossings; plain dagre ${dagreCrossings}`);
});
