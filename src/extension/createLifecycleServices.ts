import { performance } from 'node:perf_hooks';
import type { DeployPorts } from '../engine/deploy/deployModelVersion';
import { deployModelVersion, undeployTarget } from '../engine/deploy/deployModelVersion';
import {
  pickModelVersion,
  readDeploymentOverview,
  resolveDeclaredModel,
  declaredDeployTargets,
  findDeclaredTarget,
} from '../engine/deploy/deployTargets';
import { rollbackDeployment } from '../engine/deploy/rollbackDeployment';
import type { DeployHost } from '../engine/deploy/ports';
import type { RunnerConfig } from '../engine/pipeline/model';
import { createDeployPorts, deployHostFor } from '../node/deploy/createDeployPorts';
import { promoteModelAlias, registerModelFromRun } from '../node/deploy/modelLifecycle';
import { nodeFileSystem } from '../node/nodeFileSystem';
import type { GitClient } from '../engine/ports';
import { describeError } from '../engine/engineError';
import { previewLifecycleGates, readLifecycleModels, resolveTargetWithModel } from './lifecycle/lifecycleReads';
import type { LifecycleScope, LifecycleServices, ProgressReporter } from './lifecycle/lifecycleServices';

/**
 * Binds LifecycleServices to the engine's registry and deploy functions and each target's
 * DeployHost (this machine, or its ssh runner's host), exactly as the CLI's
 * register/promote/deploy/rollback/undeploy commands do. Every mutation builds the deploy ports (a
 * hasher without workers: model files are small) and disposes them after. Nothing here blocks the
 * extension host: a host's questions (is the pid alive, the log tail, a health probe) are
 * asynchronous, on an ssh host each one an `ssh` child process through the process runner.
 */
export function createLifecycleServices(git: (root: string) => GitClient): LifecycleServices {
  // One host per runner, kept: an ssh host remembers the servers it started (their exit status files).
  const hosts = new Map<string, DeployHost>();
  const hostFor = (runner: RunnerConfig | undefined): DeployHost => {
    const key = runner ? JSON.stringify([runner.name, runner.type, runner.options]) : 'local';
    let host = hosts.get(key);
    if (!host) hosts.set(key, (host = deployHostFor(runner)));
    return host;
  };
  /** The host a declared target's server runs on: its ssh runner's, or this machine. */
  const hostOfTarget = (scope: LifecycleScope, targetName: string) =>
    hostFor(findDeclaredTarget(scope.pipelines, targetName)?.runner);
  const withPorts = async <T>(
    root: string,
    progress: ProgressReporter,
    body: (ports: ReturnType<typeof createDeployPorts>) => Promise<T>,
    host?: DeployHost,
  ): Promise<T> => {
    const ports = createDeployPorts({
      workspaceRoot: root,
      fs: nodeFileSystem,
      progress,
      git: git(root),
      ...(host ? { host } : {}),
    });
    try {
      return await body(ports);
    } finally {
      ports.dispose();
    }
  };

  return {
    models: (scope) => readLifecycleModels(scope),

    deployments: (scope) =>
      Promise.all(
        declaredDeployTargets(scope.pipelines).map(({ target, runner }) =>
          readDeploymentOverview({ fs: nodeFileSystem, host: hostFor(runner) }, scope.root, target),
        ),
      ),

    previewGates: (scope, targetName, version) => previewLifecycleGates(scope, targetName, version),

    async register(scope, modelName, run, progress) {
      const declared = resolveDeclaredModel(scope.pipelines, modelName);
      if (!declared.ok) return declared;
      return withPorts(scope.root, progress, (ports) =>
        registerModelFromRun(ports, { workspaceRoot: scope.root, declared: declared.value, run }),
      );
    },

    promote: (scope, model, version, alias) =>
      withPorts(
        scope.root,
        () => undefined,
        (ports) => promoteModelAlias(ports, { workspaceRoot: scope.root, model, version, alias }),
      ),

    async deploy(scope, targetName, versionNumber, progress) {
      const found = resolveTargetWithModel(scope, targetName);
      if (!found.ok) return found;
      const version = pickModelVersion(found.model, versionNumber);
      if (!version.ok) return version;
      const outcome = await withPorts(
        scope.root,
        progress,
        (ports: DeployPorts) =>
          deployModelVersion(ports, {
            workspaceRoot: scope.root,
            commandRoot: found.value.pipeline.root,
            target: found.value.target,
            model: found.model,
            version: version.value,
            action: 'deploy',
          }),
        hostFor(found.value.runner),
      );
      return { ok: true, value: outcome };
    },

    async rollback(scope, targetName, progress) {
      const found = resolveTargetWithModel(scope, targetName);
      if (!found.ok) return found;
      const rollback = await withPorts(
        scope.root,
        progress,
        (ports) =>
          rollbackDeployment(ports, {
            workspaceRoot: scope.root,
            commandRoot: found.value.pipeline.root,
            target: found.value.target,
            model: found.model,
          }),
        hostFor(found.value.runner),
      );
      return rollback.kind === 'deployed'
        ? { ok: true, value: rollback.outcome }
        : { ok: false, message: rollback.message };
    },

    async undeploy(scope, targetName, progress) {
      const found = resolveTargetWithModel(scope, targetName);
      if (!found.ok) return found;
      const outcome = await withPorts(
        scope.root,
        progress,
        (ports) => undeployTarget(ports, { workspaceRoot: scope.root, target: found.value.target }),
        hostFor(found.value.runner),
      );
      return { ok: true, value: outcome.message };
    },

    recordAlert: (scope, alert) =>
      withPorts(
        scope.root,
        () => undefined,
        (ports) => ports.appendAudit('alert', { ...alert }),
      ),

    async probe(scope, targetName, url) {
      // On the target's own host: an ssh target's health URL means what it says there.
      const started = performance.now();
      const answer = await hostOfTarget(scope, targetName).probe(url);
      const latencyMs = performance.now() - started;
      if (answer.ok) return { ok: true, latencyMs };
      return { ok: false, latencyMs, error: answer.error ?? `HTTP ${answer.status ?? '?'}` };
    },

    async serverLogTail(scope, targetName, logFile, lines) {
      try {
        return { ok: true, value: await hostOfTarget(scope, targetName).logTail(logFile, lines) };
      } catch (error) {
        return { ok: false, message: describeError(error) };
      }
    },
  };
}
