/**
 * Lays out a graph in the layout worker when the page can start one, else on the page thread.
 *
 * A webview's own files are served from another origin than the page (VS Code's resource host),
 * and a browser starts a worker only from a same-origin script: `new Worker(bundleUrl)` throws a
 * SecurityError in VS Code whatever the CSP says. So the page fetches the worker's bundle from the
 * extension's files (the CSP's `connect-src` is that origin only) and starts it from a blob: URL of
 * exactly those bytes (`worker-src blob:`; the worker inherits the page's CSP: no eval, nothing
 * remote). Nothing else can start a worker: scripts run only by nonce, from the extension's bundle.
 * If a worker still cannot start, the first failure switches to the page thread for good, and the
 * requests waiting are laid out there, so a graph is always drawn.
 */
import { type GraphLayout, type LayoutDirection, type LayoutInput, layoutGraph } from './layoutGraph';

export interface LayoutRequest {
  readonly id: number;
  readonly graph: LayoutInput;
  readonly direction: LayoutDirection;
}

export interface LayoutReply {
  readonly id: number;
  readonly layout: GraphLayout;
}

/**
 * Where the last layout ran, or `cache` when a layout of the same shape was kept: shown on the page
 * (`data-layout-thread`) for tests and benchmarks.
 */
export type LayoutThread = 'worker' | 'page' | 'cache';

export interface OffThreadLayout {
  /**
   * Starts the worker now (fetch, blob: URL, spawn, dagre compiled) so that the first big graph
   * does not wait for it: the page calls this when it loads, before its first snapshot arrives.
   */
  start(): void;
  /**
   * The layout of `graph`; `thread` says where it ran. Once the worker is up the request is posted
   * before this returns, so the caller's own work (building the SVG nodes) runs beside dagre.
   */
  layout(graph: LayoutInput, direction: LayoutDirection): Promise<{ layout: GraphLayout; thread: LayoutThread }>;
}

export function createOffThreadLayout(workerUrl: string | undefined): OffThreadLayout {
  let worker: Worker | undefined;
  // No Worker at all (a browser or test that took it away): nothing to fetch.
  let isRefused = workerUrl === undefined || typeof Worker !== 'function';
  let nextId = 1;
  const pending = new Map<
    number,
    { graph: LayoutInput; direction: LayoutDirection; resolve: (reply: GraphLayout) => void }
  >();
  /** Everything still waiting is laid out here, and the worker is not asked again. */
  const refuse = () => {
    isRefused = true;
    worker?.terminate();
    worker = undefined;
    for (const [id, request] of pending) {
      pending.delete(id);
      request.resolve(layoutGraph(request.graph, request.direction));
    }
  };
  /** The worker, started once from a blob: URL of its bundle's bytes; undefined when refused. */
  let starting: Promise<Worker | undefined> | undefined;
  const startWorker = (): Promise<Worker | undefined> => {
    if (isRefused) return Promise.resolve(undefined);
    starting ??= fetch(workerUrl!)
      .then((response) => {
        if (!response.ok) throw new Error(`${response.status} for the layout worker's bundle`);
        return response.text();
      })
      .then((code) => {
        const blobUrl = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
        const started = new Worker(blobUrl);
        // The worker has loaded its script by the time it answers; the URL is not needed again.
        started.onmessage = (event: MessageEvent<LayoutReply>) => {
          URL.revokeObjectURL(blobUrl);
          const request = pending.get(event.data.id);
          pending.delete(event.data.id);
          request?.resolve(event.data.layout);
        };
        started.onerror = (event) => {
          event.preventDefault();
          refuse();
        };
        worker = started;
        return started;
      })
      .catch(() => {
        refuse();
        return undefined;
      });
    return starting;
  };
  const post = (started: Worker, graph: LayoutInput, direction: LayoutDirection): Promise<GraphLayout> => {
    const id = nextId++;
    // Only what dagre needs crosses to the worker (a structured clone), not the page's node objects.
    const input: LayoutInput = { nodes: graph.nodes.map(({ id: node }) => ({ id: node })), edges: graph.edges };
    return new Promise<GraphLayout>((resolve) => {
      pending.set(id, { graph: input, direction, resolve });
      started.postMessage({ id, graph: input, direction } satisfies LayoutRequest);
    });
  };
  return {
    start() {
      void startWorker();
    },
    async layout(graph, direction) {
      const started = worker ?? (await startWorker());
      if (!started) return { layout: layoutGraph(graph, direction), thread: 'page' };
      const layout = await post(started, graph, direction);
      return { layout, thread: isRefused ? 'page' : 'worker' };
    },
  };
}
