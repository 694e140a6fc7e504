/**
 * The port for `.mlc/lock`: one `mlc run` at a time per workspace, so two runs never write the
 * same outs or lock entries. The Node adapter creates the file with O_EXCL and takes over a lock
 * whose owner process is dead (kill -9, power loss).
 */
export interface LockHolder {
  readonly runId: string;
  readonly pid: number;
  readonly hostname: string;
  readonly acquiredAt: number;
}

export type LockAttempt =
  | {
      readonly acquired: true;
      /** The holder of a stale lock that was taken over (its run died without finishing). */
      readonly staleHolder?: LockHolder;
      /** What the person should know about the takeover (an unreadable lock file, leftovers killed). */
      readonly warnings?: readonly string[];
      release(): void;
    }
  | { readonly acquired: false; readonly holder: LockHolder };

export interface WorkspaceLock {
  tryAcquire(holder: LockHolder): LockAttempt;
  /**
   * Whether no lock is there at all (no run holds it, none left it behind): a run may then look
   * for work without taking it, and takes it only when something is to run. Absent = always take it.
   */
  isFree?(): boolean;
}
