/**
 * What the Models and Deployments views, the deployments status bar item and the Deploy panel
 * show, computed from engine records without `vscode`, so each is unit-tested as plain data.
 */
import type { DeploymentOverview } from '../../engine/deploy/deployTargets';
import type { DeploymentHistoryEntry } from '../../engine/deploy/deploymentState';
import type { GateResult } from '../../engine/deploy/evaluateGates';
import type { HealthSummary } from '../../engine/deploy/healthStats';
import type { MlflowModelVersion, MlflowRegisteredModel } from '../../engine/readers/mlflow/registryModel';
import type { ModelVersionRecord, RegisteredModel } from '../../engine/registry/modelRegistry';
import type {
  DeployGateRow,
  DeploymentHealth,
  DeployHistoryRow,
  DeploySnapshot,
  DeployTargetRow,
} from '../../protocol/deploy';
import { formatMetricValue } from '../../protocol/formatRunValues';
import { TreeItemContext } from '../ids';

export const PRODUCTION_ALIAS = 'production';

export interface TreeRow {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly tooltip: string;
  readonly icon: string;
  /** A theme colour id for the icon, when the state deserves one. */
  readonly color?: string;
  readonly contextValue: string;
}

/** Aliases pointing at `version`, sorted. */
export function aliasesOf(model: RegisteredModel, version: number): string[] {
  return Object.keys(model.aliases)
    .filter((alias) => model.aliases[alias] === version)
    .sort();
}

export function modelRow(model: RegisteredModel): TreeRow {
  const count = model.versions.length;
  const aliases = Object.keys(model.aliases)
    .sort()
    .map((alias) => `${alias} → v${model.aliases[alias]}`);
  return {
    id: `model:${model.name}`,
    label: model.name,
    description: [count === 0 ? 'no versions yet' : `${count} version${count === 1 ? '' : 's'}`, ...aliases].join(
      ' · ',
    ),
    tooltip:
      count === 0
        ? `${model.name}: declared under models:, not registered yet. Register a version from a run (ML: Register Model…).`
        : `${model.name}: ${count} registered version${count === 1 ? '' : 's'} in .mlc/registry/${model.name}`,
    icon: 'package',
    contextValue: TreeItemContext.model,
  };
}

/** A version: `v2` with its aliases as the description; metrics, source run and hash in the tooltip. */
export function versionRow(model: RegisteredModel, version: ModelVersionRecord): TreeRow {
  const aliases = aliasesOf(model, version.version);
  const metrics = Object.entries(version.metrics)
    .map(([name, value]) => `${name} ${formatMetricValue(value)}`)
    .join(', ');
  return {
    id: `modelVersion:${model.name}:${version.version}`,
    label: `v${version.version}`,
    description: [aliases.join(', '), metrics].filter((part) => part !== '').join(' · '),
    tooltip: [
      `${model.name} v${version.version}${aliases.length > 0 ? ` (${aliases.join(', ')})` : ''}`,
      metrics && `metrics: ${metrics}`,
      `source run: ${version.sourceRun}`,
      `md5: ${version.md5}`,
      `registered ${version.createdAt} by ${version.who}${version.commit ? ` at ${version.commit.slice(0, 12)}` : ''}`,
    ]
      .filter((line) => line !== '')
      .join('\n'),
    icon: aliases.includes(PRODUCTION_ALIAS) ? 'star-full' : 'versions',
    contextValue: TreeItemContext.modelVersion,
  };
}

const READ_ONLY_NOTE = "Read-only here: register, promote and deploy work on mlc's registry (.mlc/registry).";

/**
 * A model of an MLflow registry (`location`: its mlruns folder or mlflow.db, workspace-relative),
 * shown beside mlc's own; the description starts with MLflow so the two never look alike.
 */
export function mlflowModelRow(model: MlflowRegisteredModel, location: string): TreeRow {
  const count = model.versions.length;
  const aliases = Object.keys(model.aliases)
    .sort()
    .map((alias) => `${alias} → v${model.aliases[alias]}`);
  return {
    id: `mlflowModel:${location}:${model.name}`,
    label: model.name,
    description: ['MLflow', `${count} version${count === 1 ? '' : 's'}`, ...aliases].join(' · '),
    tooltip: [
      `${model.name}: ${count} version${count === 1 ? '' : 's'} in the MLflow registry of ${location}`,
      model.description ?? '',
      READ_ONLY_NOTE,
    ]
      .filter((line) => line !== '')
      .join('\n'),
    icon: 'package',
    contextValue: TreeItemContext.mlflowModel,
  };
}

export interface MlflowVersionRow extends TreeRow {
  /** The mlc id of the version's source run (`mlflow:<run id>`), when the run list has it: the item opens it. */
  readonly runId?: string;
}

/**
 * An MLflow model version: aliases and the legacy stage (`Production`, `Staging`…) as the
 * description; the source run, model files and who registered it in the tooltip.
 */
