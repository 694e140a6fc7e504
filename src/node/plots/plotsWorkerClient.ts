import { Worker } from 'node:worker_threads';
import type { Problem } from '../../engine/problems';
import type { RunSummary } from '../../engine/runs/model';
import type { PlotView } from '../../engine/plots/plotViewTypes';
import { findWorker } from '../hashing/hashWorkerPool';

export interface PlotsRequest {
  readonly workspaceRoot: string;
  readonly runs: readonly RunSummary[];
}

export interface PlotsResult {
  readonly revisions: readonly string[];
  readonly views: readonly PlotView[];
  readonly problems: readonly Problem[];
  /** `revision\0path` -> the absolute file to show for that image (a run's copy under .mlc/cache/plots). */
  readonly imageFiles: Readonly<Record<string, string>>;
}

export type PlotsWorkerResponse =
  { readonly ok: true; readonly result: PlotsResult } | { readonly ok: false; readonly message: string };

/**
 * Loads the plots of a workspace for the extension in a worker thread (dist/workers/plotsWorker.js),
 * started per request and ended after it (plots are asked for when the tab is shown or refreshed):
 * the extension host never reads pipeline or plot files itself. No in-thread fallback: it would put
 * the plot readers and simple-git into the extension bundle, which always ships the worker.
 */
export async function loadPlotsInWorker(
  request: PlotsRequest,
  baseDirectory: string = __dirname,
): Promise<PlotsResult> {
  const launch = findWorker('plotsWorker', baseDirectory);
  if (!launch) throw new Error(`the plots worker was not found beside ${baseDirectory} (build dist/workers/)`);
  const worker = new Worker(launch.script, { eval: launch.eval });
  try {
    return await new Promise<PlotsResult>((resolve, reject) => {
      worker.once('message', (response: PlotsWorkerResponse) =>
        response.ok ? resolve(response.result) : reject(new Error(response.message)),
      );
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the plots worker exited (${code}) before answering`)));
      worker.postMessage(request);
    });
  } finally {
    void worker.terminate();
  }
}
