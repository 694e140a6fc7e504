// The layout library of the Pipeline Graph, chosen by measurement (issue 12): @dagrejs/dagre (as
// the panel calls it, layoutGraph) against d3-dag (its default Sugiyama: simplex layering,
// two-layer decrossing, simplex coordinates). For each: the minified + gzipped bundle of a minimal
// layout entry, and layout time and edge crossings (pairs of edge routes that properly intersect,
// counted on each layout's own routes) on examples/churn and on generated 200- and 1,000-stage
// pipeline DAGs; dagre both as the panel tunes it and plain (layoutGraph.ts, `LayoutVariant`). d3-dag is not a dependency: its rows appear only where it is installed (the
// figures of the choice are kept in ARCHITECTURE.md, "Pipeline Graph").
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { loadWorkspace } from '../src/engine/pipeline/loadWorkspace';
import { buildPipelineGraph } from '../src/extension/panels/pipelineGraphModel';
import { nodeFileSystem } from '../src/node/nodeFileSystem';
import type { PipelineGraph } from '../src/protocol/pipelineGraph';
import { type LayoutVariant, layoutGraph, NODE_HEIGHT, NODE_WIDTH } from '../webview-ui/pipelineGraph/layoutGraph';
import { visibleGraph } from '../webview-ui/pipelineGraph/visibleGraph';
import { countCrossings, type Routes } from '../test/support/edgeCrossings';
import { generatePipelineGraph } from '../test/support/pipelineGraphFixtures';
import { measure } from './support/measure';
import { runBench } from './support/runBench';

const repoRoot = resolve(__dirname, '..');

/** Every group expanded: the layout the libraries are compared on is the full stage graph. */
const layoutWithDagre = (graph: PipelineGraph, variant: LayoutVariant = 'panel'): Routes =>
  layoutGraph(visibleGraph(graph, new Set(), undefined), 'TB', variant).edges;

/** The part of d3-dag's API used here (it is loaded only when installed). */
interface D3Dag {
  graphStratify(): (data: Array<{ id: string; parentIds: string[] }>) => {
    links(): Iterable<{ source: { data: { id: string } }; target: { data: { id: string } }; points: number[][] }>;
  };
  sugiyama(): { nodeSize(size: [number, number]): (dag: unknown) => unknown };
}

function layoutWithD3Dag(d3dag: D3Dag, graph: PipelineGraph): Routes {
  const parents = new Map<string, string[]>(graph.nodes.map((node) => [node.id, []]));
  for (const [from, to] of graph.edges) parents.get(to)!.push(from);
  const dag = d3dag.graphStratify()([...parents].map(([id, parentIds]) => ({ id, parentIds })));
  d3dag.sugiyama().nodeSize([NODE_WIDTH + 24, NODE_HEIGHT + 56])(dag);
  return [...dag.links()].map((link) => ({
    from: link.source.data.id,
    to: link.target.data.id,
    points: link.points.map(([x, y]) => ({ x: x!, y: y! })),
  }));
}

async function gzippedBundle(entry: string): Promise<{ minified: number; gzipped: number }> {
  const result = await build({
    stdin: { contents: entry, resolveDir: repoRoot, loader: 'ts' },
    bundle: true,
    minify: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    write: false,
    logLevel: 'error',
  });
  const bytes = result.outputFiles[0]!.contents;
  return { minified: bytes.length, gzipped: gzipSync(bytes).length };
}

async function libraries(): Promise<Record<string, { layout: (graph: PipelineGraph) => Routes; entry?: string }>> {
  const d3dagName = 'd3-dag';
  const d3dag = (await import(d3dagName).catch(() => undefined)) as D3Dag | undefined;
  return {
    // As the panel lays out: dagre with no empty ranks and the rank order of orderLayers.ts
    // (webview-ui/pipelineGraph/layoutGraph.ts, `LayoutVariant`).
    dagre: {
      layout: layoutWithDagre,
      entry: `import dagre from '@dagrejs/dagre';
      const g = new dagre.graphlib.Graph(); g.setGraph({}); g.setDefaultEdgeLabel(() => ({}));
      g.setNode('a', { width: 1, height: 1 }); g.setNode('b', { width: 1, height: 1 }); g.setEdge('a', 'b');
      dagre.layout(g); globalThis.out = g.node('b');`,
    },
    // dagre as it comes: what the panel used before, for the crossings and time beside it.
    'dagre (plain)': {
      layout: (graph: PipelineGraph) => layoutWithDagre(graph, 'plain-dagre'),
    },
    ...(d3dag
      ? {
          'd3-dag': {
            layout: (graph: PipelineGraph) => layoutWithD3Dag(d3dag, graph),
            entry: `import { graphStratify, sugiyama } from 'd3-dag';
              const dag = graphStratify()([{ id: 'a', parentIds: [] }, { id: 'b', parentIds: ['a'] }]);
              globalThis.out = sugiyama().nodeSize([1, 1])(dag);`,
          },
        }
      : {}),
  };
}

void runBench('graphLayout', async ({ report, log }) => {
  const candidates = await libraries();
  if (!candidates['d3-dag']) log('d3-dag is not installed: only dagre is measured');
  for (const [name, library] of Object.entries(candidates)) {
    // A row of the same library with other settings has no bundle of its own.
    if (library.entry === undefined) continue;
    const size = await gzippedBundle(library.entry);
    report({
      name: `${name}: minimal layout bundle`,
      value: size.gzipped / 1000,
      unit: 'kB gzip',
      note: `${(size.minified / 1000).toFixed(1)} kB minified`,
    });
  }

  const churn = loadWorkspace(nodeFileSystem, resolve(repoRoot, 'examples/churn'));
  const graphs: Array<[string, PipelineGraph]> = [
    ['examples/churn', buildPipelineGraph([churn], () => undefined)],
    ['200 stages', generatePipelineGraph(200)],
    ['1,000 stages', generatePipelineGraph(1000)],
  ];
  for (const [label, graph] of graphs) {
    log(`${label}: ${graph.nodes.length} nodes, ${graph.edges.length} edges`);
    for (const [name, library] of Object.entries(candidates)) {
      // d3-dag did not finish 1,000 stages in 20 minutes on 2 shared cores (ARCHITECTURE.md).
      if (name === 'd3-dag' && graph.nodes.length > 200) continue;
      // Plain dagre took 4.7-13 s on 1,000 stages; set GRAPH_LAYOUT_QUICK=1 to leave it out.
      if (name === 'dagre (plain)' && graph.nodes.length > 200 && process.env.GRAPH_LAYOUT_QUICK) continue;
      const large = graph.nodes.length >= 1000;
      const timing = await measure(() => library.layout(graph), {
        warmup: large ? 0 : 2,
        iterations: large ? 1 : 5,
        maxTimeMs: 60_000,
      });
      const crossings = countCrossings(library.layout(graph));
      report({
        name: `${name}: layout ${label}`,
        value: timing.medianMs,
        unit: 'ms',
        note: `${crossings} edge crossings; ${graph.nodes.length} nodes, ${graph.edges.length} edges`,
      });
    }
  }
});