export function mlflowVersionRow(
  model: MlflowRegisteredModel,
  version: MlflowModelVersion,
  location: string,
  isKnownRun: (runId: string) => boolean,
): MlflowVersionRow {
  const stage = version.stage === 'None' ? '' : version.stage;
  const status = version.status === undefined || version.status === 'READY' ? '' : version.status;
  const runId = version.runId === undefined ? undefined : `mlflow:${version.runId}`;
  const known = runId !== undefined && isKnownRun(runId);
  const registered = version.createdAt === undefined ? '' : `registered ${new Date(version.createdAt).toISOString()}`;
  return {
    id: `mlflowModelVersion:${location}:${model.name}:${version.version}`,
    label: `v${version.version}`,
    description: [version.aliases.join(', '), stage, status].filter((part) => part !== '').join(' · '),
    tooltip: [
      `${model.name} v${version.version}${version.aliases.length > 0 ? ` (${version.aliases.join(', ')})` : ''}`,
      stage && `stage: ${stage}`,
      status && `status: ${status}`,
      runId ? `source run: ${runId}${known ? ' (click to open)' : ' (not among the listed runs)'}` : '',
      version.source ? `model files: ${version.source}` : '',
      registered && `${registered}${version.userId ? ` by ${version.userId}` : ''}`,
      READ_ONLY_NOTE,
    ]
      .filter((line) => line !== '')
      .join('\n'),
    icon: version.aliases.includes(PRODUCTION_ALIAS) || stage === 'Production' ? 'star-full' : 'versions',
    contextValue: TreeItemContext.mlflowModelVersion,
    ...(known ? { runId } : {}),
  };
}

/** Health as shown: a recorded process that is gone is down, whatever the last probe said. */
export function deploymentHealth(overview: DeploymentOverview, summary: HealthSummary | undefined): DeploymentHealth {
  if (!overview.recorded) return 'notDeployed';
  if (!overview.running) return 'down';
  if (!overview.recorded.healthUrl) return 'up';
  return summary?.health ?? 'unknown';
}

