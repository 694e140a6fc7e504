import type { RegisteredModel } from '../registry/modelRegistry';
import { type DeployOutcome, type DeployPorts, deployModelVersion, type DeployRequest } from './deployModelVersion';
import { readDeploymentOverview } from './deployTargets';

export type RollbackOutcome =
  | { readonly kind: 'deployed'; readonly outcome: DeployOutcome }
  /** No earlier healthy version (or it is no longer registered): nothing was started or stopped. */
  | { readonly kind: 'noPreviousVersion'; readonly message: string };

/**
 * Redeploys the previous healthy version of a target (the last one that deployed successfully
 * before the version serving now), the way a deploy switches versions; its metric gates are not
 * asked again since it already served. `mlc rollback` and the extension's Roll Back both call this.
 */
export async function rollbackDeployment(
  ports: DeployPorts,
  request: Omit<DeployRequest, 'version' | 'action' | 'skipMetricGates'> & { readonly model: RegisteredModel },
): Promise<RollbackOutcome> {
  const { target, model, workspaceRoot } = request;
  const overview = await readDeploymentOverview(ports, workspaceRoot, target);
  const previous = overview.rollbackVersion;
  const record = model.versions.find((version) => version.version === previous);
  if (previous === undefined || !record) {
    return {
      kind: 'noPreviousVersion',
      message: `${target.name} has no earlier healthy version to return to${previous !== undefined ? ` (v${previous} is no longer registered)` : ''}; deploy a version with mlc deploy ${target.name} --version N.`,
    };
  }
  const current = overview.recorded;
  ports.progress(`Rolling ${target.name} back to v${previous}${current ? ` from v${current.version}` : ''}`);
  const outcome = await deployModelVersion(ports, {
    ...request,
    version: record,
    action: 'rollback',
    skipMetricGates: true,
  });
  return { kind: 'deployed', outcome };
}
