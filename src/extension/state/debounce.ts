/** Calls `action` once, `delayMs` after the last `schedule()`; `flush()` runs it now if pending. */
export interface Debouncer {
  schedule(): void;
  flush(): void;
  dispose(): void;
}

export function debounce(action: () => void, delayMs: number): Debouncer {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const clear = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return {
    schedule() {
      clear();
      timer = setTimeout(() => {
        timer = undefined;
        action();
      }, delayMs);
    },
    flush() {
      if (timer === undefined) return;
      clear();
      action();
    },
    dispose: clear,
  };
}
