import * as fs from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { LockAttempt, LockHolder, WorkspaceLock } from '../../engine/runStore/workspaceLock';
import { isProcessAlive } from './isOwnerAlive';

/** A lock file younger than this with no readable holder is being written right now. */
const UNREADABLE_LOCK_GRACE_MS = 5000;

export const WORKSPACE_LOCK_FILE = '.mlc/lock';

/**
 * `.mlc/lock` created with O_EXCL (`wx`), so of two `mlc run` processes exactly one gets it. It
 * holds the owner's run id, pid and host. A lock whose owner is dead (kill -9, reboot) is
 * stale: it is removed and the create is tried again, and the caller learns whose run died.
 */
export function createWorkspaceLock(root: string): WorkspaceLock {
  const path = join(root, WORKSPACE_LOCK_FILE);
  return {
    tryAcquire(holder: LockHolder): LockAttempt {
      fs.mkdirSync(dirname(path), { recursive: true });
      ignoreInGit(dirname(path));
      let staleHolder: LockHolder | undefined;
      for (let attempt = 0; attempt < 3; attempt++) {
        if (tryCreate(path, holder)) {
          return {
            acquired: true,
            ...(staleHolder ? { staleHolder } : {}),
            release: () => releaseIfOurs(path, holder),
          };
        }
        const current = readHolder(path);
        if (current && isHolderAlive(current)) return { acquired: false, holder: current };
        if (!current && isYoung(path)) {
          return {
            acquired: false,
            holder: { runId: 'unknown', pid: 0, hostname: hostname(), acquiredAt: Date.now() },
          };
        }
        staleHolder = current ?? staleHolder;
        fs.rmSync(path, { force: true });
      }
      const current = readHolder(path);
      return {
        acquired: false,
        holder: current ?? { runId: 'unknown', pid: 0, hostname: hostname(), acquiredAt: Date.now() },
      };
    },
  };
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

function tryCreate(path: string, holder: LockHolder): boolean {
  let descriptor: number;
  try {
    descriptor = fs.openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    fs.writeSync(descriptor, `${JSON.stringify(holder)}\n`);
  } finally {
    fs.closeSync(descriptor);
  }
  return true;
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(fs.readFileSync(path, 'utf8')) as LockHolder;
    return typeof holder.pid === 'number' && typeof holder.runId === 'string' ? holder : undefined;
  } catch {
    return undefined;
  }
}

function isYoung(path: string): boolean {
  const stats = fs.statSync(path, { throwIfNoEntry: false });
  return stats !== undefined && Date.now() - stats.mtimeMs < UNREADABLE_LOCK_GRACE_MS;
}

/** Removes the lock only while it is still ours (a takeover by another process is left alone). */
function releaseIfOurs(path: string, holder: LockHolder): void {
  const current = readHolder(path);
  if (current && current.runId === holder.runId && current.pid === holder.pid) fs.rmSync(path, { force: true });
}
