import * as vscode from 'vscode';
import type { RunAlert, RunController } from './runController';
import { CommandId } from '../ids';

/** What the Show Charts action of an alert does: the Metric Charts panel of that run. */
export type ShowRunCharts = (runId: string) => Thenable<unknown> | Promise<unknown>;

export interface AlertStatus extends vscode.Disposable {
  /** The alert status bar text, or undefined while hidden. */
  visibleText(): string | undefined;
}

/**
 * Alerts of runs started from this window: a warning notification per alert with a "Show Charts"
 * action, and a status bar item of its own (`$(warning) 2 alerts`, separate from the run progress
 * and the deployments' items) while the runs in flight or the last run have alerts; clicking it
 * opens the charts of the run they fired in.
 */
export function createAlertStatus(controller: RunController, showCharts: ShowRunCharts): AlertStatus {
  let visible = false;
  const item = vscode.window.createStatusBarItem('mlc.alerts', vscode.StatusBarAlignment.Left, 49);
  item.name = 'ML alerts';
  item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
  const update = () => {
    const alerts = controller.activeAlerts();
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
  const notify = async ({ runId, alert }: RunAlert) => {
    const action = runId ? 'Show Charts' : undefined;
    const choice = await vscode.window.showWarningMessage(`ML alert: ${alert.message}`, ...(action ? [action] : []));
    if (choice === action && runId) await showCharts(runId);
  };
  const disposable = vscode.Disposable.from(
    controller.onDidChange(update),
    controller.onDidFireAlert((fired) => {
      update();
      void notify(fired);
    }),
    item,
  );
  update();
  return { visibleText: () => (visible ? item.text : undefined), dispose: () => disposable.dispose() };
}

function alertTooltip(alerts: readonly RunAlert[]): vscode.MarkdownString {
  const tooltip = new vscode.MarkdownString(undefined, true);
  // Alert messages carry metric names from the user's files: appended as text, never as Markdown.
  tooltip.appendMarkdown('**ML alerts** (click to show the charts)\n\n');
  for (const { alert } of alerts) tooltip.appendText(`⚠ ${alert.message}\n`);
  return tooltip;
}
