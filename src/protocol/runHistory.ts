/**
 * Run History panel (`mlc.showRuns`): every run of every source in one table.
 * Host -> panel: a full snapshot on `ready` and whenever the panel becomes visible, then
 * `runsChanged` deltas that carry the revision they apply to (a panel that missed one asks for a
 * snapshot with `ready`).
 */
import { type PanelCommonAction, panelCommonValidators } from './panelCommon';
import type { RunRow } from './runRow';
import {
  isOneOf,
  isText,
  isTextList,
  isTextTable,
  type MessageRecord,
  type MessageValidators,
} from './validateMessage';

export const RUN_HISTORY_VIEW_TYPE = 'mlc.runHistory';

export interface RunHistorySnapshot {
  readonly revision: number;
  /** Newest first. */
  readonly runs: readonly RunRow[];
  /** Epoch ms when the snapshot was taken (durations of running runs count from it). */
  readonly now: number;
  /** False in Restricted Mode: the panel hides what would change files. */
  readonly trusted: boolean;
}

export type RunHistoryUpdate =
  | { readonly type: 'snapshotted'; readonly snapshot: RunHistorySnapshot }
  | {
      readonly type: 'runsChanged';
      /** The revision this delta produces; it applies to `revision - 1`. */
      readonly revision: number;
      readonly now: number;
      /** New or changed runs (new ones go to the top). */
      readonly upserted: readonly RunRow[];
      readonly removed: readonly string[];
    };

export type ExportFormat = 'csv' | 'markdown';

export type RunHistoryAction =
  | PanelCommonAction
  | { readonly type: 'openRun'; readonly runId: string }
  | { readonly type: 'compareRuns'; readonly runIds: readonly string[] }
  | { readonly type: 'showCharts'; readonly runIds: readonly string[] }
  | { readonly type: 'copyIds'; readonly runIds: readonly string[] }
  | { readonly type: 'setStarred'; readonly runId: string; readonly starred: boolean }
  | { readonly type: 'editNote'; readonly runId: string }
  | { readonly type: 'editTags'; readonly runId: string }
  | { readonly type: 'deleteRun'; readonly runId: string }
  /** The visible rows and columns, already as text, in the order shown. */
  | {
      readonly type: 'exportTable';
      readonly format: ExportFormat;
      readonly header: readonly string[];
      readonly rows: readonly (readonly string[])[];
    };

const isRunId = (value: unknown) => isText(value, 4096) && value.length > 0;
const isRunIds = (value: unknown) => isTextList(value, 100_000, 4096) && value.length > 0;
const hasRunId = (message: MessageRecord) => isRunId(message.runId);
const hasRunIds = (message: MessageRecord) => isRunIds(message.runIds);

export const runHistoryActionValidators: MessageValidators<RunHistoryAction> = {
  ...panelCommonValidators,
  openRun: hasRunId,
  compareRuns: hasRunIds,
  showCharts: hasRunIds,
  copyIds: hasRunIds,
  setStarred: (message) => hasRunId(message) && typeof message.starred === 'boolean',
  editNote: hasRunId,
  editTags: hasRunId,
  deleteRun: hasRunId,
  exportTable: (message) =>
    isOneOf(message.format, ['csv', 'markdown'] as const) &&
    isTextList(message.header, 20_000) &&
    isTextTable(message.rows),
};
