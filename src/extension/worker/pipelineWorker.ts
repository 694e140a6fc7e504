import { serveWorkerRpc, workerRpcLogger } from '../../node/workerRpc';
import { createPipelineWorkerServices } from './pipelineWorkerServices';

/**
 * Worker thread entry (bundled to dist/pipelineWorker.js, beside extension.js so that the hash,
 * process and plots workers it starts are found as the host finds them): the extension host's
 * pipeline loading, status, runs, params edits and deploys (createPipelineWorkerServices), so the
 * `yaml` library and the engine's parsers never load on the host thread. Imports no `vscode`.
 */
serveWorkerRpc(createPipelineWorkerServices(workerRpcLogger()));
