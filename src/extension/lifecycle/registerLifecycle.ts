import * as vscode from 'vscode';
import type { Logger } from '../../engine/ports';
import { snapshotTree, type TreeItemSnapshot } from '../extensionApi';
import { ViewId } from '../ids';
import { DeployPanels } from '../panels/deployPanel';
import type { WorkspaceState } from '../state/workspaceState';
import { DeploymentsTreeProvider } from '../views/deploymentsTreeProvider';
import { ModelsTreeProvider } from '../views/modelsTreeProvider';
import { createDeploymentStatusBar } from './deploymentStatusBar';
import { registerLifecycleCommands } from './lifecycleCommands';
import { LifecycleController } from './lifecycleController';
import type { LifecycleServices } from './lifecycleServices';
import { REMOTE_SERVER_LOG_SCHEME, RemoteServerLogs } from './remoteServerLogs';

export interface RegisteredLifecycle extends vscode.Disposable {
  /** The Models view as the user sees it (for the extension's test API). */
  modelsTree(): Promise<TreeItemSnapshot[]>;
  /** The Deployments view as the user sees it (for the extension's test API). */
  deploymentsTree(): Promise<TreeItemSnapshot[]>;
  /** The deployments status bar text, or undefined while it is hidden. */
  deploymentStatusText(): string | undefined;
}

/**
 * The lifecycle after training, in the window: the Models and Deployments views, the deployments
 * status bar item, the Deploy panel and their commands, around one LifecycleController. Nothing is
 * read until the workspace state has loaded pipelines (the controller listens to it).
 */
export function registerLifecycle(options: {
  readonly extensionUri: vscode.Uri;
  readonly state: WorkspaceState;
  readonly logger: Logger;
  /** EngineServices.lifecycle: registry reads here, deploys in the pipeline worker. */
  readonly services: LifecycleServices;
}): RegisteredLifecycle {
  const { extensionUri, state, logger, services } = options;
  const lifecycle = new LifecycleController(services, state, logger);
  const modelsTree = new ModelsTreeProvider(lifecycle);
  const deploymentsTree = new DeploymentsTreeProvider(lifecycle);
  const modelsView = vscode.window.createTreeView(ViewId.models, { treeDataProvider: modelsTree });
  const deploymentsView = vscode.window.createTreeView(ViewId.deployments, { treeDataProvider: deploymentsTree });
  const panels = new DeployPanels({ extensionUri, lifecycle, logger });
  const remoteLogs = vscode.workspace.registerTextDocumentContentProvider(
    REMOTE_SERVER_LOG_SCHEME,
    new RemoteServerLogs((name) => lifecycle.findTarget(name), services),
  );
  const watchView = () => lifecycle.setWatching('deploymentsView', deploymentsView.visible);
  watchView();
  // Deploying runs the target's start command: in Restricted Mode the view says why it is read-only.
  const showTrust = () => {
    deploymentsView.message = vscode.workspace.isTrusted
      ? undefined
      : 'Restricted Mode: read-only. Trust this workspace to deploy, roll back or undeploy.';
  };
  showTrust();
  const statusBar = createDeploymentStatusBar(lifecycle);
  const disposable = vscode.Disposable.from(
    lifecycle,
    modelsTree,
    deploymentsTree,
    modelsView,
    deploymentsView,
    deploymentsView.onDidChangeVisibility(watchView),
    vscode.workspace.onDidGrantWorkspaceTrust(showTrust),
    statusBar,
    panels,
    remoteLogs,
    registerLifecycleCommands({ state, services, lifecycle, panels }),
  );
  return {
    dispose: () => disposable.dispose(),
    modelsTree: () => snapshotTree(modelsTree),
    deploymentsTree: () => snapshotTree(deploymentsTree),
    deploymentStatusText: () => statusBar.visibleState()?.text,
  };
}
