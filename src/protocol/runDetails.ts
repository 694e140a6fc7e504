/**
 * Run Details panel (opened from a Run History row, the Runs view or a CodeLens): one run in full.
 * The host answers `ready` (and each return to visibility) with a snapshot, and sends it again
 * when the run changes while it is open.
 */
import { type PanelCommonAction, panelCommonValidators } from './panelCommon';
import type { RunRow } from './runRow';
import { isText, type MessageValidators } from './validateMessage';

export const RUN_DETAILS_VIEW_TYPE = 'mlc.runDetails';

export interface RunDetailsStage {
  readonly address: string;
  readonly status: string;
  readonly startedAt: number | null;
  readonly endedAt: number | null;
  readonly durationMs: number | null;
  readonly exitCode: number | null;
  /** Why it failed or was skipped, as the run record says it. */
  readonly detail: string | null;
  /** Where it ran when not on this machine: runner, host, Slurm job id, a queued job's reason. */
  readonly where: string | null;
  /** Workspace-relative path -> hash, as recorded after the stage succeeded. */
  readonly outs: Readonly<Record<string, string>>;
  readonly deps: Readonly<Record<string, string>>;
  /** Absolute path of the stage's log file. */
  readonly logFile: string;
}

export interface RunDetailsLog {
  readonly file: string;
  /** The last lines of the log (at most a few hundred). */
  readonly lines: readonly string[];
  readonly truncated: boolean;
}

export interface RunDetailsProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly severity: string;
  readonly code: string;
  readonly message: string;
}

export interface RunDetailsSnapshot {
  readonly runId: string;
  /** Undefined when no run has this id any more (deleted, or its files moved). */
  readonly run: RunRow | null;
  readonly now: number;
  readonly trusted: boolean;
  /** Why the run ended as it did (the record's message), when known. */
  readonly reason: string | null;
  readonly targets: readonly string[];
  readonly runner: string | null;
  readonly stages: readonly RunDetailsStage[];
  readonly logs: readonly RunDetailsLog[];
  readonly problems: readonly RunDetailsProblem[];
}

export type RunDetailsUpdate = { readonly type: 'snapshotted'; readonly snapshot: RunDetailsSnapshot };

export type RunDetailsAction =
  | PanelCommonAction
  | { readonly type: 'openFile'; readonly path: string }
  | { readonly type: 'revealFolder'; readonly path: string }
  | { readonly type: 'rerun' }
  | { readonly type: 'compare' }
  | { readonly type: 'showCharts' };

/** The webview state a Run Details panel keeps, so a restored panel knows its run. */
export interface RunDetailsPersistedState {
  readonly runId: string;
}

export const runDetailsActionValidators: MessageValidators<RunDetailsAction> = {
  ...panelCommonValidators,
  openFile: (message) => isText(message.path, 4096) && message.path.length > 0,
  revealFolder: (message) => isText(message.path, 4096) && message.path.length > 0,
  rerun: () => true,
  compare: () => true,
  showCharts: () => true,
};
