import { basename } from 'node:path';
import { findDeclaredTarget } from '../../engine/deploy/deployTargets';
import type { TargetEntry } from './lifecycleController';
import type { LifecycleServices } from './lifecycleServices';

/** As much of a remote log as an editor shows usefully; the rest stays on the host. */
export const SHOWN_SERVER_LOG_LINES = 5000;

/** The name of the ssh host a target's server runs on, or undefined when it runs on this machine. */
export function remoteHostOf(entry: TargetEntry): string | undefined {
  const declared = findDeclaredTarget(entry.scope.pipelines, entry.overview.target.name);
  return declared?.runner?.type === 'ssh' ? (entry.overview.recorded?.host ?? declared.runner.name) : undefined;
}

/**
 * The text of a target's server log named `name` (a file name, not a path): the last lines, read on
 * the target's host. Only a log the target's own records name (current.json or history.jsonl) is
 * read, so a crafted name cannot make mlc read any other file on the host.
 */
export async function recordedServerLogText(
  entry: TargetEntry,
  name: string,
  services: Pick<LifecycleServices, 'serverLogTail'>,
  now: Date,
): Promise<string> {
  const target = entry.overview.target.name;
  const recorded = [entry.overview.recorded?.logFile, ...entry.overview.history.map((attempt) => attempt.logFile)];
  const logFile = recorded.find((file) => file !== undefined && basename(file) === name);
  if (logFile === undefined) return `No server log named ${name} is recorded for ${target}.\n`;
  const host = remoteHostOf(entry) ?? 'this machine';
  const tail = await services.serverLogTail(entry.scope, target, logFile, SHOWN_SERVER_LOG_LINES);
  if (!tail.ok) return `The server log ${logFile} on ${host} could not be read: ${tail.message}\n`;
  const header = `# ${logFile} on ${host}: the last ${SHOWN_SERVER_LOG_LINES} lines at most, as of ${now.toISOString()} (close and open it again to refresh)`;
  return `${header}\n${tail.value.join('\n')}\n`;
}
