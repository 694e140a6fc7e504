import * as fs from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { readRunRecord } from '../../engine/runStore/readRunRecord';
import type { RunOwner, RunRecord } from '../../engine/runStore/runRecord';
import { formatStopRequest, STOP_REQUEST_FILE } from '../../engine/runStore/stopRequest';
import { RUNS_FOLDER } from '../../engine/scheduler/runPipeline';
import type { RunStatus } from '../../engine/runs/model';
import { nodeFileSystem } from '../nodeFileSystem';
import { WORKSPACE_LOCK_FILE } from './createWorkspaceLock';
import { isOwnerAlive } from './isOwnerAlive';

export type StopOutcome =
  /** `request`: the owner honoured the stop request; `signal`: a CLI owner ignored it and got SIGTERM. */
  | {
      readonly kind: 'stopped';
      readonly status: RunStatus;
      readonly how: 'request' | 'signal';
      readonly owner: RunOwner;
    }
  | { readonly kind: 'unknownRun' }
  | { readonly kind: 'notRunning'; readonly status: RunStatus }
  /** The owner runs on another host (shared disk) and did not answer the request in time. */
  | { readonly kind: 'otherHost'; readonly hostname: string }
  /** The owner is not a dedicated mlc CLI process (the extension host) and did not answer: never signalled. */
  | { readonly kind: 'notResponding'; readonly owner: RunOwner; readonly graceMs: number }
  | { readonly kind: 'timedOut' };

export interface StopOptions {
  /** How long the owner has to answer the stop request before a CLI owner is signalled (default 5 s). */
  readonly graceMs?: number;
  /** How long to wait, once it answered or was signalled, for the owner to record the run's end (default 15 s). */
  readonly waitMs?: number;
  /** Who asks, for the request file and the run's message (default `mlc stop`). */
  readonly requestedBy?: string;
  readonly signal?: AbortSignal;
}

const POLL_MS = 50;

/**
 * Stops a run that any process started, without ever signalling a process that is not a
 * dedicated `mlc run`: writes `stop-requested` into the run folder, which the owner's runPipeline
 * (in a terminal or in a VS Code extension host) notices within 250 ms and treats as Ctrl-C: it
 * kills its stages' process groups and records the run `cancelled`. Only when the owner has not
 * answered after `graceMs`, is recorded as a `cli` owner on this host and still holds the
 * workspace lock for that very run (so a reused pid is never hit) does it fall back to SIGTERM.
 */
export async function stopRun(root: string, runId: string, options: StopOptions = {}): Promise<StopOutcome> {
  const runDirectory = join(root, RUNS_FOLDER, runId);
  if (!/^[\w.@-]+$/.test(runId) || !fs.existsSync(join(runDirectory, 'run.json'))) return { kind: 'unknownRun' };
  const read = () => readRunRecord(nodeFileSystem, runDirectory, isOwnerAlive).value;
  const record = read();
  if (!record) return { kind: 'unknownRun' };
  if (!isLive(record)) return { kind: 'notRunning', status: record.status };
  const { owner } = record;
  requestStop(runDirectory, options.requestedBy ?? 'mlc stop');

  const graceMs = options.graceMs ?? 5000;
  const waitMs = options.waitMs ?? 15_000;
  const answer = await poll(read, graceMs, options.signal, (current) => !isLive(current) || !!current.stopRequest);
  if (answer && !isLive(answer)) return ended(answer, 'request', owner);
  if (answer) {
    const end = await poll(read, waitMs, options.signal, (current) => !isLive(current));
    return end ? ended(end, 'request', owner) : { kind: 'timedOut' };
  }
  if (options.signal?.aborted) return { kind: 'timedOut' };
  if (owner.hostname !== hostname()) return { kind: 'otherHost', hostname: owner.hostname };
  if (owner.kind !== 'cli') return { kind: 'notResponding', owner, graceMs };
  if (!holdsWorkspaceLock(root, record)) return { kind: 'notRunning', status: 'interrupted' };
  try {
    process.kill(owner.pid, 'SIGTERM');
  } catch {
    return { kind: 'notRunning', status: 'interrupted' };
  }
  const end = await poll(read, waitMs, options.signal, (current) => !isLive(current));
  return end ? ended(end, 'signal', owner) : { kind: 'timedOut' };
}

/** Atomic (temp file + rename), so the owner never reads half a request. */
function requestStop(runDirectory: string, command: string): void {
  try {
    nodeFileSystem.writeFileAtomic(
      join(runDirectory, STOP_REQUEST_FILE),
      formatStopRequest({ requestedAt: Date.now(), by: { pid: process.pid, hostname: hostname(), command } }),
    );
  } catch {
    // A read-only run folder: the owner cannot be asked; the grace period decides what follows.
  }
}

async function poll(
  read: () => RunRecord | undefined,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  done: (record: RunRecord) => boolean,
): Promise<RunRecord | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = read();
    if (current && done(current)) return current;
    if (Date.now() >= deadline || signal?.aborted) return undefined;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** A run that ended on its own (succeeded, failed) before the request took effect was not stopped. */
function ended(record: RunRecord, how: 'request' | 'signal', owner: RunOwner): StopOutcome {
  return record.status === 'cancelled' || record.status === 'interrupted'
    ? { kind: 'stopped', status: record.status, how, owner }
    : { kind: 'notRunning', status: record.status };
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
