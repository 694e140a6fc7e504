import * as vscode from 'vscode';
import { CommandId } from '../ids';
import { formatDuration, presentState } from '../presentation';
import type { WorkspaceState } from '../state/workspaceState';

/**
 * `▶ Run stage · $(state) up to date · Charts · last run 12.3 s` over each stage of an open
 * pipeline file (`Charts` on stages that declare metrics or plots).
 */
export class StageCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly state: WorkspaceState) {
    this.subscription = state.onDidChangePipelines(() => this.changed.fire());
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    return this.state.stagesOfFile(document.uri.fsPath).flatMap((info) => {
      const { stage, address } = info.entry;
      const line = Math.min(Math.max(stage.position.line - 1, 0), document.lineCount - 1);
      const range = document.lineAt(line).range;
      // Expanded foreach/matrix stages share their group's line: name them so each lens is clear.
      const runTitle = stage.group ? `▶ Run ${stage.name}` : '▶ Run stage';
      const presentation = presentState(info.state);
      const lenses = [
        new vscode.CodeLens(range, { command: CommandId.runStage, title: runTitle, arguments: [address] }),
        new vscode.CodeLens(range, {
          command: CommandId.openStage,
          title: `$(${presentation.icon}) ${presentation.label}`,
          tooltip: info.reasons.join('\n') || presentation.label,
          arguments: [address],
        }),
      ];
      if (stage.outs.some((output) => output.kind === 'metric' || output.kind === 'plot')) {
        // The stage's last run, else the newest run (the panel opens either way, beside this file).
        lenses.push(
          new vscode.CodeLens(range, {
            command: CommandId.showMetrics,
            title: '$(graph-line) Charts',
            tooltip: info.lastRun ? `Metric charts of run ${info.lastRun.runId}` : 'Metric charts of the newest run',
            arguments: [info.lastRun ? [info.lastRun.runId] : []],
          }),
        );
      }
      const duration = info.lastRun?.durationMs;
      if (duration !== undefined && info.lastRun) {
        lenses.push(
          new vscode.CodeLens(range, {
            command: CommandId.showRun,
            title: `last run ${formatDuration(duration)}`,
            tooltip: `Run ${info.lastRun.runId}: ${info.lastRun.status}`,
            arguments: [info.lastRun.runId],
          }),
        );
      }
      return lenses;
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
