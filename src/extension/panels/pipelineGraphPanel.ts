import * as vscode from 'vscode';
import type { Logger } from '../../engine/ports';
import type { MessageHandlers } from '../../protocol/messageHandlers';
import type { PanelCommonAction } from '../../protocol/panelCommon';
import {
  PIPELINE_GRAPH_VIEW_TYPE,
  type PipelineGraphAction,
  pipelineGraphActionValidators,
  type PipelineGraphUpdate,
} from '../../protocol/pipelineGraph';
import { debounce } from '../state/debounce';
import type { WorkspaceState } from '../state/workspaceState';
import { ensureTrusted } from '../workspaceTrust';
import { createWebviewPanel, PanelHost } from './panelHost';
import { buildPipelineGraph, downstreamTargets } from './pipelineGraphModel';

export const PIPELINE_GRAPH_TITLE = 'Pipeline Graph';

export interface PipelineGraphDependencies {
  readonly extensionUri: vscode.Uri;
  readonly state: WorkspaceState;
  readonly logger: Logger;
  /** Opens a stage at its line (the `mlc.openStage` command). */
  readonly openStage: (address: string) => Promise<unknown>;
  /** Runs `targets` of `root` through the RunController, in a terminal named `name`. */
  readonly runStages: (root: string, targets: readonly string[], name: string) => Promise<unknown>;
}

/**
 * The Pipeline Graph panel's host: one per window, restored after a reload. Sends the graph built
 * from the workspace state (the engine's stage graph and the Pipelines view's states) on `ready`,
 * on visibility and, debounced, whenever pipelines or states change; opens and runs stages on the
 * page's request (runs only in a trusted workspace, whatever the page sends).
 */
export class PipelineGraphPanels implements vscode.Disposable {
  private host: PanelHost<PipelineGraphUpdate, PipelineGraphAction> | undefined;
  private revision = 0;
  /** The pipeline file the graph was last opened for, shown by the next snapshot. */
  private focusFile: string | undefined;
  private readonly refresh = debounce(() => this.host?.refresh(), 150, 500);
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly dependencies: PipelineGraphDependencies) {
    this.subscriptions = [
      vscode.window.registerWebviewPanelSerializer(PIPELINE_GRAPH_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel) => {
          this.adopt(panel);
        },
      }),
      dependencies.state.onDidChangePipelines(() => this.refresh.schedule()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.refresh.schedule()),
    ];
  }

  /** Opens (or reveals) the graph, of one pipeline file when given; returns its webview panel. */
  show(pipelineFile?: string): vscode.WebviewPanel {
    this.focusFile = pipelineFile;
    if (this.host) {
      this.host.reveal();
      this.host.refresh();
      return this.host.panel;
    }
    const panel = createWebviewPanel(PIPELINE_GRAPH_VIEW_TYPE, PIPELINE_GRAPH_TITLE, this.dependencies.extensionUri);
    return this.adopt(panel).panel;
  }

  private adopt(panel: vscode.WebviewPanel): PanelHost<PipelineGraphUpdate, PipelineGraphAction> {
    const host = new PanelHost<PipelineGraphUpdate, PipelineGraphAction>({
      panel,
      extensionUri: this.dependencies.extensionUri,
      bundle: 'pipelineGraph',
      allowWorkers: true,
      validators: pipelineGraphActionValidators,
      handlers: this.handlers(),
      snapshot: async () => this.snapshot(),
      logger: this.dependencies.logger,
    });
    this.host = host;
    host.onDidDispose(() => {
      if (this.host === host) this.host = undefined;
    });
    return host;
  }

  private async snapshot(): Promise<PipelineGraphUpdate> {
    const { state } = this.dependencies;
    await state.whenIdle();
    const infos = new Map(state.stages().map((info) => [`${info.root}\n${info.entry.address}`, info]));
    const views = state.views();
    const graph = buildPipelineGraph(views, (root, address) => infos.get(`${root}\n${address}`));
    // graph.files follows the views' pipelines in order.
    const focusIndex = views
      .flatMap((view) => view.pipelines.map((pipeline) => pipeline.file))
      .indexOf(this.focusFile ?? '');
    const focusFile = graph.files[focusIndex];
    this.focusFile = undefined;
    this.revision++;
    return {
      type: 'snapshotted',
      snapshot: {
        revision: this.revision,
        graph,
        trusted: vscode.workspace.isTrusted,
        ...(focusFile ? { focusFile } : {}),
      },
    };
  }

  private handlers(): MessageHandlers<Exclude<PipelineGraphAction, PanelCommonAction>> {
    const { state, openStage, runStages } = this.dependencies;
    return {
      openStage: (message) => void openStage(message.address),
      runStage: (message) => {
        if (!ensureTrusted(message.downstream ? 'run stages' : 'run a stage')) return;
        const info = state.stages().find((candidate) => candidate.entry.address === message.address);
        const view = info && state.views().find((candidate) => candidate.root === info.root);
        if (!info || !view) return;
        const targets = message.downstream ? downstreamTargets(view, message.address) : [message.address];
        const name = message.downstream ? `mlc: ${message.address} and downstream` : `mlc: ${message.address}`;
        // Not awaited: the run goes on in its terminal while the page keeps receiving states.
        void runStages(info.root, targets, name);
      },
    };
  }

  dispose(): void {
    this.refresh.dispose();
    this.host?.panel.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
