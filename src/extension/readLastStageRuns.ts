import { join } from 'pathe';
import type { FileSystem } from '../engine/ports';
import { describeStagePlacement } from '../engine/runners/stagePlacement';
import { RUN_FILES, type RunRecord } from '../engine/runStore/runRecord';
import { isRunId } from '../engine/runStore/createRunId';
import { readSummaryMetrics } from '../engine/runStore/readSummaryMetrics';
import type { StageRunRecord, WorkspaceView } from './engineServices';

/** Run folders read at most, newest first: the views need recent history only. */
const MAX_RUNS_READ = 50;
const FINAL_STATUSES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * The last execution of each stage, from the newest run.json files of `.mlc/runs/` (run ids sort
 * by start time, so no date parsing), plus the metrics the stage's `metrics:` files hold now.
 * Reads at most MAX_RUNS_READ small files, so it is cheap enough for the extension host.
 */
export function readLastStageRuns(fs: FileSystem, view: WorkspaceView): Map<string, StageRunRecord> {
  const runsFolder = join(view.root, '.mlc', 'runs');
  const wanted = new Set(view.stages.map((entry) => entry.address));
  const found = new Map<string, StageRunRecord>();
  let runIds: string[];
  try {
    runIds = fs
      .readDirectory(runsFolder)
      .filter((entry) => entry.kind === 'directory' && isRunId(entry.name))
      .map((entry) => entry.name)
      .sort()
      .reverse()
      .slice(0, MAX_RUNS_READ);
  } catch {
    return found;
  }
  for (const runId of runIds) {
    if (found.size === wanted.size) break;
    let record: RunRecord;
    try {
      record = JSON.parse(fs.readText(join(runsFolder, runId, RUN_FILES.record))) as RunRecord;
    } catch {
      continue; // a run folder being created, or damaged: the next one is as good
    }
    for (const stage of record.stages ?? []) {
      if (!wanted.has(stage.address) || found.has(stage.address) || !FINAL_STATUSES.has(stage.status)) continue;
      found.set(stage.address, {
        runId: record.id,
        status: stage.status as StageRunRecord['status'],
        ...(stage.startedAt === undefined ? {} : { startedAt: stage.startedAt }),
        ...(stage.endedAt === undefined ? {} : { endedAt: stage.endedAt }),
        ...(stage.durationMs === undefined ? {} : { durationMs: stage.durationMs }),
        ...placementOf(stage),
        metrics: {},
      });
    }
  }
  return new Map(
    [...found].map(([address, run]) => {
      const stage = view.stages.find((entry) => entry.address === address)?.stage;
      const metrics: Record<string, number> = {};
      for (const output of stage?.outs ?? []) {
        if (output.kind !== 'metric') continue;
        Object.assign(metrics, readSummaryMetrics(fs, join(stage!.wdir, output.path)) ?? {});
      }
      return [address, { ...run, metrics }];
    }),
  );
}

function placementOf(stage: RunRecord['stages'][number]): { where?: string } {
  const where = describeStagePlacement(stage);
  return where === undefined ? {} : { where };
}
