import { hostname } from 'node:os';
import { isHeartbeatFresh } from '../../engine/runStore/readRunRecord';
import { systemClock } from '../systemTime';

/**
 * Whether the mlc process that owns a run or a lock still exists. On this host: signal 0 to its
 * pid (EPERM means it exists under another user). On another host the pid means nothing here, so
 * the record's heartbeat decides (the owner rewrites run.json every minute).
 */
export function isOwnerAlive(owner: { readonly pid: number; readonly hostname: string }, updatedAt: number): boolean {
  if (owner.hostname !== hostname()) return isHeartbeatFresh(updatedAt, systemClock.now());
  return isProcessAlive(owner.pid);
}

export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
