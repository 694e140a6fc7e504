import { join } from 'pathe';
import type { Clock, FileSystem } from '../ports';
import { RUN_FILES, type RunRecord } from './runRecord';

/**
 * Rewrites the record of a run whose owner died (found through the stale workspace lock it left)
 * as `interrupted`, with every stage that was running or pending marked so too. A record that is
 * missing, unreadable or already finished is left alone. Returns whether it rewrote the record.
 */
export function markRunInterrupted(fs: FileSystem, clock: Clock, runDirectory: string, message: string): boolean {
  const path = join(runDirectory, RUN_FILES.record);
  if (hasEnded(fs, path)) return false;
  let record: RunRecord;
  try {
    record = JSON.parse(fs.readText(path)) as RunRecord;
  } catch {
    return false;
  }
  if (record.status !== 'running' && record.status !== 'queued') return false;
  record.status = 'interrupted';
  record.endedAt ??= clock.now();
  record.updatedAt = clock.now();
  record.message = message;
  for (const stage of record.stages ?? []) {
    if (stage.status === 'running') {
      stage.status = 'cancelled';
      stage.failure = { code: 'killed', message: 'interrupted: the mlc process that ran it died' };
    } else if (stage.status === 'pending') {
      stage.status = 'skipped';
      stage.skipReason = 'not run: the run was interrupted';
    }
  }
  fs.writeFileAtomic(path, `${JSON.stringify(record, null, 2)}\n`);
  const events = join(runDirectory, RUN_FILES.events);
  const size = fs.stat(events)?.size ?? 0;
  // The dead writer may have torn its last line: start ours on a fresh line.
  const endsTorn = size > 0 && fs.readRange(events, size - 1, 1)[0] !== 0x0a;
  const line = JSON.stringify({ time: clock.now(), type: 'runInterrupted' });
  fs.appendFile(events, `${endsTorn ? '\n' : ''}${line}\n`);
  return true;
}

/**
 * Called by a run that holds the workspace lock: no other run can be live, so any of the newest
 * `limit` records still saying queued or running belongs to a process that died (its stale lock
 * may have been deleted by hand). Each is rewritten as interrupted. Returns their ids.
 */
export function markDeadRunsInterrupted(fs: FileSystem, clock: Clock, runsDirectory: string, limit = 20): string[] {
  let names: string[];
  try {
    names = fs
      .readDirectory(runsDirectory)
      .filter((entry) => entry.kind === 'directory')
      .map((entry) => entry.name);
  } catch {
    return [];
  }
  const newest = names.sort().slice(-limit);
  return newest.filter((name) =>
    markRunInterrupted(fs, clock, join(runsDirectory, name), 'interrupted: its mlc process ended before the run did'),
  );
}

/** How much of run.json is read to find its status (the recorder writes it as the third key). */
const HEAD_BYTES = 512;
const decoder = new TextDecoder('utf-8');

/**
 * Whether run.json already records an end, judged from its first bytes: every `mlc run` checks
 * the newest 20 records, and a finished 1,000-stage record is ~750 KB of JSON (~8 ms to parse).
 * Only a top-level `status` (two-space indent, as the recorder writes it) counts; a record
 * written differently is parsed in full.
 */
function hasEnded(fs: FileSystem, path: string): boolean {
  let head: string;
  try {
    head = decoder.decode(fs.readRange(path, 0, HEAD_BYTES));
  } catch {
    return false;
  }
  const status = /^ {2}"status": "([a-z-]+)"/m.exec(head)?.[1];
  return status !== undefined && status !== 'running' && status !== 'queued';
}
