/**
 * The order of the nodes within each rank (dagre's crossing-reduction phase), as dagre's
 * `customOrder` hook runs it. dagre's own ordering is the same method — a depth-first first order,
 * then weighted barycenter sweeps up and down until four sweeps in a row do not reduce the weighted
 * crossing count — but builds a graphlib graph per rank for every sweep and clones the layering on
 * ties: on the 200-stage pipeline (200 stages + ~670 dummy nodes of long edges) that was more than
 * half of the whole layout (bench/README.md, "pipelineGraph"). Here the same sweeps run on arrays.
 * Pure and DOM-free, so it is unit-tested on its own.
 */

/** One edge between adjacent ranks (dagre has split longer ones into dummy chains by now). */
export interface LayerEdge {
  readonly from: number;
  readonly to: number;
  readonly weight: number;
}

/** After this many sweeps without fewer crossings the best order so far is kept (dagre's rule). */
const SWEEPS_WITHOUT_GAIN = 4;
/** A bound on the sweeps whatever happens, so a graph that keeps improving by one still ends. */
const MAX_SWEEPS = 24;

/**
 * Orders the nodes `0 .. ranks.length - 1` (node `i` sits in rank `ranks[i]`, ranks from 0) within
 * their ranks so that edges cross little; `initial` (node indices, in the order a depth-first walk
 * from the top rank meets them) seeds each rank's first order. Returns each rank's node indices in
 * order. Edges must join adjacent ranks (`ranks[to] === ranks[from] + 1`); others are ignored.
 */
export function orderLayers(
  ranks: readonly number[],
  edges: readonly LayerEdge[],
  initial: readonly number[],
): number[][] {
  const rankCount = ranks.reduce((max, rank) => Math.max(max, rank + 1), 0);
  const layers: number[][] = Array.from({ length: rankCount }, () => []);
  for (const node of initial) layers[ranks[node]!]!.push(node);
  const position = new Float64Array(ranks.length);
  const place = () => {
    for (const layer of layers) for (const [index, node] of layer.entries()) position[node] = index;
  };
  place();
  const incoming: LayerEdge[][] = Array.from({ length: ranks.length }, () => []);
  const outgoing: LayerEdge[][] = Array.from({ length: ranks.length }, () => []);
  for (const edge of edges) {
    if (ranks[edge.to] !== ranks[edge.from]! + 1) continue;
    outgoing[edge.from]!.push(edge);
    incoming[edge.to]!.push(edge);
  }

  let best = layers.map((layer) => [...layer]);
  let bestCrossings = countCrossings(layers, outgoing, position);
  for (let sweep = 0, withoutGain = 0; withoutGain < SWEEPS_WITHOUT_GAIN && sweep < MAX_SWEEPS; sweep++) {
    const downwards = sweep % 2 === 1;
    // Every other pair of sweeps breaks barycenter ties the other way, as dagre does.
    const tiesToTheRight = sweep % 4 >= 2;
    const order = downwards
      ? Array.from({ length: rankCount - 1 }, (_, index) => index + 1)
      : Array.from({ length: rankCount - 1 }, (_, index) => rankCount - 2 - index);
    for (const rank of order) {
      const layer = layers[rank]!;
      sortByBarycenter(layer, downwards ? incoming : outgoing, downwards, position, tiesToTheRight);
      for (const [index, node] of layer.entries()) position[node] = index;
    }
    const crossings = countCrossings(layers, outgoing, position);
    withoutGain++;
    if (crossings < bestCrossings) {
      withoutGain = 0;
      bestCrossings = crossings;
      best = layers.map((layer) => [...layer]);
    }
    if (crossings === 0) break;
  }
  return best;
}

/**
 * Sorts one rank by the weighted mean position of each node's neighbours in the rank before it
 * (`fromAbove`) or after it; a node with no such neighbour keeps its place.
 */
function sortByBarycenter(
  layer: number[],
  neighbours: readonly (readonly LayerEdge[])[],
  fromAbove: boolean,
  position: Float64Array,
  tiesToTheRight: boolean,
): void {
  const sortable: { node: number; barycenter: number; index: number }[] = [];
  const fixed: { node: number; index: number }[] = [];
  for (const [index, node] of layer.entries()) {
    let sum = 0;
    let weight = 0;
    for (const edge of neighbours[node]!) {
      sum += position[fromAbove ? edge.from : edge.to]! * edge.weight;
      weight += edge.weight;
    }
    if (weight > 0) sortable.push({ node, barycenter: sum / weight, index });
    else fixed.push({ node, index });
  }
  sortable.sort(
    (left, right) =>
      left.barycenter - right.barycenter || (tiesToTheRight ? right.index - left.index : left.index - right.index),
  );
  // The fixed nodes go back to their indices; the sorted ones fill the places between them.
  let next = 0;
  let fixedIndex = 0;
  for (let index = 0; index < layer.length; index++) {
    const keep = fixed[fixedIndex];
    if (keep && keep.index === index) {
      layer[index] = keep.node;
      fixedIndex++;
    } else {
      layer[index] = sortable[next++]!.node;
    }
  }
}

/** Weighted crossings between each pair of adjacent ranks (an accumulator tree per pair). */
function countCrossings(
  layers: readonly (readonly number[])[],
  outgoing: readonly (readonly LayerEdge[])[],
  position: Float64Array,
): number {
  let crossings = 0;
  for (let rank = 0; rank + 1 < layers.length; rank++) {
    const below = layers[rank + 1]!.length;
    let leaves = 1;
    while (leaves < below) leaves <<= 1;
    const tree = new Float64Array(2 * leaves - 1);
    for (const node of layers[rank]!) {
      // The edges of one upper node, by their lower end: only crossings with earlier nodes' edges count.
      const ends = outgoing[node]!.map((edge) => ({ at: position[edge.to]!, weight: edge.weight }));
      ends.sort((left, right) => left.at - right.at);
      for (const { at, weight } of ends) {
        let index = at + leaves - 1;
        tree[index] = tree[index]! + weight;
        let rightOf = 0;
        while (index > 0) {
          if (index % 2 === 1) rightOf += tree[index + 1]!;
          index = (index - 1) >> 1;
          tree[index] = tree[index]! + weight;
        }
        crossings += weight * rightOf;
      }
    }
  }
  return crossings;
}
