import { relative } from 'pathe';
import type { Pipeline } from '../pipeline/model';
import {
  alertKind,
  createAlertMonitor,
  type DeploymentHealth,
  type FiredAlert,
  type WatchedAlertRule,
} from './alertMonitor';

/** The `deployment:` rules of a workspace's pipeline files (pipeline paths relative to `root`). */
export function deploymentAlertRules(root: string, pipelines: readonly Pipeline[]): WatchedAlertRule[] {
  return pipelines.flatMap((pipeline) =>
    pipeline.alerts
      .filter((rule) => alertKind(rule) === 'deploymentDown')
      .map((rule) => ({ rule, pipeline: relative(root, pipeline.file) })),
  );
}

/**
 * `deployment:` alerts outside a run (the window's health rounds): the rules naming a target fire
 * once per outage, when it is first seen down, and again only after it was seen up or not deployed
 * in between. `inOutage` holds the targets already alerted for; the answer's `inOutage` is what
 * to pass next time. A target whose health is not known yet (undefined) keeps its state. The alerts
 * are built by the same monitor a live run uses, so they read the same.
 */
export function deploymentOutageAlerts(
  rules: readonly WatchedAlertRule[],
  health: ReadonlyMap<string, DeploymentHealth | undefined>,
  inOutage: ReadonlySet<string>,
  now: number,
): { readonly fired: readonly FiredAlert[]; readonly inOutage: ReadonlySet<string> } {
  const fired: FiredAlert[] = [];
  const next = new Set<string>();
  for (const [target, state] of health) {
    if (state === undefined) {
      if (inOutage.has(target)) next.add(target);
      continue;
    }
    if (state.state !== 'down') continue;
    next.add(target);
    if (inOutage.has(target)) continue;
    const watched = rules.filter((entry) => entry.rule.deployment === target);
    if (watched.length > 0) fired.push(...createAlertMonitor(watched, now).deployment(target, state, now));
  }
  return { fired, inOutage: next };
}
