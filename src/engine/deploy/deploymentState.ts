import { join } from 'pathe';
import type { FileSystem } from '../ports';

/**
 * Deployments, relative to the workspace root: `<target>/current.json`, `history.jsonl` and one
 * `server-v<version>-<time>.log` per start (see serverLogName).
 */
export const DEPLOYMENTS_FOLDER = '.mlc/deployments';

/** What serves a target now: enough to find the process again from any later command. */
export interface CurrentDeployment {
  readonly target: string;
  readonly model: string;
  readonly version: number;
  readonly pid: number;
  /** As the process described itself once healthy: checked before any signal. */
  readonly commandLine: string;
  /** The start command with `{model}` and `{port}` filled in. */
  readonly command: string;
  readonly port: number | null;
  readonly healthUrl: string | null;
  readonly host: string;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly logFile: string;
}

export type DeploymentAction = 'deploy' | 'rollback' | 'undeploy';

/** One line of history.jsonl: every attempt, kept whatever its result. */
export interface DeploymentHistoryEntry {
  readonly when: string;
  readonly who: string;
  readonly action: DeploymentAction;
  readonly target: string;
  readonly model: string;
  readonly version: number | null;
  /** The version serving before, when there was one. */
  readonly previousVersion: number | null;
  readonly result: 'succeeded' | 'failed';
  readonly reason?: string;
  /** The log of the server this attempt started (on its host), when it got as far as starting one. */
  readonly logFile?: string;
  readonly gates?: readonly {
    readonly gate: string;
    readonly passed: boolean;
    readonly value?: number;
    readonly threshold?: number;
  }[];
}

/**
 * The log file of one start of a version (`server-v2-2026-12-03T07-45-12.345Z.log`): each start
 * writes its own, so the last lines a failed start reports are its own, never those of the server
 * that ran before it. `startTime` is ISO 8601; its colons become dashes (legal on every file system).
 */
export function serverLogName(version: number, startTime: string): string {
  return `server-v${version}-${startTime.replaceAll(':', '-')}.log`;
}

/**
 * How many server logs a target keeps: one per start, so a target deployed every day would
 * otherwise pile them up forever. The serving version's log is kept whatever its age.
 */
export const KEPT_SERVER_LOGS = 20;

const SERVER_LOG = /^server-v\d+-(.+)\.log$/;

/**
 * The server logs among `names` (a deployment folder's entries) to remove before one more start:
 * the oldest, so that `kept - 1` remain besides the new one, never `serving` (the log of the
 * version serving now, by file name). Only names that serverLogName writes are considered.
 */
export function serverLogsToPrune(
  names: readonly string[],
  serving: string | undefined,
  kept: number = KEPT_SERVER_LOGS,
): string[] {
  const newestFirst = names
    .map((name) => ({ name, startTime: SERVER_LOG.exec(name)?.[1] }))
    .filter((log): log is { name: string; startTime: string } => log.startTime !== undefined && log.name !== serving)
    .sort((a, b) => (a.startTime < b.startTime ? 1 : a.startTime > b.startTime ? -1 : 0));
  const roomForServing = serving !== undefined && names.includes(serving) ? 1 : 0;
  return newestFirst.slice(Math.max(0, kept - 1 - roomForServing)).map((log) => log.name);
}

export function deploymentFolder(workspaceRoot: string, target: string): string {
  return join(workspaceRoot, DEPLOYMENTS_FOLDER, target);
}

export function readCurrentDeployment(
  fs: FileSystem,
  workspaceRoot: string,
  target: string,
): CurrentDeployment | undefined {
  try {
    const value = JSON.parse(
      fs.readText(join(deploymentFolder(workspaceRoot, target), 'current.json')),
    ) as CurrentDeployment;
    return typeof value.pid === 'number' && typeof value.version === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}

export function writeCurrentDeployment(fs: FileSystem, workspaceRoot: string, current: CurrentDeployment): void {
  fs.writeFileAtomic(
    join(deploymentFolder(workspaceRoot, current.target), 'current.json'),
    `${JSON.stringify(current, null, 2)}\n`,
  );
}

export function clearCurrentDeployment(fs: FileSystem, workspaceRoot: string, target: string): void {
  const path = join(deploymentFolder(workspaceRoot, target), 'current.json');
  if (fs.stat(path)) fs.remove(path);
}

export function appendDeploymentHistory(fs: FileSystem, workspaceRoot: string, entry: DeploymentHistoryEntry): void {
  const folder = deploymentFolder(workspaceRoot, entry.target);
  fs.makeDirectory(folder);
  fs.appendFile(join(folder, 'history.jsonl'), `${JSON.stringify(entry)}\n`);
}

/** Oldest first; a torn or foreign line is skipped. */
export function readDeploymentHistory(fs: FileSystem, workspaceRoot: string, target: string): DeploymentHistoryEntry[] {
  let text: string;
  try {
    text = fs.readText(join(deploymentFolder(workspaceRoot, target), 'history.jsonl'));
  } catch {
    return [];
  }
  const entries: DeploymentHistoryEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const entry = JSON.parse(line) as DeploymentHistoryEntry;
      if (typeof entry.action === 'string' && typeof entry.result === 'string') entries.push(entry);
    } catch {
      // A torn last line: the append that wrote it did not finish.
    }
  }
  return entries;
}

/**
 * The version to roll back to: the last version that deployed successfully before the one serving
 * now (history read backwards, skipping the current version's own entries). An undeploy ends the
 * search: nothing served between it and the next deploy, so there is nothing to return to (after
 * an undeploy, the way back is a deploy of the version wanted).
 */
export function previousHealthyVersion(
  history: readonly DeploymentHistoryEntry[],
  currentVersion: number | undefined,
): number | undefined {
  for (let index = history.length - 1; index >= 0; index--) {
    const entry = history[index]!;
    if (entry.result !== 'succeeded') continue;
    if (entry.action === 'undeploy') return undefined;
    if (entry.version !== null && entry.version !== currentVersion) return entry.version;
  }
  return undefined;
}
