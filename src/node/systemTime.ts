import type { Clock, TimerHandle, Timers } from '../engine/ports';

/** The real clock, bound once for every composition root (CLI, extension, workers). */
export const systemClock: Clock = { now: () => Date.now() };

/** The real timers: Node's Timeout objects are the opaque handles the engine hands back. */
export const systemTimers: Timers = {
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs) as unknown as TimerHandle,
  setInterval: (callback, intervalMs) => setInterval(callback, intervalMs) as unknown as TimerHandle,
  clear: (handle) => {
    if (handle !== undefined) clearTimeout(handle as unknown as NodeJS.Timeout);
  },
};