const formatMs = (ms: number) => `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
const formatRate = (rate: number) => `${Number((rate * 100).toFixed(1))}% errors`;

/** The last attempt, when it failed: the panel, the view and the status bar all say so. */
export function lastFailure(overview: DeploymentOverview): DeploymentHistoryEntry | undefined {
  const last = overview.history.at(-1);
  return last?.result === 'failed' ? last : undefined;
}

export function deploymentRow(overview: DeploymentOverview, summary: HealthSummary | undefined): TreeRow {
  const { target, recorded } = overview;
  const health = deploymentHealth(overview, summary);
  const failed = lastFailure(overview);
  const figures =
    health === 'up' || health === 'down'
      ? [
          summary?.p50Ms != null ? `p50 ${formatMs(summary.p50Ms)}` : '',
          summary?.p95Ms != null ? `p95 ${formatMs(summary.p95Ms)}` : '',
          summary?.errorRate != null ? formatRate(summary.errorRate) : '',
        ].filter((part) => part !== '')
      : [];
  const description = [
    recorded ? `${target.model} v${recorded.version}` : 'not deployed',
    health === 'notDeployed' ? '' : health,
    ...figures,
    failed ? `last ${failed.action} of v${failed.version ?? '?'} failed` : '',
  ]
    .filter((part) => part !== '')
    .join(' · ');
  const tooltip = [
    `${target.name}: ${target.model}${recorded ? ` v${recorded.version}, pid ${recorded.pid}, started ${recorded.startedAt}` : ', not deployed'}`,
    recorded?.healthUrl ? `health: ${recorded.healthUrl} (${health})` : '',
    health === 'down' && summary?.lastError ? `last answer: ${summary.lastError}` : '',
    health === 'down' && !overview.running && recorded
      ? (overview.unreachable ?? `the server process (pid ${recorded.pid}) is gone`)
      : '',
    overview.rollbackVersion !== undefined ? `Roll Back returns to v${overview.rollbackVersion}` : '',
    failed?.reason ? `last ${failed.action} failed: ${failed.reason}` : '',
  ]
    .filter((line) => line !== '')
    .join('\n');
  const icon = {
    up: { icon: 'pass-filled', color: 'testing.iconPassed' },
    down: { icon: 'error', color: 'testing.iconFailed' },
    unknown: { icon: 'circle-outline' },
    notDeployed: { icon: 'circle-slash' },
  }[health];
  return {
    id: `deployment:${target.name}`,
    label: target.name,
    description,
    tooltip,
    ...icon,
    ...(failed && health === 'up' ? { icon: 'warning', color: 'list.warningForeground' } : {}),
    contextValue: recorded ? TreeItemContext.deployment : TreeItemContext.deploymentIdle,
  };
}

export interface StatusBarModel {
  readonly text: string;
  readonly tooltip: string;
  /** Red (statusBarItem.errorBackground): a deployment is down or its last deploy failed. */
  readonly alarm: boolean;
}

/** The deployments status bar item; undefined (hidden) while nothing is deployed and no deploy failed. */
export function deploymentStatusBar(
  entries: readonly { readonly overview: DeploymentOverview; readonly summary: HealthSummary | undefined }[],
): StatusBarModel | undefined {
  const shown = entries.filter((entry) => entry.overview.recorded || lastFailure(entry.overview));
  if (shown.length === 0) return undefined;
  const down = shown.filter((entry) => deploymentHealth(entry.overview, entry.summary) === 'down');
  const failed = shown.filter((entry) => lastFailure(entry.overview));
  const lines = shown.map(({ overview, summary }) => {
    const failure = lastFailure(overview);
    return `${overview.target.name}: ${overview.recorded ? `v${overview.recorded.version} ` : ''}${deploymentHealth(overview, summary)}${failure ? ` (last ${failure.action} of v${failure.version ?? '?'} failed)` : ''}`;
  });
  if (down.length > 0) {
    return {
      text: `$(error) ${down.map((entry) => entry.overview.target.name).join(', ')} down`,
      tooltip: lines.join('\n'),
      alarm: true,
    };
  }
  if (failed.length > 0) {
    return {
      text: `$(error) ${failed.map((entry) => entry.overview.target.name).join(', ')}: deploy failed`,
      tooltip: lines.join('\n'),
      alarm: true,
    };
  }
  const single = shown.length === 1 ? shown[0]! : undefined;
  return {
    text: single?.overview.recorded
      ? `$(pulse) ${single.overview.target.name} v${single.overview.recorded.version}`
      : `$(pulse) ${shown.length} deployment${shown.length === 1 ? '' : 's'}`,
    tooltip: lines.join('\n'),
    alarm: false,
  };
}

/**
 * A deploy or rollback asks for confirmation when production is at stake: the target is named
 * `production`, or the version serving it or the one about to serve holds the `production` alias.
 */
export function needsProductionConfirmation(
  targetName: string,
  model: RegisteredModel,
  versions: readonly (number | null | undefined)[],
): boolean {
  if (targetName === PRODUCTION_ALIAS) return true;
  const production = model.aliases[PRODUCTION_ALIAS];
  return production !== undefined && versions.includes(production);
}

const gateRow = (gate: Pick<GateResult, 'gate' | 'passed' | 'value' | 'threshold'> & { message?: string }) => ({
  gate: gate.gate,
  passed: gate.passed,
  value: gate.value ?? null,
  threshold: gate.threshold ?? null,
  message: gate.message ?? '',
});

function historyRow(entry: DeploymentHistoryEntry): DeployHistoryRow {
  return {
    when: entry.when,
    who: entry.who,
    action: entry.action,
    version: entry.version,
    previousVersion: entry.previousVersion,
    result: entry.result,
    reason: entry.reason ?? null,
    gates: (entry.gates ?? []).map((gate) => gateRow(gate)),
  };
}

/** The version that served before the current one: the last successful deploy of another version. */
function servedBefore(overview: DeploymentOverview): number | null {
  const current = overview.recorded?.version;
  const success = [...overview.history]
    .reverse()
    .find((entry) => entry.result === 'succeeded' && entry.action !== 'undeploy' && entry.version === current);
  return success?.previousVersion ?? null;
}

export function deployTargetRow(
  overview: DeploymentOverview,
  model: RegisteredModel,
  summary: HealthSummary | undefined,
  gatesOf: (version: number) => readonly GateResult[],
): DeployTargetRow {
  const { recorded } = overview;
  return {
    name: overview.target.name,
    model: overview.target.model,
    currentVersion: recorded?.version ?? null,
    health: deploymentHealth(overview, summary),
    healthUrl: recorded?.healthUrl ?? overview.target.health ?? null,
    pid: recorded?.pid ?? null,
    startedAt: recorded?.startedAt ?? null,
    p50Ms: summary?.p50Ms ?? null,
    p95Ms: summary?.p95Ms ?? null,
    errorRate: summary?.errorRate ?? null,
    previousVersion: recorded ? servedBefore(overview) : null,
    rollbackVersion: overview.rollbackVersion ?? null,
    versions: [...model.versions].reverse().map((version) => ({
      version: version.version,
      aliases: aliasesOf(model, version.version),
      metrics: version.metrics,
      sourceRun: version.sourceRun,
      createdAt: version.createdAt,
      gates: gatesOf(version.version).map((gate) => gateRow(gate)) as DeployGateRow[],
    })),
    history: [...overview.history].reverse().map(historyRow),
  };
}

export function deploySnapshot(
  targets: readonly DeployTargetRow[],
  trusted: boolean,
  busyTarget: string | undefined,
): DeploySnapshot {
  return { targets, trusted, busyTarget: busyTarget ?? null };
}
