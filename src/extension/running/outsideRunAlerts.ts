/**
 * Alerts of runs started outside this window (`mlc run` in a terminal, a run that came with a
 * teammate's pull), found in the run index as it reloads. No `vscode` import: unit-tested as is.
 */
import type { RunSummary } from '../../engine/runs/model';

export interface OutsideRunAlert {
  readonly runId: string;
  readonly message: string;
}

/** Per run id, how many of its alerts were already seen (alerts are only ever appended to a run). */
export type SeenAlertCounts = ReadonlyMap<string, number>;

/**
 * The alerts of `runs` not seen before, once each, and the counts to pass next time. A run seen
 * before gets a notification for each alert beyond those seen (also when it has ended since); a run
 * seen for the first time only while it is still running (one that is history already, or was
 * started from this window, whose alerts the run controller reports, only sets its count).
 */
export function newOutsideRunAlerts(
  runs: readonly RunSummary[],
  seen: SeenAlertCounts,
  ownRunIds: ReadonlySet<string>,
): { readonly fresh: OutsideRunAlert[]; readonly seen: Map<string, number> } {
  const fresh: OutsideRunAlert[] = [];
  const next = new Map<string, number>();
  for (const run of runs) {
    const alerts = run.alerts ?? [];
    const seenBefore = seen.get(run.id);
    const alreadySeen = ownRunIds.has(run.id)
      ? alerts.length
      : (seenBefore ?? (run.status === 'running' ? 0 : alerts.length));
    for (const alert of alerts.slice(alreadySeen)) fresh.push({ runId: run.id, message: alert.message });
    next.set(run.id, Math.max(alreadySeen, alerts.length));
  }
  return { fresh, seen: next };
}

/** The alerts the status bar counts: those of runs from outside this window that are still running. */
export function runningOutsideRunAlerts(
  runs: readonly RunSummary[],
  ownRunIds: ReadonlySet<string>,
): OutsideRunAlert[] {
  return runs
    .filter((run) => run.status === 'running' && !ownRunIds.has(run.id))
    .flatMap((run) => (run.alerts ?? []).map((alert) => ({ runId: run.id, message: alert.message })));
}
