import * as vscode from 'vscode';
import type { LifecycleController, TargetEntry } from '../lifecycle/lifecycleController';
import { CommandId } from '../ids';
import { deploymentRow } from '../lifecycle/lifecycleViewModels';
import { lifecycleTreeItem } from './lifecycleTreeItem';

/** Deployments view: each deploy target with its version, health, latency p50/p95 and error rate. */
export class DeploymentsTreeProvider implements vscode.TreeDataProvider<TargetEntry>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TargetEntry | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly lifecycle: LifecycleController) {
    this.subscription = lifecycle.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(element?: TargetEntry): TargetEntry[] {
    return element ? [] : [...this.lifecycle.targets()];
  }

  getTreeItem(entry: TargetEntry): vscode.TreeItem {
    const row = deploymentRow(entry.overview, this.lifecycle.summary(entry));
    const busy = this.lifecycle.busyTarget === entry.overview.target.name;
    const item = lifecycleTreeItem(
      busy ? { ...row, description: `${row.description} · switching…`, icon: 'sync~spin' } : row,
      vscode.TreeItemCollapsibleState.None,
    );
    item.command = { command: CommandId.showDeployPanel, title: 'Show Deploy Panel', arguments: [] };
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
