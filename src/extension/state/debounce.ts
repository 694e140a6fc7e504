/** Calls `action` once, `delayMs` after the last `schedule()`; `flush()` runs it now if pending. */
export interface Debouncer {
  schedule(): void;
  flush(): void;
  dispose(): void;
}

/**
 * With `maxWaitMs`, a steady stream of `schedule()` calls (a run appending to its files every
 * 100 ms) still runs the action at least that often, so views follow a live run instead of
 * waiting for it to go quiet.
 */
export function debounce(action: () => void, delayMs: number, maxWaitMs = Number.POSITIVE_INFINITY): Debouncer {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let firstScheduledAt: number | undefined;
  const clear = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  const run = () => {
    clear();
    firstScheduledAt = undefined;
    action();
  };
  return {
    schedule() {
      const now = Date.now();
      firstScheduledAt ??= now;
      clear();
      const wait = Math.min(delayMs, Math.max(0, firstScheduledAt + maxWaitMs - now));
      timer = setTimeout(run, wait);
    },
    flush() {
      if (timer !== undefined) run();
    },
    dispose() {
      clear();
      firstScheduledAt = undefined;
    },
  };
}
