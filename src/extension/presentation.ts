/**
 * How stage states and runs read in the tree, CodeLens, hover and status bar: pure functions, so
 * they are unit-tested without VS Code. Icons are codicon names (rendered with ThemeIcon).
 */
import type { RunStatus, RunSummary } from '../engine/runs/model';
import { formatDuration, formatMetricValue } from '../protocol/formatRunValues';

/**
 * The states `mlc status` reports, plus `queued` (its Slurm job waits in the queue), `failed` (the
 * stage's last run failed) and `unknown` (not computed yet).
 */
export type StageState =
  'up-to-date' | 'changed' | 'never-run' | 'frozen' | 'queued' | 'running' | 'failed' | 'unknown';

export interface StatePresentation {
  readonly label: string;
  readonly icon: string;
  /** A theme colour id, or undefined for the default foreground. */
  readonly color?: string;
}

const STATE_PRESENTATION: Readonly<Record<StageState, StatePresentation>> = {
  'up-to-date': { label: 'up to date', icon: 'pass-filled', color: 'testing.iconPassed' },
  changed: { label: 'changed', icon: 'diff-modified', color: 'list.warningForeground' },
  'never-run': { label: 'never run', icon: 'circle-large-outline' },
  frozen: { label: 'frozen', icon: 'lock' },
  queued: { label: 'queued', icon: 'clock', color: 'charts.orange' },
  running: { label: 'running', icon: 'sync~spin', color: 'progressBar.background' },
  failed: { label: 'failed', icon: 'error', color: 'testing.iconFailed' },
  unknown: { label: 'checking…', icon: 'loading~spin' },
};

export function presentState(state: StageState): StatePresentation {
  return STATE_PRESENTATION[state];
}

/** What a stage of a run in flight is doing: its Slurm job waits (with Slurm's reason) or it runs. */
export type LiveStage = { readonly state: 'queued'; readonly reason: string } | { readonly state: 'running' };

/**
 * The state the Pipelines view shows for a stage: a stage of a run in flight is `queued` or
 * `running` (the queued one with its pending reason first among the reasons, for the tooltip);
 * otherwise `failed` when its last run failed and it is not up to date since, else the computed one.
 */
export function shownStageState(
  computed: StageState,
  live: LiveStage | undefined,
  lastRunFailed: boolean,
  reasons: readonly string[],
): { readonly state: StageState; readonly reasons: readonly string[] } {
  if (live?.state === 'queued')
    return { state: 'queued', reasons: [`waiting in the Slurm queue: ${live.reason}`, ...reasons] };
  if (live) return { state: 'running', reasons };
  return { state: lastRunFailed && computed !== 'frozen' ? 'failed' : computed, reasons };
}

const RUN_STATUS_PRESENTATION: Readonly<Record<RunStatus, StatePresentation>> = {
  queued: { label: 'queued', icon: 'clock' },
  running: { label: 'running', icon: 'sync~spin', color: 'progressBar.background' },
  succeeded: { label: 'succeeded', icon: 'pass-filled', color: 'testing.iconPassed' },
  failed: { label: 'failed', icon: 'error', color: 'testing.iconFailed' },
  cancelled: { label: 'cancelled', icon: 'circle-slash' },
  interrupted: { label: 'interrupted', icon: 'debug-disconnect', color: 'list.warningForeground' },
};

export function presentRunStatus(status: RunStatus): StatePresentation {
  return RUN_STATUS_PRESENTATION[status];
}

export { formatDuration, formatMetricValue };

/**
 * Text from a run or a pipeline (a run name like `<img src=x onerror=...>`, a reason) for a
 * MarkdownString: Markdown characters are backslash-escaped and HTML ones written as entities, so
 * it shows as written.
 */
export function escapeMarkdown(text: string): string {
  // Angle brackets and ampersands as entities: VS Code turns tooltips into plain text for screen
  // readers by dropping backslash escapes, which would bring a backslash-escaped tag back.
  return text
    .replace(/[\\`*_{}[\]()#+\-.!|~]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/**
 * A name from a run or a pipeline for a tree row's label, without bidirectional formatting
 * characters (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI): a tree row is one line of text, and an
 * unclosed right-to-left override in a label (`\u202Egnp.exe`) reversed the row's description
 * after it. Panels show the exact name (each cell is a paragraph of its own).
 */
export function withoutBidiControls(text: string): string {
  return text.replace(/[\u202A-\u202E\u2066-\u2069]/g, '');
}

/**
 * The metrics worth showing first: well-known names (accuracy, loss, f1, auc, ...) before the
 * rest, each group alphabetical, at most `limit`.
 */
export function keyMetrics(metrics: Readonly<Record<string, number>>, limit: number): Array<[string, number]> {
  const preferred = [
    'accuracy',
    'acc',
    'val_accuracy',
    'f1',
    'auc',
    'roc_auc',
    'precision',
    'recall',
    'loss',
    'val_loss',
  ];
  const rank = (name: string) => {
    const leaf = name.split(/[./]/).at(-1) ?? name;
    const index = preferred.indexOf(leaf.toLowerCase());
    return index === -1 ? preferred.length : index;
  };
  return Object.entries(metrics)
    .sort(([left], [right]) => rank(left) - rank(right) || left.localeCompare(right))
    .slice(0, limit);
}

export function formatKeyMetrics(metrics: Readonly<Record<string, number>>, limit: number): string {
  return keyMetrics(metrics, limit)
    .map(([name, value]) => `${name} ${formatMetricValue(value)}`)
    .join(' · ');
}

export function runDurationMs(
  run: Pick<RunSummary, 'startedAt' | 'endedAt' | 'status'>,
  now: number,
): number | undefined {
  if (run.startedAt === undefined) return undefined;
  const end = run.endedAt ?? (run.status === 'running' || run.status === 'queued' ? now : undefined);
  return end === undefined ? undefined : Math.max(0, end - run.startedAt);
}

/** One line under a run in the Runs view: `succeeded · 12.3 s · accuracy 0.91 · loss 0.21`. */
export function describeRun(run: RunSummary, now: number, metricLimit: number): string {
  const duration = runDurationMs(run, now);
  const parts = [
    presentRunStatus(run.status).label,
    duration === undefined ? '' : formatDuration(duration),
    formatKeyMetrics(run.metrics, metricLimit),
  ];
  return parts.filter((part) => part !== '').join(' · ');
}
