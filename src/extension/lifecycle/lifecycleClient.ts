import type { PipelineWorkerClient } from '../worker/pipelineWorkerClient';
import { previewLifecycleGates, readLifecycleModels } from './lifecycleReads';
import type { LifecycleServices } from './lifecycleServices';

/**
 * LifecycleServices for the extension host: the registry reads here (JSON, synchronous for the
 * views), every deploy-port or deploy-host step in the pipeline worker (createLifecycleServices
 * there), which keeps the deploy hosts and the YAML parsing off this thread.
 */
export function createLifecycleClient(worker: PipelineWorkerClient): LifecycleServices {
  return {
    models: readLifecycleModels,
    previewGates: previewLifecycleGates,
    deployments: (scope) => worker.call('deployments', { scope }),
    register: (scope, modelName, run, progress) => worker.call('register', { scope, modelName, run, progress }),
    promote: (scope, model, version, alias) => worker.call('promote', { scope, model, version, alias }),
    deploy: (scope, targetName, version, progress) => worker.call('deploy', { scope, targetName, version, progress }),
    rollback: (scope, targetName, progress) => worker.call('rollback', { scope, targetName, progress }),
    undeploy: (scope, targetName, progress) => worker.call('undeploy', { scope, targetName, progress }),
    recordAlert: (scope, alert) => worker.call('recordAlert', { scope, alert }),
    probe: (scope, targetName, url) => worker.call('probe', { scope, targetName, url }),
    serverLogTail: (scope, targetName, logFile, lines) =>
      worker.call('serverLogTail', { scope, targetName, logFile, lines }),
  };
}
