/**
 * Which git commits the Compare panel diffs: the baseline mlc run's commit against each other mlc
 * run of the same workspace folder (once per distinct commit). Runs at the baseline's own commit
 * are a comparison too (no file changed between the commits), so the panel says so instead of
 * showing nothing; and a run recorded with uncommitted changes is flagged, because a commit diff
 * cannot show those. Without `vscode`, so it is unit-tested.
 */
import type { RunSummary } from '../../engine/runs/model';

export interface GitComparison {
  readonly from: string;
  readonly to: string;
  /** The runs at `to` that are compared with the baseline. */
  readonly runIds: readonly string[];
  /** The baseline or one of these runs had uncommitted changes when it ran. */
  readonly dirty: boolean;
}

export interface RunInFolder {
  readonly root: string;
  readonly run: RunSummary;
}

const commitOf = (run: RunSummary) => (run.source === 'mlc' ? run.git?.commit : undefined);

export function gitComparisons(baseline: RunInFolder | undefined, others: readonly RunInFolder[]): GitComparison[] {
  const from = baseline && commitOf(baseline.run);
  if (!baseline || !from) return [];
  const byCommit = new Map<string, RunSummary[]>();
  for (const entry of others) {
    const to = commitOf(entry.run);
    if (!to || entry.root !== baseline.root || entry.run.id === baseline.run.id) continue;
    byCommit.set(to, [...(byCommit.get(to) ?? []), entry.run]);
  }
  return [...byCommit].map(([to, runs]) => ({
    from,
    to,
    runIds: runs.map((run) => run.id),
    dirty: baseline.run.git?.dirty === true || runs.some((run) => run.git?.dirty === true),
  }));
}
