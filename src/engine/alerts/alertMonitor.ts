import type { AlertRule } from '../pipeline/model';
import { jsonMetricValue } from '../runStore/metricsLog';
import type { MetricPoint } from '../runStore/plotFileTailer';
import { formatDuration, formatMetricValue } from '../../protocol/formatRunValues';

export type AlertKind = 'nonFinite' | 'threshold' | 'regression' | 'stalled' | 'deploymentDown';

/** The kind of a rule the reader accepted (readAlerts reports the rules that fit none). */
export function alertKind(rule: AlertRule): AlertKind | undefined {
  if (rule.deployment !== undefined) return 'deploymentDown';
  if (rule.stalledMs !== undefined) return 'stalled';
  if (rule.metric === undefined) return undefined;
  if (rule.vs !== undefined) return 'regression';
  if (rule.when !== undefined) return 'nonFinite';
  if (rule.below !== undefined || rule.above !== undefined) return 'threshold';
  return undefined;
}

/** A metric value as JSON can hold it: NaN and the infinities as the strings metrics.jsonl uses. */
export type AlertValue = number | 'nan' | 'inf' | '-inf';

/** One alert that fired during a run: kept in run.json (`alerts`), events.jsonl and the audit log. */
export interface FiredAlert {
  readonly kind: AlertKind;
  /** The rule as a person reads it: `loss is NaN`, `val_accuracy below 0.5 after step 10`. */
  readonly rule: string;
  /** The pipeline file declaring the rule, relative to the workspace root, and the rule's line. */
  readonly pipeline: string;
  readonly line: number;
  readonly firedAt: number;
  readonly stage?: string;
  readonly metric?: string;
  readonly step?: number;
  readonly value?: AlertValue;
  readonly threshold?: number;
  readonly baselineRun?: string;
  readonly deployment?: string;
  /** One sentence: what happened and what the numbers were. */
  readonly message: string;
}

/** The value a regression alert compares with, found before the run starts. */
export interface AlertBaseline {
  readonly runId: string;
  readonly value: number;
}

export interface WatchedAlertRule {
  readonly rule: AlertRule;
  /** Relative to the workspace root. */
  readonly pipeline: string;
  /** Regression rules only; without one the rule cannot fire (there is nothing to compare with). */
  readonly baseline?: AlertBaseline;
}

/** What a deployment's health check found; `notDeployed` when nothing is recorded as serving it. */
export type DeploymentHealth =
  { readonly state: 'up' } | { readonly state: 'down'; readonly reason: string } | { readonly state: 'notDeployed' };

/**
 * Evaluates a run's alert rules as its evidence arrives: metric points, log activity, the clock,
 * deployment health, and the final values. Pure (time comes in as arguments); each method returns
 * the alerts that fired just now. A rule fires at most once per run.
 */
export interface AlertMonitor {
  points(stage: string, points: readonly MetricPoint[], now: number): FiredAlert[];
  /** A log line or a metric point: the run is not stalled. */
  activity(now: number): void;
  /** Stalled rules: no activity for their duration. */
  tick(now: number): FiredAlert[];
  deployment(target: string, health: DeploymentHealth, now: number): FiredAlert[];
  /** At the end of the run: regression rules without after_step, and non-finite summary values. */
  final(values: Readonly<Record<string, number>>, now: number): FiredAlert[];
  readonly fired: readonly FiredAlert[];
  /** The smallest stalled duration (how often tick is worth calling); undefined when none. */
  readonly shortestStallMs: number | undefined;
  readonly deploymentTargets: readonly string[];
}

