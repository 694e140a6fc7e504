/**
 * Layered layout of the visible graph with @dagrejs/dagre, chosen over d3-dag by measured bundle
 * size, speed and edge crossings (bench/graphLayout.bench.ts; figures in ARCHITECTURE.md). Runs in
 * the webview (big graphs in its layout worker), never on the extension host. No DOM here, so it is
 * unit-tested and benchmarked.
 */
import dagre, { type graphlib } from '@dagrejs/dagre';
import { orderLayers } from './orderLayers';
import type { VisibleGraph } from './visibleGraph';

/** What a layout needs of the visible graph: node ids (in topological order) and edges. */
export interface LayoutInput {
  readonly nodes: readonly { readonly id: string }[];
  readonly edges: VisibleGraph['edges'];
}

export const NODE_WIDTH = 184;
export const NODE_HEIGHT = 44;
/**
 * Above this many nodes dagre ranks with its tight-tree heuristic instead of network simplex:
 * measured 3.5x faster on 200 stages for ~20% more edge crossings, and 40x faster on 1,000
 * (bench/graphLayout.bench.ts, figures in ARCHITECTURE.md).
 */
export const LARGE_GRAPH_NODES = 100;
const NODE_GAP = 24;
const RANK_GAP = 56;

export type LayoutDirection = 'TB' | 'LR';

/**
 * Top to bottom (data first) unless the graph is much wider than deep, as foreach-heavy pipelines
 * are: then left to right, so that a wide graph still fits a screen at a readable scale. Decided
 * from the longest-path depth of the visible graph (nodes come in topological order), before any
 * layout, for the viewport's aspect `width / height`.
 */
export function layoutDirection(graph: LayoutInput, aspect: number): LayoutDirection {
  const depth = new Map<string, number>();
  const predecessors = new Map<string, string[]>();
  for (const [from, to] of graph.edges) predecessors.set(to, [...(predecessors.get(to) ?? []), from]);
  let levels = 0;
  for (const node of graph.nodes) {
    let level = 0;
    for (const before of predecessors.get(node.id) ?? []) level = Math.max(level, (depth.get(before) ?? 0) + 1);
    depth.set(node.id, level);
    levels = Math.max(levels, level + 1);
  }
  const perLevel = graph.nodes.length / Math.max(1, levels);
  const ratio = (width: number, height: number) => Math.abs(Math.log(width / height / aspect));
  const topDown = ratio(perLevel * (NODE_WIDTH + NODE_GAP), levels * (NODE_HEIGHT + RANK_GAP));
  const leftRight = ratio(levels * (NODE_WIDTH + RANK_GAP), perLevel * (NODE_HEIGHT + NODE_GAP));
  return leftRight < topDown ? 'LR' : 'TB';
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface PlacedNode {
  readonly id: string;
  /** The centre, as dagre gives it. */
  readonly x: number;
  readonly y: number;
}

export interface GraphLayout {
  readonly nodes: ReadonlyMap<string, PlacedNode>;
  readonly edges: readonly { readonly from: string; readonly to: string; readonly points: readonly Point[] }[];
  readonly width: number;
  readonly height: number;
}

/**
 * `panel` (the default): dagre with the two changes below, which more than halved its time on the
 * 200-stage pipeline for fewer crossings (bench/README.md, "Where the Pipeline Graph's time goes"):
 *
 * - No empty rank between two layers. dagre doubles every edge's `minlen` to leave a rank for edge
 *   labels, so every edge had a dummy node (673 dummies beside 200 stages); we have no labels, so
 *   edges ask for half a rank (`minlen` 0.5, doubled to 1) and the rank gap is doubled instead.
 *   An edge between adjacent layers then has no dummy, and no route points of dagre's making: the
 *   order hook gives it one, the midpoint of its two nodes read when asked (dagre moves the nodes
 *   after ordering and writes to route points only to move them along, which the midpoint follows).
 * - The nodes of each rank ordered by `orderLayers` (dagre's `customOrder` hook).
 *
 * `plain-dagre`: dagre as it comes, as the panel used it before; kept for the bench and the tests
 * to compare (time and crossings).
 */
export type LayoutVariant = 'panel' | 'plain-dagre';

/** Node size is fixed, so labels never reflow the layout (long names are cut, the tooltip has them). */
export function layoutGraph(
  graph: LayoutInput,
  direction: LayoutDirection = 'TB',
  variant: LayoutVariant = 'panel',
): GraphLayout {
  const isPanel = variant === 'panel';
  const layout = new dagre.graphlib.Graph({ multigraph: false });
  const ranker = graph.nodes.length > LARGE_GRAPH_NODES ? 'tight-tree' : 'network-simplex';
  layout.setGraph({
    rankdir: direction,
    nodesep: NODE_GAP,
    ranksep: isPanel ? 2 * RANK_GAP : RANK_GAP,
    edgesep: 12,
    marginx: 24,
    marginy: 24,
    ranker,
  });
  layout.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) layout.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const [from, to] of graph.edges) layout.setEdge(from, to, isPanel ? { minlen: 0.5 } : {});
  dagre.layout(layout, isPanel ? { customOrder: orderRanks } : {});
  const nodes = new Map<string, PlacedNode>();
  for (const node of graph.nodes) {
    const placed = layout.node(node.id);
    nodes.set(node.id, { id: node.id, x: placed.x, y: placed.y });
  }
  const edges = graph.edges.map(([from, to]) => ({
    from,
    to,
    points: (layout.edge(from, to)?.points ?? []).map((point: Point) => ({ x: point.x, y: point.y })),
  }));
  const size = layout.graph();
  return { nodes, edges, width: size.width ?? 0, height: size.height ?? 0 };
}

