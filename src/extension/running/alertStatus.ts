import * as vscode from 'vscode';
import type { RunSummary } from '../../engine/runs/model';
import type { RunController } from './runController';
import { CommandId } from '../ids';
import { newOutsideRunAlerts, runningOutsideRunAlerts, type SeenAlertCounts } from './outsideRunAlerts';

/** What the Show Charts action of an alert does: the Metric Charts panel of that run. */
export type ShowRunCharts = (runId: string) => Thenable<unknown> | Promise<unknown>;

/** The run index the Runs view shows: where alerts of runs started outside this window show up. */
export interface RunIndex {
  runs(): readonly RunSummary[];
  readonly onDidChangeRuns: vscode.Event<unknown>;
}

/** An alert as the notification and the status bar item show it. */
interface ShownAlert {
  readonly runId: string | undefined;
  readonly message: string;
}

export interface AlertStatus extends vscode.Disposable {
  /** The alert status bar text, or undefined while hidden. */
  visibleText(): string | undefined;
}

/**
 * Alerts: a warning notification per alert with a "Show Charts" action, and a status bar item of
 * its own (`$(warning) 2 alerts`, separate from the run progress and the deployments' items) while
 * there are alerts; clicking it opens the charts of the run they fired in. Runs started from this
 * window report theirs through the run controller (counted while in flight and for the last run);
 * runs started elsewhere (a terminal's `mlc run`, a pull) through the run index as it reloads
 * (counted while they run).
 */
export function createAlertStatus(
  controller: RunController,
  showCharts: ShowRunCharts,
  runIndex?: RunIndex,
): AlertStatus {
  let visible = false;
  /** Runs started from this window: the controller reports their alerts, the run index must not. */
  const ownRunIds = new Set<string>();
  let seenAlertCounts: SeenAlertCounts = new Map();
  let outsideAlerts: readonly ShownAlert[] = [];
  const item = vscode.window.createStatusBarItem('mlc.alerts', vscode.StatusBarAlignment.Left, 49);
  item.name = 'ML alerts';
  item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
  const update = () => {
    const alerts: ShownAlert[] = [
      ...controller.activeAlerts().map(({ runId, alert }) => ({ runId, message: alert.message })),
      ...outsideAlerts,
    ];
    visible = alerts.length > 0;
    if (!visible) {
      item.hide();
      return;
    }
    item.text = `$(warning) ${alerts.length} alert${alerts.length === 1 ? '' : 's'}`;
    item.tooltip = alertTooltip(alerts);
    const runId = alerts.at(-1)?.runId;
    item.command = runId ? { title: 'Show Charts', command: CommandId.showMetrics, arguments: [runId] } : undefined;
    item.show();
  };
  const notify = async ({ runId, message }: ShownAlert) => {
    const action = runId ? 'Show Charts' : undefined;
    const choice = await vscode.window.showWarningMessage(`ML alert: ${message}`, ...(action ? [action] : []));
    if (choice === action && runId) await showCharts(runId);
  };
  const runsDidChange = () => {
    if (!runIndex) return;
    for (const { runId } of controller.activeRuns()) if (runId) ownRunIds.add(runId);
    const runs = runIndex.runs();
    const { fresh, seen } = newOutsideRunAlerts(runs, seenAlertCounts, ownRunIds);
    seenAlertCounts = seen;
    outsideAlerts = runningOutsideRunAlerts(runs, ownRunIds);
    update();
    for (const alert of fresh) void notify(alert);
  };
  const disposable = vscode.Disposable.from(
    controller.onDidChange(update),
    controller.onDidStartRun(({ runId }) => ownRunIds.add(runId)),
    controller.onDidFireAlert(({ runId, alert }) => {
      update();
      void notify({ runId, message: alert.message });
    }),
    ...(runIndex ? [runIndex.onDidChangeRuns(runsDidChange)] : []),
    item,
  );
  runsDidChange();
  update();
  return { visibleText: () => (visible ? item.text : undefined), dispose: () => disposable.dispose() };
}

function alertTooltip(alerts: readonly ShownAlert[]): vscode.MarkdownString {
  const tooltip = new vscode.MarkdownString(undefined, true);
  // Alert messages carry metric names from the user's files: appended as text, never as Markdown.
  tooltip.appendMarkdown('**ML alerts** (click to show the charts)\n\n');
  for (const { message } of alerts) tooltip.appendText(`⚠ ${message}\n`);
  return tooltip;
}
