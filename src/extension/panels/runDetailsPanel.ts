import * as vscode from 'vscode';
import type { Logger } from '../../engine/ports';
import type { MessageHandlers } from '../../protocol/messageHandlers';
import type { PanelCommonAction } from '../../protocol/panelCommon';
import {
  RUN_DETAILS_VIEW_TYPE,
  type RunDetailsAction,
  runDetailsActionValidators,
  type RunDetailsSnapshot,
  type RunDetailsUpdate,
} from '../../protocol/runDetails';
import { createWebviewPanel, PanelHost } from './panelHost';
import type { RunPanelActions } from './runPanelActions';
import type { RunPanelSource } from './runPanelSource';

export interface RunDetailsDependencies {
  readonly extensionUri: vscode.Uri;
  readonly source: RunPanelSource;
  readonly actions: RunPanelActions;
  readonly logger: Logger;
}

/** The id a restored Run Details panel shows, from the state its page saved (or undefined). */
export function runIdOfSavedState(state: unknown): string | undefined {
  const runId = (state as { runId?: unknown } | undefined)?.runId;
  return typeof runId === 'string' && runId !== '' ? runId : undefined;
}

/** One run in full (replaces the old Markdown document): one panel per run, reused when reopened. */
export class RunDetailsPanel implements vscode.Disposable {
  /** The webview panel and its page (reveal, dispose, onDidDispose). */
  readonly host: PanelHost<RunDetailsUpdate, RunDetailsAction>;
  /** Paths the last snapshot showed: the only ones `openFile`/`revealFolder` may open. */
  private openablePaths = new Set<string>();

  static create(runId: string, dependencies: RunDetailsDependencies): RunDetailsPanel {
    const panel = createWebviewPanel(RUN_DETAILS_VIEW_TYPE, `Run ${runId}`, dependencies.extensionUri);
    return new RunDetailsPanel(panel, runId, dependencies);
  }

  constructor(
    panel: vscode.WebviewPanel,
    readonly runId: string,
    private readonly dependencies: RunDetailsDependencies,
  ) {
    this.host = new PanelHost<RunDetailsUpdate, RunDetailsAction>({
      panel,
      extensionUri: dependencies.extensionUri,
      bundle: 'runDetails',
      validators: runDetailsActionValidators,
      handlers: this.handlers(),
      snapshot: async () => ({ type: 'snapshotted', snapshot: await this.snapshot() }),
      logger: dependencies.logger,
    });
  }

  /** Runs changed: a fresh snapshot (a live run's stages and log move on). */
  runsDidChange(): void {
    this.host.refresh();
  }

  private async snapshot(): Promise<RunDetailsSnapshot> {
    const { listed, details } = await this.dependencies.source.runDetails(this.runId);
    if (listed) this.host.panel.title = `Run ${listed.run.name}`;
    const stages = (details?.stages ?? []).map((stage) => ({
      address: stage.address,
      status: stage.status,
      startedAt: stage.startedAt ?? null,
      endedAt: stage.endedAt ?? null,
      durationMs: stage.durationMs ?? null,
      exitCode: stage.exitCode ?? null,
      detail: stage.detail ?? null,
      where: stage.where ?? null,
      outs: stage.outs,
      deps: stage.deps,
      logFile: stage.logFile,
    }));
    const logs = details?.logs ?? [];
    this.openablePaths = new Set([
      ...(listed ? [listed.run.location] : []),
      ...stages.map((stage) => stage.logFile),
      ...logs.map((log) => log.file),
    ]);
    return {
      runId: this.runId,
      run: listed ? listed.row : null,
      now: Date.now(),
      trusted: vscode.workspace.isTrusted,
      reason: details?.reason ?? null,
      targets: details?.targets ?? [],
      runner: details?.runner ?? null,
      stages,
      logs,
      problems: details?.problems ?? [],
    };
  }

  private handlers(): MessageHandlers<Exclude<RunDetailsAction, PanelCommonAction>> {
    const { actions, logger } = this.dependencies;
    const isOpenable = (path: string) => {
      if (this.openablePaths.has(path)) return true;
      logger.warn('A panel asked to open a path it was not shown', { path });
      return false;
    };
    return {
      openFile: async (message) => {
        if (!isOpenable(message.path)) return;
        const uri = vscode.Uri.file(message.path);
        const stat = await vscode.workspace.fs.stat(uri).then(
          (found) => found,
          () => undefined,
        );
        if (stat?.type === vscode.FileType.Directory) await vscode.commands.executeCommand('revealInExplorer', uri);
        else await vscode.window.showTextDocument(uri, { preview: true });
      },
      revealFolder: async (message) => {
        if (!isOpenable(message.path)) return;
        await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(message.path));
      },
      rerun: () => void actions.rerun(this.runId),
      compare: () => void actions.compareRuns([this.runId]),
      showCharts: () => void actions.showCharts([this.runId]),
    };
  }

  dispose(): void {
    this.host.panel.dispose();
  }
}
