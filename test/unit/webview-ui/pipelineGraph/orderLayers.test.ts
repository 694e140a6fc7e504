import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type LayerEdge, orderLayers } from '../../../../webview-ui/pipelineGraph/orderLayers';

const edge = (from: number, to: number, weight = 1): LayerEdge => ({ from, to, weight });

/** Crossings between adjacent ranks of an order, counted pair by pair (the slow, obvious way). */
function crossings(layers: readonly (readonly number[])[], edges: readonly LayerEdge[]): number {
  const at = new Map(layers.flatMap((layer) => layer.map((node, index) => [node, index] as const)));
  let count = 0;
  for (const [i, one] of edges.entries()) {
    for (const two of edges.slice(i + 1)) {
      if (at.get(one.from) === undefined || one.from === two.from || one.to === two.to) continue;
      const sameRanks = layers.some((layer) => layer.includes(one.from) && layer.includes(two.from));
      if (!sameRanks) continue;
      const above = at.get(one.from)! - at.get(two.from)!;
      const below = at.get(one.to)! - at.get(two.to)!;
      if (above * below < 0) count += one.weight * two.weight;
    }
  }
  return count;
}

test('two crossing edges are uncrossed', () => {
  // Rank 0: a(0), b(1); rank 1: c(2), d(3); a -> d and b -> c cross in the first order.
  const edges = [edge(0, 3), edge(1, 2)];
  const layers = orderLayers([0, 0, 1, 1], edges, [0, 1, 2, 3]);
  assert.equal(
    crossings(
      [
        [0, 1],
        [2, 3],
      ],
      edges,
    ),
    1,
    'the first order crosses',
  );
  assert.equal(crossings(layers, edges), 0);
  assert.deepEqual(
    layers.map((layer) => [...layer].sort()),
    [
      [0, 1],
      [2, 3],
    ],
    'each node stays in its rank',
  );
});

test('a node with no neighbour in the rank it is sorted by keeps its place', () => {
  // Rank 0: a(0), b(1); rank 1: c(2), lone(3), d(4); a -> d, b -> c; `lone` has no edge.
  const edges = [edge(0, 4), edge(1, 2)];
  const layers = orderLayers([0, 0, 1, 1, 1], edges, [0, 1, 2, 3, 4]);
  assert.equal(crossings(layers, edges), 0);
  assert.equal(layers[1]!.indexOf(3), 1, 'the lone node is still in the middle');
});

test('a heavier edge is uncrossed before a lighter one', () => {
  // a -> d (weight 5) crosses b -> c and b -> e (weight 1 each) in one order or the other.
  const edges = [edge(0, 3, 5), edge(1, 2), edge(1, 4)];
  const layers = orderLayers([0, 0, 1, 1, 1], edges, [0, 1, 2, 3, 4]);
  assert.ok(crossings(layers, edges) <= 1, `weighted crossings ${crossings(layers, edges)}`);
});

test('a layered graph: every node once, in its own rank, with fewer crossings than its first order', () => {
  // 6 ranks of 8 nodes, each node linked to three pseudo-random nodes of the next rank.
  const perRank = 8;
  const ranks = Array.from({ length: 6 * perRank }, (_, node) => Math.floor(node / perRank));
  const edges: LayerEdge[] = [];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let node = 0; node < 5 * perRank; node++) {
    const targets = new Set(
      Array.from({ length: 3 }, () => (ranks[node]! + 1) * perRank + Math.floor(next() * perRank)),
    );
    for (const target of targets) edges.push(edge(node, target));
  }
  const initial = ranks.map((_, node) => node);
  const first = Array.from({ length: 6 }, (_, rank) => initial.filter((node) => ranks[node] === rank));
  const layers = orderLayers(ranks, edges, initial);
  assert.deepEqual(
    layers.map((layer) => [...layer].sort((a, b) => a - b)),
    first,
    'the same nodes in each rank',
  );
  assert.ok(
    crossings(layers, edges) < crossings(first, edges),
    `${crossings(layers, edges)} crossings after, ${crossings(first, edges)} before`,
  );
});
