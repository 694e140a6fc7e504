/**
 * Compare panel (`mlc.compareRuns`): 2..N runs side by side. The host computes the table with the
 * same engine function `mlc compare` prints (so the CLI and the panel agree), and recomputes it
 * when the user picks another baseline.
 */
import { type PanelCommonAction, panelCommonValidators } from './panelCommon';
import type { RunRow } from './runRow';
import { isText, isTextList, type MessageValidators } from './validateMessage';

export const COMPARE_VIEW_TYPE = 'mlc.compare';

export interface CompareCell {
  /** The value as text (`—` when the run lacks it). */
  readonly text: string;
  /** The number when the value is numeric (for deltas and parallel coordinates). */
  readonly value: number | null;
  /** Against the baseline run's value; null when either is not a number or this is the baseline. */
  readonly delta: number | null;
  readonly deltaPercent: number | null;
}

export interface CompareRow {
  readonly kind: 'param' | 'metric';
  readonly name: string;
  /** One cell per run, in the order of `runs`. */
  readonly cells: readonly CompareCell[];
  readonly differs: boolean;
}

export interface CompareSnapshot {
  readonly runs: readonly RunRow[];
  /** Ids that were asked for but are not (or no longer) in the run index. */
  readonly missing: readonly string[];
  readonly baselineId: string;
  readonly rows: readonly CompareRow[];
  /** Files changed between the baseline's and each other mlc run's git commits, when both are known. */
  readonly gitChanges: readonly CompareGitChange[];
}

export interface CompareGitChange {
  readonly from: string;
  /** Equal to `from` when the runs share a commit (then `files` is empty). */
  readonly to: string;
  readonly files: readonly string[];
  /** A run had uncommitted changes: a commit diff does not show them. */
  readonly dirty: boolean;
}

export type CompareUpdate = { readonly type: 'snapshotted'; readonly snapshot: CompareSnapshot };

export type CompareAction =
  | PanelCommonAction
  | { readonly type: 'setBaseline'; readonly runId: string }
  | { readonly type: 'openRun'; readonly runId: string };

/** The webview state a Compare panel keeps, so a restored panel knows its runs. */
export interface ComparePersistedState {
  readonly runIds: readonly string[];
  readonly baselineId: string;
}

export const compareActionValidators: MessageValidators<CompareAction> = {
  ...panelCommonValidators,
  setBaseline: (message) => isText(message.runId, 4096) && message.runId.length > 0,
  openRun: (message) => isText(message.runId, 4096) && message.runId.length > 0,
};

export const isComparePersistedState = (value: unknown): value is ComparePersistedState =>
  typeof value === 'object' &&
  value !== null &&
  isTextList((value as Record<string, unknown>).runIds, 1000, 4096) &&
  isText((value as Record<string, unknown>).baselineId, 4096);
