import type { FileSystem } from '../../src/engine/ports';
import type { ProcessResult, ProcessRunner, ProcessSpec } from '../../src/engine/scheduler/ports';
import { createStartQueue, notStartedResult, type QueuedStart } from '../../src/engine/scheduler/startQueue';
import type { FakeTime } from './fakeTime';

/** How one fake command behaves: how long it runs in fake time, its exit code, what it writes. */
export interface FakeCommand {
  readonly runsMs?: number;
  readonly exitCode?: number | ((call: number) => number);
  /** Files written (relative to the cwd) when it ends on its own. */
  readonly writes?: readonly string[];
}

/**
 * A ProcessRunner on fake time: each command is a name looked up in `behaviour`; it ends after
 * `runsMs` (default 1), when `spec.timeoutMs` runs out (timedOut) or when its signal aborts
 * (cancelled). It keeps every spec, the start order and the highest concurrency seen.
 */
export function createFakeProcessRunner(
  time: FakeTime,
  behaviour: Readonly<Record<string, FakeCommand>>,
  fs?: FileSystem,
  /** Holds starts beyond `limitConcurrency`'s slots as the process worker does (its StartQueue). */
  options: { readonly queue?: boolean } = {},
) {
  const specs: ProcessSpec[] = [];
  const calls = new Map<string, number>();
  let running = 0;
  let maxRunning = 0;
  const startNow = (spec: ProcessSpec, signal: AbortSignal, onEnded?: (succeeded: boolean) => void) => {
    for (const path of spec.removeBeforeStart ?? []) fs?.remove(path);
    specs.push(spec);
    const call = (calls.get(spec.command) ?? 0) + 1;
    calls.set(spec.command, call);
    const rule = behaviour[spec.command] ?? {};
    running++;
    maxRunning = Math.max(maxRunning, running);
    const startedAt = time.clock.now();
    spec.onStarted?.(startedAt);
    const runsMs = rule.runsMs ?? 1;
    const timesOut = spec.timeoutMs !== undefined && spec.timeoutMs < runsMs;
    const result = new Promise<ProcessResult>((resolve) => {
      const end = (how: { readonly cancelled?: boolean; readonly timedOut?: boolean }) => {
        time.timers.clear(timer);
        signal.removeEventListener('abort', onAbort);
        running--;
        const killed = how.cancelled === true || how.timedOut === true;
        if (!killed) for (const path of rule.writes ?? []) fs?.writeFileAtomic(`${spec.cwd}/${path}`, 'x');
        spec.onLine?.('stdout', `${spec.command} says hi`, time.clock.now());
        const exitCode = typeof rule.exitCode === 'function' ? rule.exitCode(call) : (rule.exitCode ?? 0);
        const succeeded = !killed && exitCode === 0;
        // As the worker: a success frees its slot before its result is told, a failure after.
        if (succeeded) onEnded?.(true);
        resolve({
          exitCode: killed ? undefined : exitCode,
          signal: killed ? 'SIGTERM' : undefined,
          timedOut: how.timedOut ?? false,
          cancelled: how.cancelled ?? false,
          startedAt,
          endedAt: time.clock.now(),
        });
        if (!succeeded) onEnded?.(false);
      };
      const onAbort = () => end({ cancelled: true });
      const timer = time.timers.setTimeout(() => end({ timedOut: timesOut }), timesOut ? spec.timeoutMs! : runsMs);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    return { pid: 1000 + specs.length, result };
  };
  const queue = createStartQueue();
  const handedAhead: string[] = [];
  const runner: ProcessRunner = {
    start(spec, signal) {
      if (!options.queue) return startNow(spec, signal);
      if (spec.ahead) handedAhead.push(spec.command);
      let pid: number | undefined;
      const result = new Promise<ProcessResult>((resolve) => {
        const queued: QueuedStart = {
          ahead: spec.ahead === true,
          start: () => {
            signal.removeEventListener('abort', onAbort);
            const command = startNow(spec, signal, (succeeded) => queue.ended(succeeded));
            pid = command.pid;
            void command.result.then(resolve);
          },
          drop: () => {
            signal.removeEventListener('abort', onAbort);
            resolve(notStartedResult(time.clock.now()));
          },
        };
        const onAbort = () => {
          if (queue.remove(queued)) queued.drop();
        };
        signal.addEventListener('abort', onAbort, { once: true });
        queue.submit(queued);
      });
      return {
        get pid() {
          return pid;
        },
        result,
      };
    },
    ...(options.queue
      ? {
          limitConcurrency: (slots: number) => {
            queue.setSlots(slots);
            return true;
          },
        }
      : {}),
  };
  return {
    runner,
    specs,
    started: () => specs.map((spec) => spec.command),
    /** Commands handed ahead to the queue (started or not). */
    handedAhead: () => [...handedAhead],
    maxRunning: () => maxRunning,
  };
}
