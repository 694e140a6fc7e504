import { liveDeployment } from '../deploy/deployModelVersion';
import { readCurrentDeployment } from '../deploy/deploymentState';
import { type DeployHost, DeployHostError } from '../deploy/ports';
import type { FileSystem } from '../ports';
import type { DeploymentHealth } from './alertMonitor';

/**
 * Whether a deploy target serves now, for `deployment:` alerts: down when its recorded process is
 * gone or its health URL does not answer 2xx; `notDeployed` when nothing was ever deployed (or it
 * was undeployed), which is not an outage.
 */
export async function checkDeploymentHealth(
  ports: { readonly fs: FileSystem; readonly host: DeployHost },
  workspaceRoot: string,
  target: string,
): Promise<DeploymentHealth> {
  const recorded = readCurrentDeployment(ports.fs, workspaceRoot, target);
  if (!recorded) return { state: 'notDeployed' };
  let live;
  try {
    live = await liveDeployment(ports, workspaceRoot, target);
  } catch (error) {
    // A remote host that does not answer: its server cannot be reached either.
    if (error instanceof DeployHostError) return { state: 'down', reason: error.message };
    throw error;
  }
  if (!live) return { state: 'down', reason: `its server process (pid ${recorded.pid}) is no longer running` };
  if (!live.healthUrl) return { state: 'up' };
  const answer = await ports.host.probe(live.healthUrl);
  if (answer.ok) return { state: 'up' };
  const why = answer.error ?? `HTTP ${answer.status ?? '?'}`;
  return { state: 'down', reason: `${live.healthUrl} did not answer (${why})` };
}
