import * as fs from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { LockAttempt, LockHolder, WorkspaceLock } from '../../engine/runStore/workspaceLock';
import { isProcessAlive } from './isOwnerAlive';
import { killRunLeftovers } from './killRunLeftovers';

export const WORKSPACE_LOCK_FILE = '.mlc/lock';

/**
 * `.mlc/lock`, published atomically: the holder is written to a temp file that is then hard-linked
 * to the lock path, and link(2) fails when the path exists, so of two `mlc run` processes exactly
 * one gets it and nobody ever sees a half-written lock. It holds the owner's run id, pid and host.
 * A lock whose owner is dead (kill -9, reboot) is stale, and so is one that cannot be parsed
 * (empty, garbage, written by hand): it is removed and the create is tried again, and the caller
 * learns whose run died or which file was unreadable.
 */
export function createWorkspaceLock(root: string): WorkspaceLock {
  const path = join(root, WORKSPACE_LOCK_FILE);
  return {
    isFree: () => !fs.existsSync(path),
    tryAcquire(holder: LockHolder): LockAttempt {
      fs.mkdirSync(dirname(path), { recursive: true });
      ignoreInGit(dirname(path));
      let staleHolder: LockHolder | undefined;
      const warnings: string[] = [];
      for (let attempt = 0; attempt < 3; attempt++) {
        if (tryCreate(path, holder)) {
          heldLocks.set(path, holder);
          return {
            acquired: true,
            ...(staleHolder ? { staleHolder } : {}),
            ...(warnings.length > 0 ? { warnings } : {}),
            release: () => releaseIfOurs(path, holder),
          };
        }
        const read = readHolder(path);
        if (read.kind === 'missing') continue;
        if (read.kind === 'holder') {
          if (isHolderAlive(read.holder)) return { acquired: false, holder: read.holder };
          staleHolder = read.holder;
          const leftovers = killRunLeftovers(read.holder.runId);
          if (leftovers.length > 0) {
            warnings.push(
              `killed ${leftovers.length} process(es) still running for the dead run ${read.holder.runId} (pid ${leftovers.join(', ')})`,
            );
          }
        } else {
          warnings.push(
            `the workspace lock ${path} could not be read (${read.reason}); it was treated as stale and taken over`,
          );
        }
        removeIfUnchanged(path, read.text);
      }
      const read = readHolder(path);
      return {
        acquired: false,
        holder:
          read.kind === 'holder'
            ? read.holder
            : { runId: 'unknown', pid: 0, hostname: hostname(), acquiredAt: Date.now() },
      };
    },
  };
}

/** Locks this process holds: released by `releaseHeldLocks` when it must exit at once. */
const heldLocks = new Map<string, LockHolder>();

/** For a process about to exit without unwinding (a second Ctrl-C): gives back every lock it holds. */
export function releaseHeldLocks(): void {
  for (const [path, holder] of heldLocks) releaseIfOurs(path, holder);
}

/**
 * A holder on another host (a workspace on a shared disk) cannot be checked from here: it counts
 * as alive, and the message tells the person to remove `.mlc/lock` if they know it is not.
 */
function isHolderAlive(holder: LockHolder): boolean {
  return holder.hostname !== hostname() || isProcessAlive(holder.pid);
}

/**
 * Run records in `.mlc/runs` are meant to be shareable through git; the lock and the stat cache
 * are not. Writes `.mlc/.gitignore` once, and never overwrites one the user edited.
 */
function ignoreInGit(folder: string): void {
  const path = join(folder, '.gitignore');
  if (fs.existsSync(path)) return;
  try {
    fs.writeFileSync(path, '# Written by mlc: machine-local state.\n/lock\n/cache/\n', { flag: 'wx' });
  } catch {
    // Another process wrote it first, or the folder is read-only: either way nothing to do.
  }
}

/** Writes the holder beside the lock, then links it into place: false when a lock exists. */
function tryCreate(path: string, holder: LockHolder): boolean {
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  fs.writeFileSync(temporary, `${JSON.stringify(holder)}\n`, { flag: 'wx' });
  try {
    fs.linkSync(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

type ReadLock =
  | { readonly kind: 'missing' }
  | { readonly kind: 'holder'; readonly holder: LockHolder; readonly text: string }
  | { readonly kind: 'unreadable'; readonly reason: string; readonly text: string };

function readHolder(path: string): ReadLock {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'unreadable', reason: (error as Error).message, text: '' };
  }
  if (text.trim() === '') return { kind: 'unreadable', reason: 'it is empty', text };
  try {
    const holder = JSON.parse(text) as Partial<LockHolder> | null;
    if (typeof holder?.pid === 'number' && typeof holder.runId === 'string') {
      return { kind: 'holder', holder: holder as LockHolder, text };
    }
    return { kind: 'unreadable', reason: 'it names no run id and pid', text };
  } catch {
    return { kind: 'unreadable', reason: 'it is not JSON', text };
  }
}

/** Removes a stale lock only if it still has the content judged stale (not a fresh lock that replaced it). */
function removeIfUnchanged(path: string, judged: string): void {
  try {
    if (fs.readFileSync(path, 'utf8') === judged) fs.rmSync(path, { force: true });
  } catch {
    // Gone already: the next create attempt decides.
  }
}

/** Removes the lock only while it is still ours (a takeover by another process is left alone). */
function releaseIfOurs(path: string, holder: LockHolder): void {
  heldLocks.delete(path);
  const current = readHolder(path);
  if (current.kind === 'holder' && current.holder.runId === holder.runId && current.holder.pid === holder.pid) {
    fs.rmSync(path, { force: true });
  }
}
