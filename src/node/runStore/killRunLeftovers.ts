import * as fs from 'node:fs';
import { isProcessAlive } from './isOwnerAlive';

/** How long a takeover waits for the killed leftovers to be gone. */
const LEFTOVER_WAIT_MS = 2000;
const LEFTOVER_POLL_MS = 10;

/**
 * Kills the processes a dead run left behind, so a new run never works beside a stage of the old
 * one. The stage watchdog normally killed them already; this covers the watchdog's grace period
 * and a watchdog that was killed too. A process belongs to the run when its environment holds the
 * `MLC_RUN_ID` every stage command is started with: an exact identity, unlike a recorded pid that
 * the system may since have given to an unrelated process. Reads `/proc` (Linux); elsewhere it
 * finds nothing and only the watchdog stands. Returns the pids it killed.
 */
export function killRunLeftovers(runId: string): number[] {
  const marker = Buffer.from(`MLC_RUN_ID=${runId}\0`);
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const killed: number[] = [];
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let environment: Buffer;
    try {
      environment = fs.readFileSync(`/proc/${pid}/environ`);
    } catch {
      continue; // gone, or another user's process (never one of this user's stages)
    }
    if (!startsVariable(environment, marker)) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
    } catch {
      // Exited meanwhile.
    }
  }
  const deadline = Date.now() + LEFTOVER_WAIT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (killed.some(isProcessAlive) && Date.now() < deadline) Atomics.wait(pause, 0, 0, LEFTOVER_POLL_MS);
  return killed;
}

/** Whether `variable` (`NAME=value\0`) is one of the NUL-separated entries of `environment`. */
function startsVariable(environment: Buffer, variable: Buffer): boolean {
  for (let at = environment.indexOf(variable); at !== -1; at = environment.indexOf(variable, at + 1)) {
    if (at === 0 || environment[at - 1] === 0) return true;
  }
  return false;
}
