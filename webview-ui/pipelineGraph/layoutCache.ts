/**
 * Layouts kept by graph shape (node ids, edges and direction), so that going back to a shape seen
 * before (another file and back, a group collapsed and expanded again) and reopening the panel
 * (the layout saved in the webview's state) draw at once instead of laying out again. A layout is
 * used only for exactly the shape it was computed for. Pure (no DOM), so it is unit-tested.
 */
import type { GraphLayout, LayoutDirection, LayoutInput, PlacedNode, Point } from './layoutGraph';

/** The identity of a layout's input: the same string for the same nodes, edges and direction. */
export function graphShape(graph: LayoutInput, direction: LayoutDirection): string {
  return JSON.stringify([direction, graph.nodes.map((node) => node.id), graph.edges]);
}

/** Layouts of the shapes laid out last in this page, the most recent kept. */
export class LayoutCache {
  private readonly layouts = new Map<string, GraphLayout>();

  constructor(private readonly capacity = 8) {}

  get(shape: string): GraphLayout | undefined {
    const layout = this.layouts.get(shape);
    if (layout) {
      // Most recently used last, so the oldest is the first to go.
      this.layouts.delete(shape);
      this.layouts.set(shape, layout);
    }
    return layout;
  }

  set(shape: string, layout: GraphLayout): void {
    this.layouts.delete(shape);
    this.layouts.set(shape, layout);
    while (this.layouts.size > this.capacity) this.layouts.delete(this.layouts.keys().next().value!);
  }
}

/**
 * A layout as the webview's state keeps it (JSON): the shape it is for as a hash (the shape itself
 * is as long as the graph), node centres, and each edge's route as flat x, y pairs.
 */
export interface SavedLayout {
  readonly shapeHash: string;
  readonly nodes: readonly (readonly [id: string, x: number, y: number])[];
  readonly routes: readonly (readonly number[])[];
  readonly width: number;
  readonly height: number;
}

/** 64 bits of FNV-1a (two 32-bit lanes), as hex: a short name for a shape. */
function hashText(text: string): string {
  let low = 0x811c9dc5;
  let high = 0x050c5d1f;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    low = Math.imul(low ^ code, 0x01000193);
    high = Math.imul(high ^ code ^ (low >>> 7), 0x01000193);
  }
  return (high >>> 0).toString(16).padStart(8, '0') + (low >>> 0).toString(16).padStart(8, '0');
}

const rounded = (value: number) => Math.round(value * 10) / 10;

export function saveLayout(shape: string, layout: GraphLayout): SavedLayout {
  return {
    shapeHash: hashText(shape),
    nodes: [...layout.nodes.values()].map((node) => [node.id, rounded(node.x), rounded(node.y)] as const),
    routes: layout.edges.map((edge) => edge.points.flatMap((point) => [rounded(point.x), rounded(point.y)])),
    width: layout.width,
    height: layout.height,
  };
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * The saved layout as a layout of `graph`, or undefined unless it was saved for this very shape
 * and places every node and routes every edge of it (a state from an older page, or edited, is
 * laid out again rather than trusted).
 */
export function restoreLayout(saved: unknown, shape: string, graph: LayoutInput): GraphLayout | undefined {
  if (typeof saved !== 'object' || saved === null) return undefined;
  const candidate = saved as Partial<Record<keyof SavedLayout, unknown>>;
  if (candidate.shapeHash !== hashText(shape)) return undefined;
  const { nodes: savedNodes, routes, width, height } = candidate;
  if (!Array.isArray(savedNodes) || !Array.isArray(routes) || !isNumber(width) || !isNumber(height)) return undefined;
  if (savedNodes.length !== graph.nodes.length || routes.length !== graph.edges.length) return undefined;
  const nodes = new Map<string, PlacedNode>();
  for (const entry of savedNodes as unknown[]) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !isNumber(entry[1]) || !isNumber(entry[2])) {
      return undefined;
    }
    nodes.set(entry[0], { id: entry[0], x: entry[1], y: entry[2] });
  }
  if (graph.nodes.some((node) => !nodes.has(node.id))) return undefined;
  const edges: { from: string; to: string; points: Point[] }[] = [];
  for (const [index, [from, to]] of graph.edges.entries()) {
    const route: unknown = routes[index];
    if (!Array.isArray(route) || route.length < 4 || route.length % 2 !== 0 || !route.every(isNumber)) {
      return undefined;
    }
    const points: Point[] = [];
    for (let at = 0; at < route.length; at += 2) points.push({ x: route[at] as number, y: route[at + 1] as number });
    edges.push({ from, to, points });
  }
  return { nodes, edges, width, height };
}
