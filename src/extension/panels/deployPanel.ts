import * as vscode from 'vscode';
import type { Logger } from '../../engine/ports';
import {
  DEPLOY_VIEW_TYPE,
  type DeployAction,
  deployActionValidators,
  type DeploySnapshot,
  type DeployUpdate,
} from '../../protocol/deploy';
import type { MessageHandlers } from '../../protocol/messageHandlers';
import type { PanelCommonAction } from '../../protocol/panelCommon';
import type { LifecycleController } from '../lifecycle/lifecycleController';
import { deploySnapshot, deployTargetRow } from '../lifecycle/lifecycleViewModels';
import { createWebviewPanel, PanelHost } from './panelHost';

export interface DeployPanelsOptions {
  readonly extensionUri: vscode.Uri;
  readonly lifecycle: LifecycleController;
  readonly logger: Logger;
}

/** Ids of the health polls' watchers: the panel polls while it is visible. */
const WATCHER = 'deployPanel';

/**
 * The Deploy panel: one per window, restored after a reload (WebviewPanelSerializer). Its buttons
 * call the LifecycleController, which confirms production changes, runs the engine's deploy with
 * progress and shows failures; the panel gets a new snapshot whenever deployments change.
 */
export class DeployPanels implements vscode.Disposable {
  private host: PanelHost<DeployUpdate, DeployAction> | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly options: DeployPanelsOptions) {
    this.subscriptions = [
      vscode.window.registerWebviewPanelSerializer(DEPLOY_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel) => {
          this.adopt(panel);
        },
      }),
      options.lifecycle.onDidChange(() => this.host?.refresh()),
    ];
  }

  /** Opens (or reveals) the Deploy panel; resolves with its webview panel. */
  show(): vscode.WebviewPanel {
    if (this.host) {
      this.host.reveal();
      return this.host.panel;
    }
    return this.adopt(createWebviewPanel(DEPLOY_VIEW_TYPE, 'Deploy', this.options.extensionUri)).panel;
  }

  private adopt(panel: vscode.WebviewPanel): PanelHost<DeployUpdate, DeployAction> {
    const { lifecycle, extensionUri, logger } = this.options;
    const host = new PanelHost<DeployUpdate, DeployAction>({
      panel,
      extensionUri,
      bundle: 'deploy',
      validators: deployActionValidators,
      handlers: this.handlers(),
      snapshot: async () => ({ type: 'snapshotted', snapshot: this.snapshot() }),
      logger,
    });
    this.host = host;
    lifecycle.setWatching(WATCHER, panel.visible);
    lifecycle.refresh();
    const visibility = panel.onDidChangeViewState(() => lifecycle.setWatching(WATCHER, panel.visible));
    host.onDidDispose(() => {
      visibility.dispose();
      lifecycle.setWatching(WATCHER, false);
      if (this.host === host) this.host = undefined;
    });
    return host;
  }

  private snapshot(): DeploySnapshot {
    const { lifecycle } = this.options;
    const rows = lifecycle
      .targets()
      .map((entry) =>
        deployTargetRow(entry.overview, lifecycle.modelOf(entry), lifecycle.summary(entry), (version) =>
          lifecycle.previewGates(entry, version),
        ),
      );
    return deploySnapshot(rows, vscode.workspace.isTrusted, lifecycle.busyTarget);
  }

  private handlers(): MessageHandlers<Exclude<DeployAction, PanelCommonAction>> {
    const { lifecycle } = this.options;
    return {
      deploy: (message) => void lifecycle.deploy(message.target, message.version),
      rollback: (message) => void lifecycle.rollback(message.target),
      undeploy: (message) => void lifecycle.undeploy(message.target),
      openLog: (message) => void lifecycle.openLog(message.target),
    };
  }

  dispose(): void {
    this.host?.panel.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
