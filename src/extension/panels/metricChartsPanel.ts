import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Disposable, Logger } from '../../engine/ports';
import type { RunAlertNote } from '../../engine/runs/model';
import { formatCsv } from '../../engine/runs/formatTextTable';
import type { MessageHandlers } from '../../protocol/messageHandlers';
import {
  type ChartRun,
  type ChartSeries,
  METRIC_CHARTS_VIEW_TYPE,
  type MetricChartsAction,
  metricChartsActionValidators,
  type MetricChartsSnapshot,
  type MetricChartsUpdate,
  type SeriesPoints,
} from '../../protocol/metricCharts';
import type { PanelCommonAction } from '../../protocol/panelCommon';
import type { EngineServices } from '../engineServices';
import { readSettings } from '../settings';
import { chartAlertsOf, SNAPSHOT_MAX_POINTS, toChartSeries, toSeriesPoints } from './chartSeries';
import { createWebviewPanel, PanelHost } from './panelHost';
import { allowWorkspaceImages, loadPanelPlots } from './plotsProvider';
import type { ListedRun, RunPanelSource } from './runPanelSource';

export const METRIC_CHARTS_TITLE = 'Metric Charts';

export interface MetricChartsDependencies {
  readonly extensionUri: vscode.Uri;
  readonly engine: EngineServices;
  readonly source: RunPanelSource;
  readonly logger: Logger;
  /** Opens a quick pick of every run; resolves with the chosen ids (undefined when dismissed). */
  readonly pickRuns: (preselected: readonly string[]) => Promise<readonly string[] | undefined>;
}

/**
 * Metric charts of any number of runs, opened beside the code. The series come from the run index
 * worker, downsampled there to the chart's width (and again for the visible range on zoom); live
 * runs are followed there too and their new points posted as batches. One panel per window, given
 * new runs when charts are asked for again.
 */
export class MetricChartsPanel implements vscode.Disposable {
  readonly host: PanelHost<MetricChartsUpdate, MetricChartsAction>;
  private readonly follows = new Map<string, Promise<Disposable>>();
  private isDisposed = false;

  static create(runIds: readonly string[], dependencies: MetricChartsDependencies): MetricChartsPanel {
    const panel = createWebviewPanel(
      METRIC_CHARTS_VIEW_TYPE,
      METRIC_CHARTS_TITLE,
      dependencies.extensionUri,
      // Beside the code, leaving the focus in the editor (the user keeps typing while a run charts).
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
    );
    return new MetricChartsPanel(panel, runIds, dependencies);
  }

  constructor(
    panel: vscode.WebviewPanel,
    private runIds: readonly string[],
    private readonly dependencies: MetricChartsDependencies,
  ) {
    allowWorkspaceImages(panel.webview);
    this.host = new PanelHost<MetricChartsUpdate, MetricChartsAction>({
      panel,
      extensionUri: dependencies.extensionUri,
      bundle: 'metricCharts',
      validators: metricChartsActionValidators,
      handlers: this.handlers(),
      snapshot: async () => ({ type: 'snapshotted', snapshot: await this.snapshot() }),
      logger: dependencies.logger,
    });
    this.host.onDidDispose(() => this.dispose());
  }

  /** Shows these runs (added to the ones shown when `add`), revealing the panel beside the code. */
  show(runIds: readonly string[], add = false): void {
    this.runIds = add ? [...new Set([...this.runIds, ...runIds])] : [...new Set(runIds)];
    this.host.panel.reveal(undefined, true);
    this.host.refresh();
  }

  /**
   * An alert fired in a run while it runs: a followed run's chart gets its marker now, in a batch of
   * its own (the next snapshot, when the run ends, carries it from the run's record anyway).
   */
  alertFired(runId: string, alert: RunAlertNote): void {
    if (!this.follows.has(runId)) return;
    const alerts = chartAlertsOf([alert]);
    if (alerts.length === 0) return;
    this.host.post({ type: 'seriesAppended', runId, reset: false, series: {}, live: true, alerts });
  }

  /** Runs changed (one started or ended): a fresh snapshot, which also starts or stops follows. */
  runsDidChange(): void {
    this.host.refresh();
  }

  private ignoreOf(listed: ListedRun): readonly string[] {
    return readSettings(vscode.Uri.file(listed.root)).ignore;
  }

  private async snapshot(): Promise<MetricChartsSnapshot> {
    const { source, engine, logger } = this.dependencies;
    await source.listRuns();
    const found = await Promise.all(this.runIds.map(async (runId) => ({ runId, listed: await source.find(runId) })));
    const runs: ChartRun[] = [];
    const live: string[] = [];
    for (const { listed } of found) {
      if (!listed) continue;
      if (listed.run.status === 'running' || listed.run.status === 'queued') live.push(listed.run.id);
      // Live runs too: their follow's batches add only steps after the last one the page holds.
      const response = await engine.metricSeries(listed.root, this.ignoreOf(listed), listed.run.id, {
        maxPoints: SNAPSHOT_MAX_POINTS,
      });
      for (const problem of response.problems) logger.warn(problem.message, { code: problem.code });
      const series = toChartSeries(response.series, SNAPSHOT_MAX_POINTS);
      const alerts = chartAlertsOf(listed.run.alerts ?? []);
      runs.push({
        id: listed.run.id,
        name: listed.run.name,
        source: listed.run.source,
        status: listed.row.status,
        startedAt: listed.row.startedAt,
        series,
        ...(alerts.length > 0 ? { alerts } : {}),
      });
    }
    this.followLiveRuns(found.flatMap(({ listed }) => (listed && live.includes(listed.run.id) ? [listed] : [])));
    return {
      runs,
      live,
      missing: found.filter(({ listed }) => !listed).map(({ runId }) => runId),
    };
  }

