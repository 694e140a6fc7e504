import type { ProcessResult } from './ports';

/** What a command handed ahead ends with when it is dropped or cancelled before it started. */
export function notStartedResult(at: number): ProcessResult {
  return {
    exitCode: undefined,
    signal: undefined,
    timedOut: false,
    cancelled: true,
    notStarted: true,
    startedAt: at,
    endedAt: at,
  };
}

/** One command waiting for a slot of a StartQueue. */
export interface QueuedStart {
  /** Handed ahead (ProcessSpec.ahead): starts after every start that is not, and not after a failure. */
  readonly ahead: boolean;
  /** Starts the command now (it holds a slot until `ended` is called for it). */
  start(): void;
  /** Ends it without starting it (`notStarted`): dropped after a failure, or removed. */
  drop(): void;
}

export interface StartQueue {
  /** At most this many commands run at once (default: no limit). */
  setSlots(slots: number): void;
  /** Starts the command now if a slot is free, else queues it (or drops it: see QueuedStart.ahead). */
  submit(start: QueuedStart): void;
  /**
   * A started command ended: its slot goes to the next waiting start. After a failure the starts
   * handed ahead are dropped (call it after telling the caller about the failure), and later ones
   * are dropped as they come, until a start that is not handed ahead says the caller went on.
   */
  ended(succeeded: boolean): void;
  /** Takes a waiting start out (it was cancelled); false when it is not waiting (it started). */
  remove(start: QueuedStart): boolean;
  /** Drops every waiting start at once (the caller is gone). */
  clear(): QueuedStart[];
}

/**
 * The process worker's queue of stage starts (brief: make's loop). mlc hands it the next ready
 * stages ahead of time, so a freed slot starts the next stage at once instead of after a round
 * trip to mlc's main thread (result, bookkeeping, start: ~2.5 ms of every stage's slot at -j2,
 * bench/README stop 23). Concurrency stays exactly the slots; a failure holds back what was
 * handed ahead, as a failing stage without --keep-going must not let queued stages start.
 */
export function createStartQueue(): StartQueue {
  let slots = Number.POSITIVE_INFINITY;
  let running = 0;
  let holdAhead = false;
  const first: QueuedStart[] = [];
  const ahead: QueuedStart[] = [];
  const startWaiting = () => {
    while (running < slots) {
      const next = first.shift() ?? (holdAhead ? undefined : ahead.shift());
      if (!next) return;
      running++;
      next.start();
    }
  };
  return {
    setSlots(count) {
      slots = Math.max(1, Math.floor(count));
      startWaiting();
    },
    submit(start) {
      if (!start.ahead) {
        holdAhead = false;
        first.push(start);
      } else if (holdAhead) {
        start.drop();
        return;
      } else ahead.push(start);
      startWaiting();
    },
    ended(succeeded) {
      running--;
      if (!succeeded) {
        holdAhead = true;
        for (const dropped of ahead.splice(0)) dropped.drop();
      }
      startWaiting();
    },
    remove(start) {
      for (const queue of [first, ahead]) {
        const index = queue.indexOf(start);
        if (index >= 0) {
          queue.splice(index, 1);
          return true;
        }
      }
      return false;
    },
    clear: () => [...first.splice(0), ...ahead.splice(0)],
  };
}
