import { existsSync } from 'node:fs';
import { createLocalGitCalls } from '../git/createLocalGitCalls';
import { nodeFileSystem } from '../nodeFileSystem';
import { createRunIndexService } from './createRunIndexService';
import { readRunDetails } from './readRunDetails';
import {
  createRunIndexWorkerClient,
  defaultRunIndexWorkerPath,
  type RunIndexClient,
  type RunIndexClientOptions,
} from './runIndexWorkerClient';

export type { RunIndexClient, RunIndexClientOptions } from './runIndexWorkerClient';

export function createRunIndexClient(options: RunIndexClientOptions): RunIndexClient {
  const workerPath = options.workerPath ?? defaultRunIndexWorkerPath();
  const mode = options.mode ?? 'auto';
  const useWorker = mode === 'worker' || (mode === 'auto' && __filename.endsWith('.js') && existsSync(workerPath));
  return useWorker ? createRunIndexWorkerClient(options, workerPath) : createInThreadClient(options);
}

function createInThreadClient(options: RunIndexClientOptions): RunIndexClient {
  const service = createRunIndexService(options);
  return {
    mode: 'inThread',
    listRuns: (query, options) => service.listRuns(query, options),
    lookup: (runId) => service.lookup(runId),
    async runDetails(runId) {
      const found = await service.lookup(runId);
      return readRunDetails(nodeFileSystem, found.kind === 'found' ? found.found.run : undefined);
    },
    mlflowRegistries: () => service.mlflowRegistries(),
    series: (runId, names, maxPoints, window) => service.series(runId, names, maxPoints, window),
    follow: (runId, names, listener, maxPoints) => service.follow(runId, names, listener, maxPoints),
    git: createLocalGitCalls(),
    dispose: () => service.dispose(),
  };
}
