import * as vscode from 'vscode';
import type { Stage } from '../../engine/pipeline/model';
import type { Logger } from '../../engine/ports';
import { COMPARE_VIEW_TYPE, isComparePersistedState } from '../../protocol/compare';
import { RUN_DETAILS_VIEW_TYPE } from '../../protocol/runDetails';
import { RUN_HISTORY_VIEW_TYPE } from '../../protocol/runHistory';
import type { EngineServices } from '../engineServices';
import { ensureTrusted } from '../workspaceTrust';
import { ComparePanel } from './comparePanel';
import { RunDetailsPanel, runIdOfSavedState } from './runDetailsPanel';
import { RunHistoryPanel } from './runHistoryPanel';
import type { RunPanelActions } from './runPanelActions';
import { RunPanelSource } from './runPanelSource';
import { rerunWithRecordedParams } from './rerunWithRecordedParams';

/** The command of the Metric Charts panel (another issue); used when it is registered. */
const SHOW_METRICS_COMMAND = 'mlc.showMetrics';
/** The button of the rerun's confirmation. */
const RERUN_CHOICE = 'Write Params and Rerun';

export interface RunPanelsOptions {
  readonly extensionUri: vscode.Uri;
  readonly engine: EngineServices;
  readonly logger: Logger;
  /** Fires when the run list may have changed (the workspace state's run reload). */
  readonly onDidChangeRuns: vscode.Event<void>;
  /** Asks the workspace state to reload its runs (after a deletion). */
  readonly reloadRuns: () => void;
  /** Runs `targets` (empty = everything) of `root` again, forced, in a terminal. */
  readonly rerun: (root: string, targets: readonly string[]) => Promise<unknown>;
  /** The stages of the workspace at `root` as last loaded (whose params files a rerun restores). */
  readonly stagesOf: (root: string) => readonly Stage[];
}

/**
 * Owns the Run History, Run Details and Compare panels of the window: creates them, restores them
 * after a reload (WebviewPanelSerializer), routes one panel's navigation to another, and passes
 * run-list changes on to each.
 */
export class RunPanels implements vscode.Disposable, RunPanelActions {
  private history: RunHistoryPanel | undefined;
  private readonly details = new Map<string, RunDetailsPanel>();
  private compare: ComparePanel | undefined;
  private readonly source: RunPanelSource;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly options: RunPanelsOptions) {
    this.source = new RunPanelSource(options.engine, options.logger);
    this.subscriptions = [
      vscode.window.registerWebviewPanelSerializer(RUN_HISTORY_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel) => {
          this.adoptHistory(new RunHistoryPanel(panel, this.dependencies()));
        },
      }),
      vscode.window.registerWebviewPanelSerializer(RUN_DETAILS_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          const runId = runIdOfSavedState(state);
          if (!runId) {
            panel.dispose();
            return;
          }
          this.adoptDetails(new RunDetailsPanel(panel, runId, this.dependencies()));
        },
      }),
      vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          if (!isComparePersistedState(state)) {
            panel.dispose();
            return;
          }
          this.adoptCompare(new ComparePanel(panel, state.runIds, state.baselineId, this.dependencies()));
        },
      }),
      options.onDidChangeRuns(() => {
        void this.history?.runsDidChange();
        for (const panel of this.details.values()) panel.runsDidChange();
        this.compare?.runsDidChange();
      }),
    ];
  }

  private dependencies() {
    const { extensionUri, engine, logger } = this.options;
    return { extensionUri, engine, logger, source: this.source, actions: this as RunPanelActions };
  }

  private adoptHistory(panel: RunHistoryPanel): RunHistoryPanel {
    this.history = panel;
    panel.host.onDidDispose(() => {
      if (this.history === panel) this.history = undefined;
    });
    return panel;
  }

  private adoptDetails(panel: RunDetailsPanel): RunDetailsPanel {
    this.details.set(panel.runId, panel);
    panel.host.onDidDispose(() => {
      if (this.details.get(panel.runId) === panel) this.details.delete(panel.runId);
    });
    return panel;
  }

  private adoptCompare(panel: ComparePanel): ComparePanel {
    this.compare = panel;
    panel.host.onDidDispose(() => {
      if (this.compare === panel) this.compare = undefined;
    });
    return panel;
  }

  /** Opens (or reveals) Run History; resolves with its webview panel. */
  showRunHistory(): vscode.WebviewPanel {
    if (this.history) this.history.host.reveal();
    else this.adoptHistory(RunHistoryPanel.create(this.dependencies()));
    return this.history!.host.panel;
  }

  async openRun(runId: string): Promise<vscode.WebviewPanel> {
    const open = this.details.get(runId);
    if (open) {
      open.host.reveal();
      return open.host.panel;
    }
    return this.adoptDetails(RunDetailsPanel.create(runId, this.dependencies())).host.panel;
  }

  /** Compares the runs; with fewer than two, asks which others to add. */
  async compareRuns(runIds: readonly string[]): Promise<vscode.WebviewPanel | undefined> {
    let chosen = [...new Set(runIds)];
    if (chosen.length < 2) {
      const listed = await this.source.listRuns();
      const picked = await vscode.window.showQuickPick(
        listed.map((entry) => ({
          label: entry.run.name,
          description: `${entry.run.source} · ${entry.run.status}`,
          detail: entry.run.id,
          picked: chosen.includes(entry.run.id),
          id: entry.run.id,
        })),
        { canPickMany: true, placeHolder: 'Compare which runs? (two or more)', matchOnDetail: true },
      );
      if (!picked || picked.length < 2) return undefined;
      chosen = picked.map((item) => item.id);
    }
    if (this.compare) this.compare.show(chosen);
    else this.adoptCompare(ComparePanel.create(chosen, this.dependencies()));
    return this.compare!.host.panel;
  }

  async showCharts(runIds: readonly string[]): Promise<unknown> {
    const commands = await vscode.commands.getCommands(true);
    if (commands.includes(SHOW_METRICS_COMMAND)) return vscode.commands.executeCommand(SHOW_METRICS_COMMAND, runIds);
    void vscode.window.showInformationMessage(
      `The Metric Charts panel is not available yet. Meanwhile \`mlc metrics ${runIds[0] ?? 'RUN_ID'}\` prints a run's series.`,
    );
    return undefined;
  }

  async rerun(runId: string): Promise<unknown> {
    if (!ensureTrusted('rerun a run')) return undefined;
    const { listed, details } = await this.source.runDetails(runId);
    if (!listed || listed.run.source !== 'mlc') {
      void vscode.window.showInformationMessage('Only mlc runs can be rerun from here.');
      return undefined;
    }
    // Same params: the values the run recorded go back into the params files (mlc has no
    // command-line overrides), after a modal dialog that lists every change.
    const { engine, stagesOf, rerun } = this.options;
    const plan = engine.planParamsRestore(stagesOf(listed.root), listed.run.params);
    return rerunWithRecordedParams(plan, {
      confirm: async (message, detail) =>
        (await vscode.window.showWarningMessage(message, { modal: true, detail }, RERUN_CHOICE)) === RERUN_CHOICE,
      writeFile: (file, text) => engine.writeTextFile(file, text),
      rerun: () => rerun(listed.root, details?.targets ?? []),
      displayPath: (file) => vscode.workspace.asRelativePath(file),
    });
  }

  runsDidChange(): void {
    this.options.reloadRuns();
  }

  dispose(): void {
    this.history?.dispose();
    for (const panel of this.details.values()) panel.dispose();
    this.compare?.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
