import type * as vscode from 'vscode';
import type { ActiveRun, RunAlert } from './running/runController';

/** A tree item as the user sees it: label, description, tooltip text, icon and children. */
export interface TreeItemSnapshot {
  /** The TreeItem id: `pipeline:<file>`, `stage:<file>#<address>`, `run:<run id>`. */
  readonly id: string | undefined;
  readonly label: string;
  readonly description: string;
  readonly tooltip: string;
  readonly icon: string | undefined;
  readonly contextValue: string | undefined;
  readonly children: readonly TreeItemSnapshot[];
}

/**
 * What `activate()` returns: read-only accessors for the integration tests (and other
 * extensions). The trees are read through the real TreeDataProviders, so a test sees what the
 * views show.
 */
export interface MlcExtensionApi {
  /** How long `activate()` took, in milliseconds. */
  readonly activationMs: number;
  /** Resolves when no reload of pipelines, states or runs is pending. */
  whenIdle(): Promise<void>;
  pipelinesTree(): Promise<TreeItemSnapshot[]>;
  runsTree(): Promise<TreeItemSnapshot[]>;
  activeRuns(): ActiveRun[];
  /** The run progress status bar text, or undefined when it is hidden. */
  statusBarText(): string | undefined;
  /** The alerts status bar text (`$(warning) 1 alert`), or undefined when it is hidden. */
  alertStatusText(): string | undefined;
  /** Alerts of the runs in flight and of the last run started from this window. */
  activeAlerts(): readonly RunAlert[];
  /** The Models view's rows (mlc's registered models, then MLflow's). */
  modelsTree(): Promise<TreeItemSnapshot[]>;
  /** The Deployments view's rows (one per deploy target). */
  deploymentsTree(): Promise<TreeItemSnapshot[]>;
  /** The deployments status bar text, or undefined while it is hidden. */
  deploymentStatusText(): string | undefined;
}

/** Reads a TreeDataProvider the way the tree view does. */
export async function snapshotTree<T>(provider: vscode.TreeDataProvider<T>, element?: T): Promise<TreeItemSnapshot[]> {
  const children = (await provider.getChildren(element)) ?? [];
  return Promise.all(
    children.map(async (child) => {
      const item = await provider.getTreeItem(child);
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      const tooltip = typeof item.tooltip === 'string' ? item.tooltip : (item.tooltip?.value ?? '');
      const icon =
        item.iconPath && typeof item.iconPath === 'object' && 'id' in item.iconPath ? item.iconPath.id : undefined;
      const hasChildren = item.collapsibleState !== undefined && item.collapsibleState !== 0;
      return {
        id: item.id,
        label,
        description: typeof item.description === 'string' ? item.description : '',
        tooltip,
        icon,
        contextValue: item.contextValue,
        children: hasChildren ? await snapshotTree(provider, child) : [],
      };
    }),
  );
}
