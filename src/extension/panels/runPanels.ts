import * as vscode from 'vscode';
import type { Stage } from '../../engine/pipeline/model';
import type { Logger } from '../../engine/ports';
import type { RunAlertNote } from '../../engine/runs/model';
import { COMPARE_VIEW_TYPE, isComparePersistedState } from '../../protocol/compare';
import { isMetricChartsPersistedState, METRIC_CHARTS_VIEW_TYPE } from '../../protocol/metricCharts';
import { RUN_DETAILS_VIEW_TYPE } from '../../protocol/runDetails';
import { RUN_HISTORY_VIEW_TYPE } from '../../protocol/runHistory';
import type { EngineServices } from '../engineServices';
import { STAY_OPEN } from '../quickInputs';
import { ensureTrusted } from '../workspaceTrust';
import { ComparePanel } from './comparePanel';
import { MetricChartsPanel } from './metricChartsPanel';
import { RunDetailsPanel, runIdOfSavedState } from './runDetailsPanel';
import { RunHistoryPanel } from './runHistoryPanel';
import type { RunPanelActions } from './runPanelActions';
import { RunPanelSource } from './runPanelSource';
import { rerunWithRecordedParams } from './rerunWithRecordedParams';

/** The button of the rerun's confirmation. */
const RERUN_CHOICE = 'Write Params and Rerun';

export interface RunPanelsOptions {
  readonly extensionUri: vscode.Uri;
  readonly engine: EngineServices;
  readonly logger: Logger;
  /** Fires when the run list may have changed (the workspace state's run reload). */
  readonly onDidChangeRuns: vscode.Event<void>;
  /** Fires when an alert fires in a run started from this window (the run controller's alerts). */
  readonly onDidFireAlert?: vscode.Event<{ readonly runId: string | undefined; readonly alert: RunAlertNote }>;
  /** Asks the workspace state to reload its runs (after a deletion). */
  readonly reloadRuns: () => void;
  /** Runs `targets` (empty = everything) of `root` again, forced, in a terminal. */
  readonly rerun: (root: string, targets: readonly string[]) => Promise<unknown>;
  /** The stages of the workspace at `root` as last loaded (whose params files a rerun restores). */
  readonly stagesOf: (root: string) => readonly Stage[];
}

/**
 * Owns the Run History, Run Details, Compare and Metric Charts panels of the window: creates them, restores them
 * after a reload (WebviewPanelSerializer), routes one panel's navigation to another, and passes
 * run-list changes on to each.
 */
export class RunPanels implements vscode.Disposable, RunPanelActions {
  private history: RunHistoryPanel | undefined;
  private readonly details = new Map<string, RunDetailsPanel>();
  private compare: ComparePanel | undefined;
  private charts: MetricChartsPanel | undefined;
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
      vscode.window.registerWebviewPanelSerializer(METRIC_CHARTS_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          const runIds = isMetricChartsPersistedState(state) ? state.runIds : [];
          this.adoptCharts(new MetricChartsPanel(panel, runIds, this.chartsDependencies()));
        },
      }),
      options.onDidChangeRuns(() => {
        void this.history?.runsDidChange();
        for (const panel of this.details.values()) panel.runsDidChange();
        this.compare?.runsDidChange();
        this.charts?.runsDidChange();
      }),
      ...(options.onDidFireAlert
        ? [
            options.onDidFireAlert(({ runId, alert }) => {
              if (runId !== undefined) this.charts?.alertFired(runId, alert);
            }),
          ]
        : []),
    ];
  }

  private dependencies() {
    const { extensionUri, engine, logger } = this.options;
    return { extensionUri, engine, logger, source: this.source, actions: this as RunPanelActions };
  }

  private chartsDependencies() {
    const { extensionUri, engine, logger } = this.options;
    return {
      extensionUri,
      engine,
      logger,
      source: this.source,
      pickRuns: (preselected: readonly string[]) => this.pickRuns(preselected, 'Chart which runs?', 1),
    };
  }

  private adoptCharts(panel: MetricChartsPanel): MetricChartsPanel {
    this.charts = panel;
    panel.host.onDidDispose(() => {
      if (this.charts === panel) this.charts = undefined;
    });
    return panel;
  }

  /** A quick pick of every run, `preselected` ticked; undefined when dismissed or fewer than `atLeast`. */
  private async pickRuns(
    preselected: readonly string[],
    placeHolder: string,
    atLeast: number,
  ): Promise<string[] | undefined> {
    const listed = await this.source.listRuns();
    const picked = await vscode.window.showQuickPick(
      listed.map((entry) => ({
        label: entry.run.name,
        description: `${entry.run.source} · ${entry.run.status}`,
        detail: entry.run.id,
        picked: preselected.includes(entry.run.id),
        id: entry.run.id,
      })),
      { canPickMany: true, placeHolder, matchOnDetail: true, ...STAY_OPEN },
    );
    if (!picked || picked.length < atLeast) return undefined;
    return picked.map((item) => item.id);
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
      const picked = await this.pickRuns(chosen, 'Compare which runs? (two or more)', 2);
      if (!picked) return undefined;
      chosen = picked;
    }
    if (this.compare) this.compare.show(chosen);
    else this.adoptCompare(ComparePanel.create(chosen, this.dependencies()));
    return this.compare!.host.panel;
  }

  /**
   * Opens (or reveals) Metric Charts beside the code with these runs; `add` keeps the runs already
   * shown (a run started from VS Code joins the overlay). Without runs: the newest run.
   */
  async showCharts(runIds: readonly string[], options: { readonly add?: boolean } = {}): Promise<vscode.WebviewPanel> {
    let chosen = [...new Set(runIds)];
    if (chosen.length === 0 && !this.charts) {
      const newest = (await this.source.listRuns())[0];
      chosen = newest ? [newest.run.id] : [];
    }
    if (this.charts) {
      if (chosen.length > 0) this.charts.show(chosen, options.add);
      else this.charts.host.panel.reveal(undefined, true);
    } else {
      this.adoptCharts(MetricChartsPanel.create(chosen, this.chartsDependencies()));
    }
    return this.charts!.host.panel;
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
    const plan = await engine.planParamsRestore(stagesOf(listed.root), listed.run.params);
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
    this.charts?.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
