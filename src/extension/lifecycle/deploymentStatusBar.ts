import * as vscode from 'vscode';
import { CommandId } from '../ids';
import type { LifecycleController } from './lifecycleController';
import { deploymentStatusBar } from './lifecycleViewModels';

export interface DeploymentStatusBar extends vscode.Disposable {
  /** The text shown and whether it is red, or undefined while hidden. */
  visibleState(): { readonly text: string; readonly alarm: boolean } | undefined;
}

/**
 * `$(pulse) local v2` while deployments serve; red (statusBarItem.errorBackground) when one is
 * down or its last deploy failed. Hidden until a target was deployed. Opens the Deploy panel.
 */
export function createDeploymentStatusBar(lifecycle: LifecycleController): DeploymentStatusBar {
  const item = vscode.window.createStatusBarItem('mlc.deployments', vscode.StatusBarAlignment.Left, 49);
  item.name = 'ML deployments';
  item.command = CommandId.showDeployPanel;
  let shown: { text: string; alarm: boolean } | undefined;
  const update = () => {
    const model = deploymentStatusBar(
      lifecycle.targets().map((entry) => ({ overview: entry.overview, summary: lifecycle.summary(entry) })),
    );
    shown = model ? { text: model.text, alarm: model.alarm } : undefined;
    if (!model) {
      item.hide();
      return;
    }
    item.text = model.text;
    item.tooltip = `${model.tooltip}\nClick to open the Deploy panel.`;
    item.backgroundColor = model.alarm ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    item.show();
  };
  const subscription = lifecycle.onDidChange(update);
  update();
  const disposable = vscode.Disposable.from(subscription, item);
  return { visibleState: () => shown, dispose: () => disposable.dispose() };
}
