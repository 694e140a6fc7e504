/**
 * Edge crossings of a drawn graph: pairs of edges (not sharing an end) whose routes properly
 * intersect, counted on the routes a layout returned. The layout quality measure of
 * bench/graphLayout.bench.ts and of the layout tests.
 */
export interface Point {
  readonly x: number;
  readonly y: number;
}
export type Routes = ReadonlyArray<{ readonly from: string; readonly to: string; readonly points: readonly Point[] }>;

interface Segment {
  readonly edge: number;
  readonly a: Point;
  readonly b: Point;
  readonly top: number;
  readonly bottom: number;
}

const orientation = (p: Point, q: Point, r: Point) => Math.sign((q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x));

/** Pairs of edges (not sharing an end) whose routes properly intersect; a y-sweep keeps it near linear. */
export function countCrossings(routes: Routes): number {
  const segments: Segment[] = [];
  for (const [edge, route] of routes.entries()) {
    for (let index = 1; index < route.points.length; index++) {
      const a = route.points[index - 1]!;
      const b = route.points[index]!;
      segments.push({ edge, a, b, top: Math.min(a.y, b.y), bottom: Math.max(a.y, b.y) });
    }
  }
  segments.sort((left, right) => left.top - right.top);
  const crossing = new Set<string>();
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    for (let j = i + 1; j < segments.length && segments[j]!.top < s.bottom; j++) {
      const t = segments[j]!;
      if (s.edge === t.edge) continue;
      const [one, two] = [routes[s.edge]!, routes[t.edge]!];
      if (one.from === two.from || one.to === two.to || one.from === two.to || one.to === two.from) continue;
      const crosses =
        orientation(s.a, s.b, t.a) * orientation(s.a, s.b, t.b) < 0 &&
        orientation(t.a, t.b, s.a) * orientation(t.a, t.b, s.b) < 0;
      if (crosses) crossing.add(s.edge < t.edge ? `${s.edge},${t.edge}` : `${t.edge},${s.edge}`);
    }
  }
  return crossing.size;
}
