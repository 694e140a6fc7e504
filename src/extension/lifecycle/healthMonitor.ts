import {
  addHealthSample,
  type HealthSample,
  type HealthSummary,
  summarizeHealth,
} from '../../engine/deploy/healthStats';
import type { ProbeResult } from './lifecycleServices';

/** A deployment to poll; `key` changes when another process serves the target (samples restart). */
export interface PolledDeployment {
  readonly key: string;
  readonly healthUrl: string;
}

export interface HealthMonitorOptions {
  /** One probe of a deployment's health URL (on the host it runs on). */
  readonly probe: (deployment: PolledDeployment) => Promise<ProbeResult>;
  /** The deployments to poll now (asked before every round; may ask a remote host). */
  readonly deployments: () => readonly PolledDeployment[] | Promise<readonly PolledDeployment[]>;
  /** Milliseconds between rounds (the `mlc.deployments.pollInterval` setting). */
  readonly intervalMs: () => number;
  readonly now: () => number;
  /** After each round. */
  readonly onDidPoll: () => void;
  /**
   * Whether rounds go on with no health URL to probe (a deployment without one, or whose process
   * is gone): each round re-reads the deployments (`deployments`), which is how a server that
   * ends is noticed. Without it, the monitor stops until pollSoon.
   */
  readonly keepPolling?: () => boolean;
}

/**
 * Polls the health URLs of running deployments while someone looks (the Deployments view or the
 * Deploy panel is visible) and there is something to poll: probes are asynchronous HTTP requests
 * in parallel, one round at a time on a timer, so nothing waits on them. `setActive(false)` or
 * dispose cancels: the next round is not scheduled and the answers of a round in flight are dropped.
 */
export class HealthMonitor {
  private samples = new Map<string, HealthSample[]>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private active = false;
  /** Bumped on every stop, so a round that was in flight when it stopped drops its answers. */
  private generation = 0;

  constructor(private readonly options: HealthMonitorOptions) {}

  get isPolling(): boolean {
    return this.timer !== undefined;
  }

  setActive(active: boolean): void {
    if (active === this.active) return;
    this.active = active;
    if (active) this.schedule(0);
    else this.stop();
  }

  /** A round now (after a deploy, or when the deployments changed), if active. */
  pollSoon(): void {
    if (!this.active) return;
    this.stop();
    this.schedule(0);
  }

  summary(key: string): HealthSummary | undefined {
    const window = this.samples.get(key);
    return window ? summarizeHealth(window) : undefined;
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined || !this.active) return;
    const generation = this.generation;
    this.timer = setTimeout(() => void this.round(generation), delayMs);
  }

  private stop(): void {
    this.generation++;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async round(generation: number): Promise<void> {
    const deployments = await this.options.deployments();
    if (generation !== this.generation) return;
    if (deployments.length === 0) {
      // Nothing to probe: stop until the deployments change (pollSoon) or someone looks again,
      // unless the deployments themselves are to be watched.
      this.timer = undefined;
      this.samples.clear();
      this.options.onDidPoll();
      if (this.options.keepPolling?.()) this.schedule(Math.max(1000, this.options.intervalMs()));
      return;
    }
    const answers = await Promise.all(
      deployments.map(async (deployment) => {
        const at = this.options.now();
        try {
          return { deployment, at, result: await this.options.probe(deployment) };
        } catch (error) {
          return { deployment, at, result: { ok: false, latencyMs: 0, error: String(error) } as ProbeResult };
        }
      }),
    );
    if (generation !== this.generation) return;
    const next = new Map<string, HealthSample[]>();
    for (const { deployment, at, result } of answers) {
      const sample: HealthSample = {
        at,
        ok: result.ok,
        latencyMs: result.latencyMs,
        ...(result.error !== undefined ? { error: result.error } : {}),
      };
      next.set(deployment.key, addHealthSample(this.samples.get(deployment.key) ?? [], sample));
    }
    this.samples = next;
    this.timer = undefined;
    this.options.onDidPoll();
    this.schedule(Math.max(1000, this.options.intervalMs()));
  }

  dispose(): void {
    this.active = false;
    this.stop();
  }
}