export function createAlertMonitor(rules: readonly WatchedAlertRule[], startedAt: number): AlertMonitor {
  const pending = new Set(rules.filter((watched) => alertKind(watched.rule) !== undefined));
  const fired: FiredAlert[] = [];
  let lastActivity = startedAt;
  const fire = (
    watched: WatchedAlertRule,
    now: number,
    details: Omit<FiredAlert, 'kind' | 'rule' | 'pipeline' | 'line' | 'firedAt'>,
  ) => {
    pending.delete(watched);
    const alert: FiredAlert = {
      kind: alertKind(watched.rule)!,
      rule: describeAlertRule(watched.rule),
      pipeline: watched.pipeline,
      line: watched.rule.position.line,
      firedAt: now,
      ...details,
    };
    fired.push(alert);
    return alert;
  };
  const ofKind = (kind: AlertKind) => [...pending].filter((watched) => alertKind(watched.rule) === kind);
  const stalls = rules.map((watched) => watched.rule.stalledMs).filter((ms) => ms !== undefined);
  return {
    fired,
    shortestStallMs: stalls.length > 0 ? Math.min(...stalls) : undefined,
    deploymentTargets: [
      ...new Set(rules.map((watched) => watched.rule.deployment).filter((name) => name !== undefined)),
    ],
    activity(now) {
      lastActivity = Math.max(lastActivity, now);
    },
    points(stage, points, now) {
      if (points.length > 0) lastActivity = Math.max(lastActivity, now);
      const result: FiredAlert[] = [];
      for (const watched of [...pending]) {
        const { rule } = watched;
        const kind = alertKind(rule);
        if (kind !== 'nonFinite' && kind !== 'threshold' && !(kind === 'regression' && rule.afterStep !== undefined))
          continue;
        for (const point of points) {
          if (point.name !== rule.metric) continue;
          if (rule.afterStep !== undefined && point.step < rule.afterStep) continue;
          const breach =
            kind === 'nonFinite'
              ? nonFiniteBreach(rule, point.value)
              : kind === 'threshold'
                ? thresholdBreach(rule, point.value)
                : regressionBreach(watched, point.value);
          if (!breach) continue;
          result.push(
            fire(watched, now, {
              stage,
              metric: point.name,
              step: point.step,
              value: jsonMetricValue(point.value),
              ...breach,
              message: `${breach.message} at step ${point.step} of ${stage}`,
            }),
          );
          break;
        }
      }
      return result;
    },
    tick(now) {
      const result: FiredAlert[] = [];
      for (const watched of ofKind('stalled')) {
        const quietFor = now - lastActivity;
        if (quietFor < watched.rule.stalledMs!) continue;
        result.push(
          fire(watched, now, {
            message: `the run has written no metric point or log line for ${formatDuration(quietFor)} (stalled: ${formatDuration(watched.rule.stalledMs!)})`,
          }),
        );
      }
      return result;
    },
    deployment(target, health, now) {
      if (health.state !== 'down') return [];
      return ofKind('deploymentDown')
        .filter((watched) => watched.rule.deployment === target)
        .map((watched) =>
          fire(watched, now, { deployment: target, message: `the deployment ${target} is down: ${health.reason}` }),
        );
    },
    final(values, now) {
      const result: FiredAlert[] = [];
      for (const watched of [...pending]) {
        const { rule } = watched;
        const kind = alertKind(rule);
        const value = rule.metric === undefined ? undefined : values[rule.metric];
        if (value === undefined) continue;
        const breach =
          kind === 'nonFinite'
            ? nonFiniteBreach(rule, value)
            : kind === 'regression' && rule.afterStep === undefined
              ? regressionBreach(watched, value)
              : undefined;
        if (!breach) continue;
        result.push(
          fire(watched, now, {
            metric: rule.metric!,
            value: jsonMetricValue(value),
            ...breach,
            message: `${breach.message} at the end of the run`,
          }),
        );
      }
      return result;
    },
  };
}

interface Breach {
  readonly message: string;
  readonly threshold?: number;
  readonly baselineRun?: string;
}

function nonFiniteBreach(rule: AlertRule, value: number): Breach | undefined {
  const isNaN = Number.isNaN(value);
  const isInfinite = !isNaN && !Number.isFinite(value);
  const matches = rule.when === 'nan' ? isNaN : rule.when === 'inf' ? isInfinite : isNaN || isInfinite;
  return matches ? { message: `${rule.metric} is ${isNaN ? 'NaN' : String(value)}` } : undefined;
}

function thresholdBreach(rule: AlertRule, value: number): Breach | undefined {
  if (Number.isNaN(value)) return undefined;
  if (rule.below !== undefined && value < rule.below)
    return {
      threshold: rule.below,
      message: `${rule.metric} ${formatMetricValue(value)} is below ${formatMetricValue(rule.below)}`,
    };
  if (rule.above !== undefined && value > rule.above)
    return {
      threshold: rule.above,
      message: `${rule.metric} ${formatMetricValue(value)} is above ${formatMetricValue(rule.above)}`,
    };
  return undefined;
}

function regressionBreach(watched: WatchedAlertRule, value: number): Breach | undefined {
  const { rule, baseline } = watched;
  if (!baseline || Number.isNaN(value)) return undefined;
  const from = `the baseline run ${baseline.runId} (${formatMetricValue(baseline.value)})`;
  if (rule.maxDrop !== undefined && value < baseline.value - rule.maxDrop) {
    const threshold = baseline.value - rule.maxDrop;
    return {
      threshold,
      baselineRun: baseline.runId,
      message: `${rule.metric} ${formatMetricValue(value)} dropped more than ${formatMetricValue(rule.maxDrop)} below ${from}`,
    };
  }
  if (rule.maxRise !== undefined && value > baseline.value + rule.maxRise) {
    const threshold = baseline.value + rule.maxRise;
    return {
      threshold,
      baselineRun: baseline.runId,
      message: `${rule.metric} ${formatMetricValue(value)} rose more than ${formatMetricValue(rule.maxRise)} above ${from}`,
    };
  }
  return undefined;
}

/** A rule as a person reads it, for notifications and the record. */
export function describeAlertRule(rule: AlertRule): string {
  const after = rule.afterStep === undefined ? '' : ` after step ${rule.afterStep}`;
  switch (alertKind(rule)) {
    case 'deploymentDown':
      return `deployment ${rule.deployment} down`;
    case 'stalled':
      return `stalled for ${formatDuration(rule.stalledMs!)}`;
    case 'regression': {
      const bound =
        rule.maxDrop !== undefined ? `drops more than ${rule.maxDrop}` : `rises more than ${rule.maxRise ?? 0}`;
      return `${rule.metric} ${bound} vs ${rule.vs}${after}`;
    }
    case 'nonFinite':
      return `${rule.metric} is ${rule.when === 'nan' ? 'NaN' : rule.when === 'inf' ? 'infinite' : 'NaN or infinite'}`;
    case 'threshold': {
      const bounds = [
        rule.below === undefined ? undefined : `below ${rule.below}`,
        rule.above === undefined ? undefined : `above ${rule.above}`,
      ].filter((part) => part !== undefined);
      return `${rule.metric} ${bounds.join(' or ')}${after}`;
    }
    default:
      return 'incomplete alert';
  }
}