/**
 * dagre's `customOrder` hook: the ranked graph (stages and the dummy nodes of long edges) ordered
 * by `orderLayers`, seeded with the depth-first order dagre's own ordering starts from; and a route
 * point for each edge between adjacent ranks (see `LayoutVariant`).
 */
function orderRanks(ranked: graphlib.Graph): void {
  for (const edge of ranked.edges()) {
    const label = ranked.edge(edge) as { points?: Point[] };
    label.points ??= [midpoint(ranked.node(edge.v) as Point, ranked.node(edge.w) as Point)];
  }
  const ids = ranked.nodes();
  const index = new Map(ids.map((id, at) => [id, at]));
  const ranks = ids.map((id) => (ranked.node(id) as { rank: number }).rank);
  const edges = ranked.edges().map((edge) => ({
    from: index.get(edge.v)!,
    to: index.get(edge.w)!,
    weight: (ranked.edge(edge) as { weight?: number }).weight ?? 1,
  }));
  const successors: number[][] = ids.map(() => []);
  for (const edge of edges) successors[edge.from]!.push(edge.to);
  // Depth first from each node in rank order, successors in the order their edges were added.
  const initial: number[] = [];
  const visited = new Uint8Array(ids.length);
  const byRank = ids.map((_, at) => at).sort((left, right) => ranks[left]! - ranks[right]!);
  for (const root of byRank) {
    const stack = [root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (visited[node]) continue;
      visited[node] = 1;
      initial.push(node);
      for (let next = successors[node]!.length - 1; next >= 0; next--) stack.push(successors[node]![next]!);
    }
  }
  for (const layer of orderLayers(ranks, edges, initial)) {
    for (const [order, node] of layer.entries()) (ranked.node(ids[node]!) as { order: number }).order = order;
  }
}

/**
 * The point halfway between two nodes wherever dagre places them later: computed when read; what
 * dagre writes to it (moving route points with the graph) is ignored, as the nodes move too.
 */
function midpoint(one: Point, two: Point): Point {
  return {
    get x() {
      return (one.x + two.x) / 2;
    },
    set x(_moved: number) {},
    get y() {
      return (one.y + two.y) / 2;
    },
    set y(_moved: number) {},
  };
}
