/**
 * Layered layout of the visible graph with @dagrejs/dagre, chosen over d3-dag by measured bundle
 * size, speed and edge crossings (bench/graphLayout.bench.ts; figures in ARCHITECTURE.md). Runs in
 * the webview, never on the extension host. No DOM here, so it is unit-tested and benchmarked.
 */
import dagre from '@dagrejs/dagre';
import type { VisibleGraph } from './visibleGraph';

export const NODE_WIDTH = 184;
export const NODE_HEIGHT = 44;
/**
 * Above this many nodes dagre ranks with its tight-tree heuristic instead of network simplex:
 * measured ~10x faster on 1,000 stages for a few more long edges (bench/graphLayout.bench.ts).
 */
export const LARGE_GRAPH_NODES = 300;

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

/** Top to bottom, as pipelines read (data first); node size fixed so labels never reflow the layout. */
export function layoutGraph(graph: VisibleGraph): GraphLayout {
  const layout = new dagre.graphlib.Graph({ multigraph: false });
  const ranker = graph.nodes.length > LARGE_GRAPH_NODES ? 'tight-tree' : 'network-simplex';
  layout.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 56, edgesep: 12, marginx: 24, marginy: 24, ranker });
  layout.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) layout.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const [from, to] of graph.edges) layout.setEdge(from, to);
  dagre.layout(layout);
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
