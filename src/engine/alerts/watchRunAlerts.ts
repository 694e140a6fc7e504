import { join, relative } from 'pathe';
import type { AlertRule, Pipeline } from '../pipeline/model';
import type { Clock, FileSystem, TimerHandle, Timers } from '../ports';
import { describeError } from '../engineError';
import { readRunRecord } from '../runStore/readRunRecord';
import type { RunRecorder } from '../runStore/runRecorder';
import {
  alertKind,
  createAlertMonitor,
  describeAlertRule,
  type AlertBaseline,
  type DeploymentHealth,
  type FiredAlert,
  type WatchedAlertRule,
} from './alertMonitor';

/** How often a live run's deployments are probed for `deployment:` alerts. */
export const DEPLOYMENT_PROBE_MS = 10_000;
/** Stalls are checked at least this often (and four times per shortest `stalled:` duration). */
const STALL_CHECK_MAX_MS = 1000;

/** The `alerts:` of each pipeline file, keyed by the file's absolute path, for PipelineRunRequest.alerts. */
export function alertsByPipeline(pipelines: readonly Pick<Pipeline, 'file' | 'alerts'>[]) {
  return new Map(pipelines.map((pipeline) => [pipeline.file, pipeline.alerts]));
}

export interface RunAlertPorts {
  readonly fs: FileSystem;
  readonly clock: Clock;
  readonly timers: Timers;
  /** Health of a deploy target now; absent = `deployment:` alerts are never checked. */
  readonly deploymentHealth?: (target: string) => Promise<DeploymentHealth>;
  /** Appends a fired alert to the audit log; absent = no audit. */
  readonly audit?: (type: 'alert', data: Readonly<Record<string, unknown>>) => Promise<void>;
  readonly onAlert?: (alert: FiredAlert) => void;
  readonly onWarning?: (message: string) => void;
}

export interface RunAlertWatch {
  /** Evaluates the end-of-run rules on the final values, stops the timers, waits for the audit appends. */
  finish(): Promise<readonly FiredAlert[]>;
  /** Stops the timers (a run that failed before finishing). */
  dispose(): void;
}

/**
 * Watches one live run for its alerts: metric points and log lines through the recorder, the
 * clock for stalls, the deployments' health. Each alert that fires goes into run.json (`alerts`,
 * written at once), events.jsonl (`alertFired`), the audit log, and to `onAlert` (the CLI prints
 * it, the extension notifies).
 */
export function watchRunAlerts(
  recorder: RunRecorder,
  root: string,
  rules: ReadonlyMap<string, readonly AlertRule[]>,
  ports: RunAlertPorts,
): RunAlertWatch {
  const watched = watchedRules(recorder, root, rules, ports);
  if (watched.length === 0) return { finish: async () => [], dispose: () => undefined };
  const monitor = createAlertMonitor(watched, ports.clock.now());
  let auditChain: Promise<void> = Promise.resolve();
  const record = (alerts: readonly FiredAlert[]) => {
    if (alerts.length === 0) return;
    recorder.update((run) => (run.alerts ??= []).push(...alerts));
    recorder.writeSoon();
    for (const alert of alerts) {
      recorder.appendEvent({ type: 'alertFired', alert });
      ports.onAlert?.(alert);
      // One append after the other: concurrent appends would repeat a sequence number.
      auditChain = auditChain.then(() => auditAlert(ports, recorder.id, alert));
    }
  };
  const subscription = recorder.listen({
    logLine: (_address, timestamp) => monitor.activity(timestamp),
    metricPoints: (address, points) => record(monitor.points(address, points, ports.clock.now())),
  });
  const timers: TimerHandle[] = [];
  if (monitor.shortestStallMs !== undefined) {
    const every = Math.max(50, Math.min(STALL_CHECK_MAX_MS, monitor.shortestStallMs / 4));
    timers.push(ports.timers.setInterval(() => record(monitor.tick(ports.clock.now())), every));
  }
  const { deploymentHealth } = ports;
  if (deploymentHealth && monitor.deploymentTargets.length > 0) {
    let probing = false;
    const probe = async () => {
      if (probing) return;
      probing = true;
      try {
        for (const target of monitor.deploymentTargets) {
          record(monitor.deployment(target, await deploymentHealth(target), ports.clock.now()));
        }
      } catch (error) {
        ports.onWarning?.(`a deployment health check failed: ${describeError(error)}`);
      } finally {
        probing = false;
      }
    };
    void probe();
    timers.push(ports.timers.setInterval(() => void probe(), DEPLOYMENT_PROBE_MS));
  }
  const dispose = () => {
    subscription.dispose();
    for (const timer of timers) ports.timers.clear(timer);
  };
  return {
    dispose,
    async finish() {
      dispose();
      const run = recorder.record;
      record(monitor.final({ ...run.seriesLatest, ...run.metrics }, ports.clock.now()));
      await auditChain;
      return monitor.fired;
    },
  };
}

