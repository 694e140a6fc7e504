import * as vscode from 'vscode';
import type { TreeRow } from '../lifecycle/lifecycleViewModels';

/** A tree item from a pure row of the Models or Deployments view; the tooltip is plain text. */
export function lifecycleTreeItem(row: TreeRow, collapsible: vscode.TreeItemCollapsibleState): vscode.TreeItem {
  const item = new vscode.TreeItem(row.label, collapsible);
  item.id = row.id;
  item.description = row.description;
  item.tooltip = row.tooltip;
  item.iconPath = new vscode.ThemeIcon(row.icon, row.color ? new vscode.ThemeColor(row.color) : undefined);
  item.contextValue = row.contextValue;
  return item;
}
