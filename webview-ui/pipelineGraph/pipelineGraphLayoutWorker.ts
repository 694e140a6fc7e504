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
