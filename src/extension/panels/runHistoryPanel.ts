import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { Logger } from '../../engine/ports';
import { formatCsv, formatMarkdownTable } from '../../engine/runs/formatTextTable';
import type { MessageHandlers } from '../../protocol/messageHandlers';
import type { PanelCommonAction } from '../../protocol/panelCommon';
import {
  RUN_HISTORY_VIEW_TYPE,
  type RunHistoryAction,
  runHistoryActionValidators,
  type RunHistoryUpdate,
} from '../../protocol/runHistory';
import type { EngineServices } from '../engineServices';
import { STAY_OPEN } from '../quickInputs';
import { createWebviewPanel, PanelHost } from './panelHost';
import type { RunPanelActions } from './runPanelActions';
import { RESTRICTED_READ_ONLY, type RunPanelSource } from './runPanelSource';
import { diffRunRows } from './runRows';

export const RUN_HISTORY_TITLE = 'Run History';

export interface RunHistoryDependencies {
  readonly extensionUri: vscode.Uri;
  readonly engine: EngineServices;
  readonly source: RunPanelSource;
  readonly actions: RunPanelActions;
  readonly logger: Logger;
}

/**
 * The Run History panel's host: a full snapshot on `ready` and on visibility, then `runsChanged`
 * deltas (only new and changed rows) while it is visible. One panel per window.
 */
export class RunHistoryPanel implements vscode.Disposable {
  /** The webview panel and its page (reveal, dispose, onDidDispose). */
  readonly host: PanelHost<RunHistoryUpdate, RunHistoryAction>;
  private revision = 0;
  /** id -> JSON of each row the page holds, to compute deltas. */
  private sent = new Map<string, string>();
  private refreshing: Promise<void> = Promise.resolve();

  static create(dependencies: RunHistoryDependencies): RunHistoryPanel {
    const panel = createWebviewPanel(RUN_HISTORY_VIEW_TYPE, RUN_HISTORY_TITLE, dependencies.extensionUri);
    return new RunHistoryPanel(panel, dependencies);
  }

  constructor(
    panel: vscode.WebviewPanel,
    private readonly dependencies: RunHistoryDependencies,
  ) {
    this.host = new PanelHost<RunHistoryUpdate, RunHistoryAction>({
      panel,
      extensionUri: dependencies.extensionUri,
      bundle: 'runHistory',
      validators: runHistoryActionValidators,
      handlers: this.handlers(),
      snapshot: () => this.snapshot(),
      logger: dependencies.logger,
    });
  }

  /** The run list changed: a delta now if the page can receive it, else a snapshot when visible. */
  runsDidChange(): Promise<void> {
    this.refreshing = this.refreshing.then(async () => {
      if (!this.host.canReceive) {
        this.host.refresh();
        return;
      }
      const listed = await this.dependencies.source.listRuns();
      const delta = diffRunRows(
        this.sent,
        listed.map((entry) => entry.row),
      );
      if (delta.upserted.length === 0 && delta.removed.length === 0) return;
      this.sent = delta.sent;
      this.revision++;
      this.host.post({
        type: 'runsChanged',
        revision: this.revision,
        now: Date.now(),
        upserted: delta.upserted,
        removed: delta.removed,
      });
    });
    return this.refreshing;
  }

  private async snapshot(): Promise<RunHistoryUpdate> {
    const listed = await this.dependencies.source.listRuns();
    const rows = listed.map((entry) => entry.row);
    this.sent = diffRunRows(new Map(), rows).sent;
    this.revision++;
    return {
      type: 'snapshotted',
      snapshot: { revision: this.revision, runs: rows, now: Date.now(), trusted: vscode.workspace.isTrusted },
    };
  }

  private handlers(): MessageHandlers<Exclude<RunHistoryAction, PanelCommonAction>> {
    const { source, actions, engine } = this.dependencies;
    return {
      openRun: (message) => void actions.openRun(message.runId),
      compareRuns: (message) => void actions.compareRuns(message.runIds),
      showCharts: (message) => void actions.showCharts(message.runIds),
      copyIds: async (message) => {
        await vscode.env.clipboard.writeText(message.runIds.join('\n'));
        void vscode.window.setStatusBarMessage(`Copied ${message.runIds.length} run id(s)`, 3000);
      },
      setStarred: async (message) => {
        if (await source.annotate(message.runId, { starred: message.starred })) await this.runsDidChange();
      },
      editNote: async (message) => {
        const listed = await source.find(message.runId);
        if (!listed) return;
        const note = await vscode.window.showInputBox({
          title: `Note on ${listed.run.name}`,
          prompt: 'Saved in .mlc/annotations.json, beside mlc’s records. Empty removes the note.',
          value: listed.row.annotation.note,
          ...STAY_OPEN,
        });
        if (note !== undefined && (await source.annotate(message.runId, { note }))) await this.runsDidChange();
      },
      editTags: async (message) => {
        const listed = await source.find(message.runId);
        if (!listed) return;
        const text = await vscode.window.showInputBox({
          title: `Tags of ${listed.run.name}`,
          prompt: 'Comma-separated. Saved in .mlc/annotations.json, never in another tool’s files.',
          value: listed.row.annotation.tags.join(', '),
          ...STAY_OPEN,
        });
        if (text === undefined) return;
        if (await source.annotate(message.runId, { tags: text.split(',') })) await this.runsDidChange();
      },
      deleteRun: async (message) => {
        const listed = await source.find(message.runId);
        if (!listed) return;
        if (listed.run.source !== 'mlc') {
          void vscode.window.showInformationMessage(
            `${listed.run.id} was recorded by ${listed.run.source}: mlc deletes only its own runs.`,
          );
          return;
        }
        if (!vscode.workspace.isTrusted) {
          void vscode.window.showInformationMessage(RESTRICTED_READ_ONLY);
          return;
        }
        const choice = await vscode.window.showWarningMessage(
          `Delete the mlc run ${listed.run.id}?`,
          { modal: true, detail: `This removes ${listed.run.location} and cannot be undone.` },
          'Delete',
        );
        if (choice !== 'Delete') return;
        const outcome = engine.deleteRun(listed.root, listed.run);
        if (!outcome.deleted) {
          void vscode.window.showErrorMessage(`The run was not deleted: ${outcome.reason}`);
          return;
        }
        actions.runsDidChange();
        await this.runsDidChange();
      },
      exportTable: async (message) => {
        const isCsv = message.format === 'csv';
        const root = source.roots()[0];
        const target = await vscode.window.showSaveDialog({
          title: `Export the shown runs as ${isCsv ? 'CSV' : 'Markdown'}`,
          defaultUri: root ? vscode.Uri.file(join(root, isCsv ? 'runs.csv' : 'runs.md')) : undefined,
          filters: isCsv ? { CSV: ['csv'] } : { Markdown: ['md'] },
        });
        if (!target) return;
        const text = isCsv
          ? formatCsv(message.header, message.rows)
          : formatMarkdownTable(message.header, message.rows);
        engine.writeTextFile(target.fsPath, text);
        void vscode.window.setStatusBarMessage(
          `Exported ${message.rows.length} run(s) to ${vscode.workspace.asRelativePath(target)} (${dirname(target.fsPath)})`,
          5000,
        );
      },
    };
  }

  dispose(): void {
    this.host.panel.dispose();
  }
}