  /** Starts a follow for each live run not followed yet; stops those of runs no longer live or shown. */
  private followLiveRuns(liveRuns: readonly ListedRun[]): void {
    const liveIds = new Set(liveRuns.map((listed) => listed.run.id));
    for (const [runId, follow] of this.follows) {
      if (liveIds.has(runId) && !this.isDisposed) continue;
      void follow.then((subscription) => subscription.dispose());
      this.follows.delete(runId);
      // The run ended (or left the charts): the page stops marking it live.
      this.host.post({ type: 'seriesAppended', runId, reset: false, series: {}, live: false });
    }
    if (this.isDisposed) return;
    for (const listed of liveRuns) {
      const runId = listed.run.id;
      if (this.follows.has(runId)) continue;
      const follow = this.dependencies.engine.followMetrics(
        listed.root,
        this.ignoreOf(listed),
        runId,
        SNAPSHOT_MAX_POINTS,
        (update) => {
          if (this.follows.get(runId) !== follow) return;
          const series: Record<string, SeriesPoints> = {};
          for (const [name, values] of Object.entries(update.series)) series[name] = toSeriesPoints(values);
          this.host.post({ type: 'seriesAppended', runId, reset: update.reset, series, live: true });
        },
      );
      this.follows.set(runId, follow);
      follow.catch((error: unknown) =>
        this.dependencies.logger.warn('A live run could not be followed', { runId, error: String(error) }),
      );
    }
  }

  private async exportFile(title: string, fileName: string, filters: Record<string, string[]>, bytes: Uint8Array) {
    const root = this.dependencies.source.roots()[0];
    const target = await vscode.window.showSaveDialog({
      title,
      defaultUri: root ? vscode.Uri.file(join(root, fileName)) : undefined,
      filters,
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, bytes);
    void vscode.window.setStatusBarMessage(`Exported ${vscode.workspace.asRelativePath(target)}`, 5000);
  }

  private handlers(): MessageHandlers<Exclude<MetricChartsAction, PanelCommonAction>> {
    const { source, engine, pickRuns } = this.dependencies;
    const safeName = (metric: string) => metric.replace(/[^\w.-]+/g, '_');
    return {
      requestPlots: async (message) => {
        // The plots of the first workspace folder, at the workspace and at the shown runs of that folder.
        const root = source.roots()[0];
        if (root === undefined) return;
        const listed = await Promise.all(this.runIds.map((runId) => source.find(runId)));
        const runs = listed.flatMap((run) => (run && run.root === root ? [run.run] : []));
        this.host.post(
          await loadPanelPlots({
            webview: this.host.panel.webview,
            workspaceRoot: root,
            runs,
            requestId: message.requestId,
          }),
        );
      },
      refineSeries: async (message) => {
        const refined: Record<string, ChartSeries> = {};
        await Promise.all(
          message.ranges.map(async (range) => {
            const listed = await source.find(range.runId);
            if (!listed) return;
            const response = await engine.metricSeries(listed.root, this.ignoreOf(listed), listed.run.id, {
              names: [message.metric],
              maxPoints: message.maxPoints,
              window: { x: message.x, range: { min: range.min, max: range.max } },
            });
            const values = response.series[message.metric];
            if (values)
              refined[range.runId] = toChartSeries({ [message.metric]: values }, message.maxPoints)[message.metric]!;
          }),
        );
        this.host.post({
          type: 'seriesRefined',
          requestId: message.requestId,
          metric: message.metric,
          series: refined,
        });
      },
      addRuns: async () => {
        const chosen = await pickRuns(this.runIds);
        if (chosen) this.show(chosen);
      },
      removeRun: (message) => this.show(this.runIds.filter((runId) => runId !== message.runId)),
      exportPng: async (message) => {
        const base64 = message.dataUrl.slice(message.dataUrl.indexOf(',') + 1);
        await this.exportFile(
          `Export the ${message.metric} chart as PNG`,
          `${safeName(message.metric)}.png`,
          { PNG: ['png'] },
          Buffer.from(base64, 'base64'),
        );
      },
      exportCsv: async (message) => {
        await this.exportFile(
          `Export the ${message.metric} series as CSV`,
          `${safeName(message.metric)}.csv`,
          { CSV: ['csv'] },
          Buffer.from(formatCsv(message.header, message.rows), 'utf8'),
        );
      },
    };
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    for (const follow of this.follows.values()) void follow.then((subscription) => subscription.dispose());
    this.follows.clear();
    this.host.panel.dispose();
  }
}
