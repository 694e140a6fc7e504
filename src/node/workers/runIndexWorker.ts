import { parentPort, workerData } from 'node:worker_threads';
import type { Disposable } from '../../engine/ports';
import { createRunIndexService } from '../runIndex/createRunIndexService';
import { nodeFileSystem } from '../nodeFileSystem';
import { readRunDetails } from '../runIndex/readRunDetails';
import type { RunIndexMessage, RunIndexRequest, RunIndexWorkerData } from '../runIndex/runIndexProtocol';
import { describeError } from '../../engine/engineError';
import { createLocalGitCalls } from '../git/createLocalGitCalls';

/**
 * The run index in a worker thread, so the extension host never walks, parses or downsamples:
 * it only forwards requests (see createRunIndexClient) and receives plain results.
 */
const port = parentPort;
if (port) {
  const data = workerData as RunIndexWorkerData;
  const service = createRunIndexService({
    workspaceRoot: data.workspaceRoot,
    cachePath: data.cachePath,
    skip: data.skip,
    staleAfterMs: data.staleAfterMs,
  });
  const subscriptions = new Map<number, Disposable>();
  const git = createLocalGitCalls();
  const post = (message: RunIndexMessage) => port.postMessage(message);
  const answer = async (request: RunIndexRequest): Promise<unknown> => {
    switch (request.method) {
      case 'listRuns':
        return service.listRuns(request.query, { revalidate: request.revalidate });
      case 'lookup':
        return service.lookup(request.runId);
      case 'runDetails': {
        const found = await service.lookup(request.runId);
        return readRunDetails(nodeFileSystem, found.kind === 'found' ? found.found.run : undefined);
      }
      case 'mlflowRegistries':
        return service.mlflowRegistries();
      case 'series':
        return service.series(request.runId, request.names, request.maxPoints, request.window);
      case 'follow': {
        const subscription = request.id;
        const disposable = await service.follow(
          request.runId,
          request.names,
          (update) => post({ type: 'followUpdate', subscription, update }),
          request.maxPoints,
        );
        subscriptions.set(subscription, disposable);
        return subscription;
      }
      case 'git':
        if (request.call === 'changedFiles') return git.changedFiles(request.cwd, request.from, request.to);
        return request.call === 'state' ? git.state(request.cwd) : git.repoState(request.cwd);
      case 'unfollow':
        subscriptions.get(request.subscription)?.dispose();
        subscriptions.delete(request.subscription);
        return true;
    }
  };
  port.on('message', (request: RunIndexRequest) => {
    answer(request).then(
      (result) => post({ type: 'response', id: request.id, ok: true, result }),
      (error: unknown) =>
        post({
          type: 'response',
          id: request.id,
          ok: false,
          error: describeError(error),
        }),
    );
  });
  port.on('close', () => service.dispose());
}
