import * as vscode from 'vscode';
import { CommandId } from '../ids';
import type { RunController } from './runController';

/**
 * `$(sync~spin) mlc: train 2/3` while a run is in flight (stage running now, stages finished of
 * those planned); hidden when nothing runs. Clicking it stops the run.
 */
export interface RunStatusBar extends vscode.Disposable {
  /** The text shown, or undefined while hidden. */
  visibleText(): string | undefined;
}

export function createRunStatusBar(controller: RunController): RunStatusBar {
  let visible = false;
  const item = vscode.window.createStatusBarItem('mlc.run', vscode.StatusBarAlignment.Left, 50);
  item.name = 'ML run progress';
  item.command = CommandId.stopRun;
  const update = () => {
    const runs = controller.activeRuns();
    visible = runs.length > 0;
    if (!visible) {
      item.hide();
      return;
    }
    const stages = runs.flatMap((run) => run.runningStages);
    const planned = runs.reduce((sum, run) => sum + run.planned.length, 0);
    const finished = runs.reduce((sum, run) => sum + run.finished, 0);
    const current = stages.length === 0 ? 'starting' : stages.length === 1 ? stages[0] : `${stages.length} stages`;
    const progress = planned > 0 ? ` ${Math.min(finished + stages.length, planned)}/${planned}` : '';
    item.text = `$(sync~spin) mlc: ${current}${progress}`;
    item.tooltip = `Running ${stages.join(', ') || 'pipeline'} — ${finished} of ${planned || '?'} stages done. Click to stop.`;
    item.show();
  };
  const subscription = controller.onDidChange(update);
  update();
  const disposable = vscode.Disposable.from(subscription, item);
  return { visibleText: () => (visible ? item.text : undefined), dispose: () => disposable.dispose() };
}
