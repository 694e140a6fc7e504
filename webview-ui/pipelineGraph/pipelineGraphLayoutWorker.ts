/**
 * The Pipeline Graph's layout worker: dagre off the page thread, so that laying out a big graph
 * (seconds for 1,000 stages) never freezes pan, zoom or the rest of the panel. Built as its own
 * bundle (dist/webview/pipelineGraphLayoutWorker.js) and loaded from the extension's files, which
 * the panel's CSP allows as `worker-src`.
 */
import { layoutGraph } from './layoutGraph';
import type { LayoutReply, LayoutRequest } from './offThreadLayout';

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<LayoutRequest>) => void) | null;
  postMessage(message: LayoutReply): void;
};

scope.onmessage = (event) => {
  const { id, graph, direction } = event.data;
  scope.postMessage({ id, layout: layoutGraph(graph, direction) });
};

/**
 * A small layered graph laid out once as the worker starts (the page starts it when it loads, before
 * its first snapshot): V8 compiles and optimises dagre's phases on this one, so that the first real
 * graph does not pay for it. Long edges (two ranks and three) make the dummy-node code run too.
 */
function warmUp(): void {
  const perRank = 4;
  const ranks = 8;
  const id = (rank: number, slot: number) => `${rank}:${slot}`;
  const nodes = Array.from({ length: perRank * ranks }, (_, index) => ({
    id: id(Math.floor(index / perRank), index % perRank),
  }));
  const edges: (readonly [string, string])[] = [];
  for (let rank = 1; rank < ranks; rank++) {
    for (let slot = 0; slot < perRank; slot++) {
      edges.push([id(rank - 1, (slot + 1) % perRank), id(rank, slot)]);
      if (rank >= 2) edges.push([id(rank - 2, (slot * 3) % perRank), id(rank, slot)]);
      if (rank >= 3 && slot % 2 === 0) edges.push([id(rank - 3, perRank - 1 - slot), id(rank, slot)]);
    }
  }
  layoutGraph({ nodes, edges }, 'TB');
}
warmUp();
