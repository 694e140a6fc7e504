import type { Logger } from '../../engine/ports';
import { createWorkerRpcClient, findWorkerBeside, type WorkerRpcClient } from '../../node/workerRpc';
import type { PipelineWorkerApi } from './pipelineWorkerServices';

export type PipelineWorkerClient = WorkerRpcClient<PipelineWorkerApi>;

/**
 * The host's end of the pipeline worker: dist/pipelineWorker.js beside extension.js, or
 * pipelineWorker.ts beside this file under tsx (tests). Started on the first call, restarted on
 * the call after a crash (the calls it was answering reject with WorkerCrashedError).
 */
export function createPipelineWorkerClient(logger: Logger, baseDirectory: string = __dirname): PipelineWorkerClient {
  const launch = findWorkerBeside('pipelineWorker', baseDirectory);
  if (!launch) throw new Error(`the pipeline worker was not found beside ${baseDirectory} (build dist/)`);
  return createWorkerRpcClient<PipelineWorkerApi>({ name: 'pipeline', launch, logger });
}
