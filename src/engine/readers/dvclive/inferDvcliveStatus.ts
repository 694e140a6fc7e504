import { dirname, join } from 'pathe';
import type { FileSystem } from '../../ports';
import type { RunStatus } from '../../runs/model';

/** How close (ms) a run's newest write must be to a signal file's write to belong to it. */
const SIGNAL_MATCH_MS = 2 * 60 * 1000;

export interface DvcliveStatusFacts {
  readonly folder: string;
  readonly workspaceRoot: string;
  readonly newestMtimeMs: number | undefined;
  readonly hasSummary: boolean;
  readonly hasSeries: boolean;
  readonly now: number;
  readonly staleAfterMs: number;
  readonly isProcessAlive?: (pid: number) => boolean;
}

/**
 * A DVCLive run's status (FORMATS.md 2.7, 9):
 * 1. DVCLive writes `.dvc/tmp/exps/run/DVCLIVE_STEP_COMPLETED` (`{"pid", "step"}`) at each step
 *    and deletes it in `end()`; `DVCLIVE_ONLY` while it saves an experiment. When such a file in
 *    the folder's repository was written around this run's newest write: pid alive -> running;
 *    pid dead and STEP_COMPLETED left behind -> interrupted (the writer died before `end()`).
 * 2. Otherwise, files written within `staleAfterMs` -> running.
 * 3. Otherwise series without a summary (`metrics.json`) -> interrupted (the run died before its
 *    first step completed); else succeeded.
 */
export function inferDvcliveStatus(fs: FileSystem, facts: DvcliveStatusFacts): RunStatus {
  const signal = findSignal(fs, facts);
  if (signal && facts.isProcessAlive) {
    if (facts.isProcessAlive(signal.pid)) return 'running';
    if (signal.kind === 'DVCLIVE_STEP_COMPLETED') return 'interrupted';
  }
  const isFresh = facts.newestMtimeMs !== undefined && facts.now - facts.newestMtimeMs < facts.staleAfterMs;
  if (isFresh) return 'running';
  return facts.hasSeries && !facts.hasSummary ? 'interrupted' : 'succeeded';
}

function findSignal(
  fs: FileSystem,
  facts: DvcliveStatusFacts,
): { kind: 'DVCLIVE_STEP_COMPLETED' | 'DVCLIVE_ONLY'; pid: number } | undefined {
  let folder = facts.folder;
  for (let depth = 0; depth < 32; depth++) {
    for (const kind of ['DVCLIVE_STEP_COMPLETED', 'DVCLIVE_ONLY'] as const) {
      const path = join(folder, '.dvc', 'tmp', 'exps', 'run', kind);
      try {
        const stat = fs.stat(path);
        if (!stat || stat.kind !== 'file') continue;
        const belongsToRun =
          facts.newestMtimeMs === undefined || Math.abs(stat.mtimeMs - facts.newestMtimeMs) < SIGNAL_MATCH_MS;
        if (!belongsToRun) continue;
        // Written without an atomic rename: an empty or partial file is skipped, not trusted.
        const pid = (JSON.parse(fs.readText(path)) as { pid?: unknown }).pid;
        if (typeof pid === 'number' && Number.isInteger(pid) && pid > 0) return { kind, pid };
      } catch {
        continue;
      }
    }
    if (folder === facts.workspaceRoot || !folder.startsWith(facts.workspaceRoot)) return undefined;
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
  return undefined;
}
