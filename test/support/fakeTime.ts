import type { Clock, TimerHandle, Timers } from '../../src/engine/ports';

interface PendingTimer {
  readonly id: number;
  dueAt: number;
  readonly intervalMs: number | undefined;
  readonly callback: () => void;
}

export interface FakeTime {
  readonly clock: Clock;
  readonly timers: Timers;
  /** Moves time forward, firing every timer that falls due on the way, in due order. */
  advance(ms: number): void;
  /** Timers still pending (an interval counts until it is cleared). */
  pendingTimers(): number;
}

/**
 * A clock and timers that move only when a test says so: the engine's scheduler, recorder and
 * stop-request poll run on it without real waiting. `advance` fires due timers synchronously;
 * promises they settle run when the test next awaits.
 */
export function createFakeTime(startMs = Date.UTC(2026, 0, 1)): FakeTime {
  let now = startMs;
  let nextId = 1;
  const pending = new Map<number, PendingTimer>();
  const add = (callback: () => void, delayMs: number, intervalMs: number | undefined): TimerHandle => {
    const id = nextId++;
    pending.set(id, { id, dueAt: now + Math.max(0, delayMs), intervalMs, callback });
    return { id } as unknown as TimerHandle;
  };
  return {
    clock: { now: () => now },
    timers: {
      setTimeout: (callback, delayMs) => add(callback, delayMs, undefined),
      setInterval: (callback, intervalMs) => add(callback, intervalMs, Math.max(1, intervalMs)),
      clear: (handle) => {
        if (handle !== undefined) pending.delete((handle as unknown as { id: number }).id);
      },
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        let due: PendingTimer | undefined;
        for (const timer of pending.values())
          if (timer.dueAt <= until && (!due || timer.dueAt < due.dueAt)) due = timer;
        if (!due) break;
        now = due.dueAt;
        if (due.intervalMs === undefined) pending.delete(due.id);
        else due.dueAt += due.intervalMs;
        due.callback();
      }
      now = until;
    },
    pendingTimers: () => pending.size,
  };
}

/**
 * Awaits `work` while moving fake time forward in `stepMs` steps, letting promises settle between
 * steps; `duringRun` sees the fake time elapsed before each step. Bounded (10,000 steps), so a
 * run that never ends fails the test instead of hanging it.
 */
export async function settleOnFakeTime<T>(
  time: FakeTime,
  work: Promise<T>,
  duringRun: (elapsedMs: number) => void = () => undefined,
  stepMs = 10,
): Promise<T> {
  let settled: { value: T } | { error: unknown } | undefined;
  work.then(
    (value) => (settled = { value }),
    (error: unknown) => (settled = { error }),
  );
  const started = time.clock.now();
  for (let step = 0; step < 10_000 && !settled; step++) {
    await new Promise((resolve) => setImmediate(resolve));
    if (settled) break;
    duringRun(time.clock.now() - started);
    time.advance(stepMs);
  }
  if (!settled) throw new Error(`still running after ${10_000 * stepMs} ms of fake time`);
  if ('error' in settled) throw settled.error;
  return settled.value;
}
