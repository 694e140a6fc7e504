import type { RunnerPlacement } from '../../engine/runners/chooseRunner';
import type { RunnerReachability } from '../../node/runners/checkRunner';
import type { DeclaredRunner, RunnerCheckState } from './runnersViewModel';

/**
 * The last reachability check of each declared runner (by DeclaredRunner.key), for the Runners
 * group. A runner already being checked is not checked twice at once: the command and a run
 * starting may ask together.
 */
export class RunnerChecks {
  private readonly states = new Map<string, RunnerCheckState>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly check: (placement: RunnerPlacement) => Promise<RunnerReachability>,
    private readonly now: () => number = Date.now,
  ) {}

  state(key: string): RunnerCheckState | undefined {
    return this.states.get(key);
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Checks these runners side by side; resolves once each has answered. */
  async checkAll(runners: readonly DeclaredRunner[]): Promise<void> {
    await Promise.all(runners.map((runner) => this.checkOne(runner)));
  }

  private checkOne(declared: DeclaredRunner): Promise<void> {
    // A misconfigured runner (slurm via a non-ssh runner) is shown from its placement, not checked.
    if (!declared.placement.ok) return Promise.resolve();
    const running = this.inFlight.get(declared.key);
    if (running) return running;
    const placement = declared.placement;
    this.set(declared.key, { state: 'checking' });
    const done = this.check(placement)
      .catch((error: unknown): RunnerReachability => ({ reachable: false, message: String(error) }))
      .then((result) => {
        this.inFlight.delete(declared.key);
        this.set(declared.key, { state: 'checked', result, checkedAt: this.now() });
      });
    this.inFlight.set(declared.key, done);
    return done;
  }

  private set(key: string, state: RunnerCheckState): void {
    this.states.set(key, state);
    for (const listener of this.listeners) listener();
  }
}
