import * as vscode from 'vscode';
import type { RunSummary } from '../../engine/runs/model';
import { CommandId, TreeItemContext } from '../ids';
import { describeRun, escapeMarkdown, formatKeyMetrics, presentRunStatus, withoutBidiControls } from '../presentation';
import { readSettings } from '../settings';
import type { WorkspaceState } from '../state/workspaceState';

/** Runs view: runs of every source, newest first; selecting one opens its details. */
export class RunsTreeProvider implements vscode.TreeDataProvider<RunSummary>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunSummary | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly state: WorkspaceState) {
    this.subscription = state.onDidChangeRuns(() => this.changed.fire(undefined));
  }

  getChildren(element?: RunSummary): RunSummary[] {
    if (element) return [];
    return this.state.runs().slice(0, readSettings().maxRuns);
  }

  getTreeItem(run: RunSummary): vscode.TreeItem {
    const keyMetricCount = readSettings().keyMetrics;
    const item = new vscode.TreeItem(withoutBidiControls(run.name) || run.id, vscode.TreeItemCollapsibleState.None);
    item.id = `run:${run.id}`;
    const presentation = presentRunStatus(run.status);
    item.iconPath = new vscode.ThemeIcon(
      presentation.icon,
      presentation.color ? new vscode.ThemeColor(presentation.color) : undefined,
    );
    const alertMarker = run.alerts ? `⚠ ${run.alerts.length} alert${run.alerts.length === 1 ? '' : 's'} · ` : '';
    item.description = alertMarker + describeRun(run, Date.now(), keyMetricCount);
    const tooltip = new vscode.MarkdownString(undefined, true);
    // The name comes from another tool's files: escaped, so `<img onerror=…>` stays text.
    tooltip.appendMarkdown(`**${escapeMarkdown(run.name)}** (${run.source}) — ${presentation.label}\n\n`);
    tooltip.appendText(run.id);
    const metrics = formatKeyMetrics(run.metrics, 8);
    if (metrics) tooltip.appendText(`\n\n${metrics}`);
    if (run.startedAt !== undefined) tooltip.appendText(`\n\nstarted ${new Date(run.startedAt).toLocaleString()}`);
    for (const alert of run.alerts ?? []) tooltip.appendText(`\n\n⚠ alert: ${alert.message}`);
    item.tooltip = tooltip;
    // A queued run is in flight too: it can be stopped (its job cancelled) like a running one.
    item.contextValue =
      run.status === 'running' || run.status === 'queued' ? TreeItemContext.runRunning : TreeItemContext.run;
    item.command = { command: CommandId.showRun, title: 'Show Run Details', arguments: [run.id] };
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
