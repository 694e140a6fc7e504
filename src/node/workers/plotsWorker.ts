import { parentPort } from 'node:worker_threads';
import { describeError } from '../../engine/engineError';
import { loadPlotsWithImages } from '../plots/loadPlots';
import type { PlotsRequest, PlotsWorkerResponse } from '../plots/plotsWorkerClient';

/**
 * Worker thread entry (bundled to dist/workers/plotsWorker.js): reads the pipelines and plot files
 * of one workspace for the Plots tab, off the extension host (see loadPlotsInWorker).
 */
parentPort?.on('message', (request: PlotsRequest) => {
  loadPlotsWithImages(request).then(
    (result) => parentPort?.postMessage({ ok: true, result } satisfies PlotsWorkerResponse),
    (error: unknown) =>
      parentPort?.postMessage({
        ok: false,
        message: describeError(error),
      } satisfies PlotsWorkerResponse),
  );
});
