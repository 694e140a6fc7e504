import type * as vscode from 'vscode';
import type { Logger } from '../../engine/ports';
import { compareRuns } from '../../engine/runs/compareRuns';
import {
  COMPARE_VIEW_TYPE,
  type CompareAction,
  type CompareGitChange,
  compareActionValidators,
  type CompareSnapshot,
  type CompareUpdate,
} from '../../protocol/compare';
import type { MessageHandlers } from '../../protocol/messageHandlers';
import type { PanelCommonAction } from '../../protocol/panelCommon';
import type { EngineServices } from '../engineServices';
import { gitComparisons } from './gitComparisons';
import { createWebviewPanel, PanelHost } from './panelHost';
import type { RunPanelActions } from './runPanelActions';
import type { ListedRun, RunPanelSource } from './runPanelSource';

export interface CompareDependencies {
  readonly extensionUri: vscode.Uri;
  readonly engine: EngineServices;
  readonly source: RunPanelSource;
  readonly actions: RunPanelActions;
  readonly logger: Logger;
}

/**
 * Runs side by side. The table comes from the engine's compareRuns, the one `mlc compare` prints;
 * choosing another baseline recomputes it here. One Compare panel per window, given new runs when
 * Compare is asked for again.
 */
export class ComparePanel implements vscode.Disposable {
  /** The webview panel and its page (reveal, dispose, onDidDispose). */
  readonly host: PanelHost<CompareUpdate, CompareAction>;

  static create(runIds: readonly string[], dependencies: CompareDependencies): ComparePanel {
    const panel = createWebviewPanel(COMPARE_VIEW_TYPE, 'Compare Runs', dependencies.extensionUri);
    return new ComparePanel(panel, runIds, runIds[0] ?? '', dependencies);
  }

  constructor(
    panel: vscode.WebviewPanel,
    private runIds: readonly string[],
    private baselineId: string,
    private readonly dependencies: CompareDependencies,
  ) {
    this.host = new PanelHost<CompareUpdate, CompareAction>({
      panel,
      extensionUri: dependencies.extensionUri,
      bundle: 'compare',
      validators: compareActionValidators,
      handlers: this.handlers(),
      snapshot: async () => ({ type: 'snapshotted', snapshot: await this.snapshot() }),
      logger: dependencies.logger,
    });
  }

  show(runIds: readonly string[]): void {
    this.runIds = runIds;
    this.baselineId = runIds[0] ?? '';
    this.host.panel.reveal();
    this.host.refresh();
  }

  runsDidChange(): void {
    this.host.refresh();
  }

  private async snapshot(): Promise<CompareSnapshot> {
    const { source, engine } = this.dependencies;
    const found: ListedRun[] = [];
    const missing: string[] = [];
    for (const runId of this.runIds) {
      const listed = await source.find(runId);
      if (listed) found.push(listed);
      else missing.push(runId);
    }
    const comparison = compareRuns(
      found.map((entry) => entry.run),
      this.baselineId,
    );
    const baseline = found[comparison.baselineIndex];
    const gitChanges: CompareGitChange[] = [];
    for (const comparison of gitComparisons(baseline, found)) {
      // The same commit: nothing changed between them (git need not be asked).
      const files =
        comparison.from === comparison.to
          ? []
          : await engine.changedFiles(baseline!.root, comparison.from, comparison.to);
      if (files) gitChanges.push({ from: comparison.from, to: comparison.to, files, dirty: comparison.dirty });
    }
    return {
      runs: found.map((entry) => entry.row),
      missing,
      baselineId: baseline?.run.id ?? '',
      rows: comparison.rows,
      gitChanges,
    };
  }

  private handlers(): MessageHandlers<Exclude<CompareAction, PanelCommonAction>> {
    return {
      setBaseline: (message) => {
        if (!this.runIds.includes(message.runId)) return;
        this.baselineId = message.runId;
        this.host.refresh();
      },
      openRun: (message) => void this.dependencies.actions.openRun(message.runId),
    };
  }

  dispose(): void {
    this.host.panel.dispose();
  }
}
