import { resolveDeployTarget } from '../../engine/deploy/deployTargets';
import { evaluateGates, type GateResult } from '../../engine/deploy/evaluateGates';
import { readModelRegistry, readRegisteredModel } from '../../engine/registry/modelRegistry';
import { nodeFileSystem } from '../../node/nodeFileSystem';
import type { LifecycleServices, LifecycleScope } from './lifecycleServices';

// The lifecycle reads that need neither deploy ports nor a deploy host: mlc's registry is JSON,
// so the extension host answers these itself (synchronously, for the views) while everything
// that parses YAML or asks a host runs in the pipeline worker (createLifecycleServices there).

/** A deploy target of the scope with its registered model (versions, aliases) read now. */
export function resolveTargetWithModel(scope: LifecycleScope, targetName: string) {
  const found = resolveDeployTarget(scope.pipelines, targetName);
  if (!found.ok) return found;
  return { ...found, model: readRegisteredModel(nodeFileSystem, scope.root, found.value.target.model) };
}

export const readLifecycleModels: LifecycleServices['models'] = (scope) => {
  const registry = readModelRegistry(nodeFileSystem, scope.root);
  const declaredOnly = scope.pipelines
    .flatMap((pipeline) => pipeline.models)
    .filter((model) => !registry.models.some((registered) => registered.name === model.name))
    .map((model) => ({ name: model.name, versions: [], aliases: {} }));
  const models = [...registry.models, ...declaredOnly].sort((left, right) =>
    left.name < right.name ? -1 : left.name > right.name ? 1 : 0,
  );
  return { models, problems: registry.problems };
};

export function previewLifecycleGates(
  scope: LifecycleScope,
  targetName: string,
  versionNumber: number,
): readonly GateResult[] {
  const found = resolveTargetWithModel(scope, targetName);
  if (!found.ok) return [];
  const version = found.model.versions.find((record) => record.version === versionNumber);
  return version ? evaluateGates(found.value.target.gates, version, found.model) : [];
}