/** The rules of the pipeline files whose stages this run runs, with the baselines of regression rules. */
function watchedRules(
  recorder: RunRecorder,
  root: string,
  rules: ReadonlyMap<string, readonly AlertRule[]>,
  ports: RunAlertPorts,
): WatchedAlertRule[] {
  const files = new Set(recorder.record.stages.map((stage) => join(root, stage.pipeline)));
  const watched: WatchedAlertRule[] = [];
  for (const [file, fileRules] of rules) {
    if (!files.has(file)) continue;
    for (const rule of fileRules) {
      if (alertKind(rule) === undefined) continue;
      const pipeline = relative(root, file);
      if (alertKind(rule) !== 'regression') {
        watched.push({ rule, pipeline });
        continue;
      }
      const baseline = findAlertBaseline(ports.fs, join(root, '.mlc/runs'), rule.vs!, rule.metric!, recorder.id);
      if (!baseline) {
        const missing =
          rule.vs === 'previous'
            ? `no earlier succeeded run has the metric ${rule.metric}`
            : `the run ${rule.vs} is not found or has no metric ${rule.metric}`;
        ports.onWarning?.(
          `the alert '${describeAlertRule(rule)}' (${pipeline}:${rule.position.line}) cannot fire: ${missing}`,
        );
      }
      watched.push({ rule, pipeline, ...(baseline ? { baseline } : {}) });
    }
  }
  return watched;
}

/**
 * The value a regression alert compares with: `previous` is the newest other succeeded run of
 * the workspace that has the metric (run ids sort by start time), else the named run.
 */
export function findAlertBaseline(
  fs: FileSystem,
  runsDirectory: string,
  vs: string,
  metric: string,
  currentRunId: string,
): AlertBaseline | undefined {
  const valueOf = (runId: string, requireSuccess: boolean): number | undefined => {
    // Only recorded values matter here, so whether a live-looking owner still runs does not.
    const { value: run } = readRunRecord(fs, join(runsDirectory, runId), () => true);
    if (!run || (requireSuccess && run.status !== 'succeeded')) return undefined;
    const value = run.metrics[metric] ?? run.seriesLatest[metric];
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  };
  if (vs !== 'previous') {
    const value = vs === currentRunId ? undefined : valueOf(vs, false);
    return value === undefined ? undefined : { runId: vs, value };
  }
  let names: string[];
  try {
    names = fs
      .readDirectory(runsDirectory)
      .filter((entry) => entry.kind === 'directory' && entry.name !== currentRunId)
      .map((entry) => entry.name);
  } catch {
    return undefined;
  }
  for (const runId of names.sort().reverse()) {
    const value = valueOf(runId, true);
    if (value !== undefined) return { runId, value };
  }
  return undefined;
}

async function auditAlert(ports: RunAlertPorts, runId: string, alert: FiredAlert): Promise<void> {
  if (!ports.audit) return;
  try {
    await ports.audit('alert', { runId, ...alert });
  } catch (error) {
    const message = describeError(error);
    ports.onWarning?.(`the alert was recorded in the run, but .mlc/audit.jsonl could not be appended: ${message}`);
  }
}
