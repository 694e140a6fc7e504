import type { FileSystem } from '../../src/engine/ports';
import type { ProcessResult, ProcessRunner, ProcessSpec } from '../../src/engine/scheduler/ports';
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
) {
  const specs: ProcessSpec[] = [];
  const calls = new Map<string, number>();
  let running = 0;
  let maxRunning = 0;
  const runner: ProcessRunner = {
    start(spec, signal) {
      specs.push(spec);
      const call = (calls.get(spec.command) ?? 0) + 1;
      calls.set(spec.command, call);
      const rule = behaviour[spec.command] ?? {};
      running++;
      maxRunning = Math.max(maxRunning, running);
      const startedAt = time.clock.now();
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
          resolve({
            exitCode: killed ? undefined : exitCode,
            signal: killed ? 'SIGTERM' : undefined,
            timedOut: how.timedOut ?? false,
            cancelled: how.cancelled ?? false,
            startedAt,
            endedAt: time.clock.now(),
          });
        };
        const onAbort = () => end({ cancelled: true });
        const timer = time.timers.setTimeout(() => end({ timedOut: timesOut }), timesOut ? spec.timeoutMs! : runsMs);
        signal.addEventListener('abort', onAbort, { once: true });
      });
      return { pid: 1000 + specs.length, result };
    },
  };
  return {
    runner,
    specs,
    started: () => specs.map((spec) => spec.command),
    maxRunning: () => maxRunning,
  };
}
