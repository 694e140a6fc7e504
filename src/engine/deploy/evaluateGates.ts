import type { GateConfig } from '../pipeline/model';
import type { ModelVersionRecord, RegisteredModel } from '../registry/modelRegistry';

/** One gate's verdict with the numbers behind it, for `mlc gate`, `mlc deploy` and the audit log. */
export interface GateResult {
  /** `accuracy >= 0.8`, `accuracy vs production (max drop 0.01)`, `smoke test`. */
  readonly gate: string;
  readonly passed: boolean;
  readonly value?: number;
  /** The bound the value was held to (the min, the max, or the champion's value minus max_drop). */
  readonly threshold?: number;
  readonly message: string;
}

const format = (value: number) => String(Number(value.toPrecision(6)));

/**
 * Evaluates the metric gates of a target for one version: thresholds (`min`, `max`) on the
 * version's own metrics, and champion/challenger (`vs: ALIAS, max_drop`) against the version the
 * alias points at. With no version holding the alias yet there is no champion, so the gate passes
 * and says so. Smoke gates are left out: they are the deploy's own health check.
 */
export function evaluateGates(
  gates: readonly GateConfig[],
  candidate: ModelVersionRecord,
  model: RegisteredModel,
): GateResult[] {
  const results: GateResult[] = [];
  for (const gate of gates) {
    if (gate.metric === undefined) continue;
    const metric = gate.metric;
    const value = candidate.metrics[metric];
    const missing = (label: string): GateResult => ({
      gate: label,
      passed: false,
      message: `${label}: version ${candidate.version} has no metric '${metric}' (it has ${Object.keys(candidate.metrics).join(', ') || 'none'}).`,
    });
    if (gate.min !== undefined || gate.max !== undefined) {
      for (const [bound, limit] of [
        ['>=', gate.min],
        ['<=', gate.max],
      ] as const) {
        if (limit === undefined) continue;
        const label = `${metric} ${bound} ${format(limit)}`;
        if (value === undefined || Number.isNaN(value)) {
          results.push(missing(label));
          continue;
        }
        const passed = bound === '>=' ? value >= limit : value <= limit;
        results.push({
          gate: label,
          passed,
          value,
          threshold: limit,
          message: `${label}: ${format(value)} ${passed ? 'passes' : `fails (${bound === '>=' ? 'below' : 'above'} ${format(limit)})`}.`,
        });
      }
    }
    if (gate.vs !== undefined) {
      const maxDrop = gate.maxDrop ?? 0;
      const label = `${metric} vs ${gate.vs} (max drop ${format(maxDrop)})`;
      const championVersion = model.aliases[gate.vs];
      const champion = model.versions.find((record) => record.version === championVersion);
      if (!champion) {
        results.push({
          gate: label,
          passed: true,
          message: `${label}: no version holds '${gate.vs}' yet; nothing to compare with.`,
        });
        continue;
      }
      if (value === undefined || Number.isNaN(value)) {
        results.push(missing(label));
        continue;
      }
      const championValue = champion.metrics[metric];
      if (championValue === undefined || Number.isNaN(championValue)) {
        results.push({
          gate: label,
          passed: true,
          value,
          message: `${label}: the ${gate.vs} version ${champion.version} has no '${metric}'; nothing to compare with.`,
        });
        continue;
      }
      const threshold = championValue - maxDrop;
      const passed = value >= threshold;
      results.push({
        gate: label,
        passed,
        value,
        threshold,
        message: `${label}: ${format(value)} against ${format(championValue)} of version ${champion.version}${passed ? ' passes' : ` fails (a drop of ${format(championValue - value)}, at most ${format(maxDrop)} allowed)`}.`,
      });
    }
  }
  return results;
}
