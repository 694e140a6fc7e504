/**
 * Deploy panel (`mlc.showDeployPanel`): every deploy target with the version serving it, its
 * health, the version before, the gates a chosen version would meet (with their values), the
 * deployment history, and one-click Deploy / Roll Back / Undeploy. The host does the work (the
 * same engine functions as `mlc deploy`), asks for confirmation where production is concerned,
 * and sends a new snapshot when anything changed.
 */
import { type PanelCommonAction, panelCommonValidators } from './panelCommon';
import { isText, type MessageRecord, type MessageValidators } from './validateMessage';

export const DEPLOY_VIEW_TYPE = 'mlc.deploy';

export type DeploymentHealth = 'up' | 'down' | 'unknown' | 'notDeployed';

export interface DeployGateRow {
  readonly gate: string;
  readonly passed: boolean;
  readonly value: number | null;
  readonly threshold: number | null;
  readonly message: string;
}

export interface DeployVersionRow {
  readonly version: number;
  readonly aliases: readonly string[];
  readonly metrics: Readonly<Record<string, number>>;
  readonly sourceRun: string;
  readonly createdAt: string;
  /** What the target's gates say about this version now (metric thresholds, champion/challenger). */
  readonly gates: readonly DeployGateRow[];
}

export interface DeployHistoryRow {
  readonly when: string;
  readonly who: string;
  readonly action: 'deploy' | 'rollback' | 'undeploy';
  readonly version: number | null;
  readonly previousVersion: number | null;
  readonly result: 'succeeded' | 'failed';
  readonly reason: string | null;
  readonly gates: readonly DeployGateRow[];
}

export interface DeployTargetRow {
  readonly name: string;
  readonly model: string;
  readonly currentVersion: number | null;
  readonly health: DeploymentHealth;
  readonly healthUrl: string | null;
  readonly pid: number | null;
  readonly startedAt: string | null;
  /** Latency percentiles and error rate of the health polls, when polled. */
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly errorRate: number | null;
  /** The version that served before the current one (from the history). */
  readonly previousVersion: number | null;
  /** Where Roll Back would go; null when there is no earlier healthy version. */
  readonly rollbackVersion: number | null;
  /** Newest first. */
  readonly versions: readonly DeployVersionRow[];
  /** Newest first. */
  readonly history: readonly DeployHistoryRow[];
}

export interface DeploySnapshot {
  readonly targets: readonly DeployTargetRow[];
  /** Deploying runs the start command: only in a trusted workspace. */
  readonly trusted: boolean;
  /** The target a deploy, rollback or undeploy is running for, if any. */
  readonly busyTarget: string | null;
}

export type DeployUpdate = { readonly type: 'snapshotted'; readonly snapshot: DeploySnapshot };

export type DeployAction =
  | PanelCommonAction
  | { readonly type: 'deploy'; readonly target: string; readonly version: number }
  | { readonly type: 'rollback'; readonly target: string }
  | { readonly type: 'undeploy'; readonly target: string }
  | { readonly type: 'openLog'; readonly target: string };

const isTargetName = (message: MessageRecord) => isText(message.target, 200) && message.target.length > 0;

export const deployActionValidators: MessageValidators<DeployAction> = {
  ...panelCommonValidators,
  deploy: (message) =>
    isTargetName(message) &&
    typeof message.version === 'number' &&
    Number.isSafeInteger(message.version) &&
    message.version > 0,
  rollback: isTargetName,
  undeploy: isTargetName,
  openLog: isTargetName,
};
