/**
 * Health monitoring figures from polling a deployment's health URL: the latest state, latency
 * percentiles and the share of failed probes over a sliding window of probes. Pure, so the
 * extension's poller, a future `mlc deployments --watch` and tests share one definition.
 */
export interface HealthSample {
  /** Epoch ms of the probe. */
  readonly at: number;
  /** A 2xx answer. */
  readonly ok: boolean;
  /** Time to the answer (or to the failure). */
  readonly latencyMs: number;
  /** Why it failed: `HTTP 503`, `connect ECONNREFUSED 127.0.0.1:8601`. */
  readonly error?: string;
}

export interface HealthSummary {
  /** The last probe's answer; `unknown` before the first one. */
  readonly health: 'up' | 'down' | 'unknown';
  /** Latency percentiles of the successful probes in the window (ms), null without one. */
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  /** Failed probes / probes in the window, null without probes. */
  readonly errorRate: number | null;
  readonly samples: number;
  readonly lastError?: string;
}

/** How many probes the window keeps (5 minutes at the default 5 s interval). */
export const HEALTH_WINDOW = 60;

/** The window with `sample` added, oldest dropped beyond `limit`. */
export function addHealthSample(
  window: readonly HealthSample[],
  sample: HealthSample,
  limit = HEALTH_WINDOW,
): HealthSample[] {
  const next = [...window, sample];
  return next.length > limit ? next.slice(next.length - limit) : next;
}

/** Nearest-rank percentile (the smallest value with at least p% of the values at or below it). */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((left, right) => left - right);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export function summarizeHealth(window: readonly HealthSample[]): HealthSummary {
  const last = window.at(-1);
  if (!last) return { health: 'unknown', p50Ms: null, p95Ms: null, errorRate: null, samples: 0 };
  const latencies = window.filter((sample) => sample.ok).map((sample) => sample.latencyMs);
  const failed = window.filter((sample) => !sample.ok).length;
  const lastError = [...window].reverse().find((sample) => !sample.ok)?.error;
  return {
    health: last.ok ? 'up' : 'down',
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    errorRate: failed / window.length,
    samples: window.length,
    ...(lastError !== undefined ? { lastError } : {}),
  };
}
