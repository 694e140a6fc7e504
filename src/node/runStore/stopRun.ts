import * as fs from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { readRunRecord } from '../../engine/runStore/readRunRecord';
import type { RunRecord } from '../../engine/runStore/runRecord';
import { RUNS_FOLDER } from '../../engine/scheduler/runPipeline';
import type { RunStatus } from '../../engine/runs/model';
import { nodeFileSystem } from '../nodeFileSystem';
import { WORKSPACE_LOCK_FILE } from './createWorkspaceLock';
import { isOwnerAlive } from './isOwnerAlive';

export type StopOutcome =
  | { readonly kind: 'stopped'; readonly status: RunStatus }
  | { readonly kind: 'unknownRun' }
  | { readonly kind: 'notRunning'; readonly status: RunStatus }
  | { readonly kind: 'otherHost'; readonly hostname: string }
  | { readonly kind: 'timedOut' };

export interface StopOptions {
  /** How long to wait for the owner to record the run's end (default 15 s). */
  readonly waitMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Stops a run that any process started: sends SIGTERM to the `mlc run` process that owns it
 * (its pid is in run.json), which kills its stages' process groups and records the run as
 * `cancelled`, then waits until the record says so. The pid is signalled only while the owner
 * still holds the workspace lock for that very run, so a reused pid is never signalled.
 */
export async function stopRun(root: string, runId: string, options: StopOptions = {}): Promise<StopOutcome> {
  const runDirectory = join(root, RUNS_FOLDER, runId);
  if (!/^[\w.@-]+$/.test(runId) || !fs.existsSync(join(runDirectory, 'run.json'))) return { kind: 'unknownRun' };
  const read = () => readRunRecord(nodeFileSystem, runDirectory, isOwnerAlive).value;
  const record = read();
  if (!record) return { kind: 'unknownRun' };
  if (!isLive(record)) return { kind: 'notRunning', status: record.status };
  if (record.owner.hostname !== hostname()) return { kind: 'otherHost', hostname: record.owner.hostname };
  if (!holdsWorkspaceLock(root, record)) return { kind: 'notRunning', status: 'interrupted' };
  try {
    process.kill(record.owner.pid, 'SIGTERM');
  } catch {
    return { kind: 'notRunning', status: 'interrupted' };
  }
  const deadline = Date.now() + (options.waitMs ?? 15_000);
  while (Date.now() < deadline && !options.signal?.aborted) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const current = read();
    if (current && !isLive(current)) return { kind: 'stopped', status: current.status };
  }
  return { kind: 'timedOut' };
}

function isLive(record: RunRecord): boolean {
  return record.status === 'running' || record.status === 'queued';
}

function holdsWorkspaceLock(root: string, record: RunRecord): boolean {
  try {
    const holder = JSON.parse(fs.readFileSync(join(root, WORKSPACE_LOCK_FILE), 'utf8')) as {
      runId?: string;
      pid?: number;
    };
    return holder.runId === record.id && holder.pid === record.owner.pid;
  } catch {
    return false;
  }
}
