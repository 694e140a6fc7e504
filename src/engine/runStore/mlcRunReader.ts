import { join } from 'pathe';
import type { FileSystem } from '../ports';
import type { Problem } from '../problems';
import type { RunListing, RunReader, RunSummary } from '../runs/model';
import { isRunId } from './createRunId';
import { latestValues, readMetricsLog } from './metricsLog';
import { readRunRecord, type IsOwnerAlive } from './readRunRecord';
import { RUN_FILES, type RunRecord } from './runRecord';

export interface MlcRunReaderOptions {
  /** Liveness of a run's owner process (src/node/runStore/isOwnerAlive.ts: pid, else heartbeat). */
  readonly isOwnerAlive: IsOwnerAlive;
}

/**
 * Reads mlc's own run store, `<workspace>/.mlc/runs/<run-id>/`. The list comes from each
 * run.json (params, summary metrics and the latest value of each series are kept there); a run
 * that is still live also gets the latest values from metrics.jsonl, which grows while it runs.
 */
/** What mlc's own reader watches: `.mlc/runs` and everything in it. */
export const watchesMlcRuns = (relativePath: string) => {
  const segments = relativePath.split('/');
  const mlcAt = segments.indexOf('.mlc');
  return mlcAt >= 0 && segments[mlcAt + 1] === 'runs';
};

export function createMlcRunReader(options: MlcRunReaderOptions): RunReader {
  return {
    source: 'mlc',
    watches: watchesMlcRuns,
    detect(folder, entries) {
      const hasStore = entries.some((entry) => entry.name === '.mlc' && entry.kind === 'directory');
      return { stores: hasStore ? [{ source: 'mlc', path: join(folder, '.mlc', 'runs') }] : [], descend: true };
    },
    async list(store, context): Promise<RunListing> {
      let names: string[];
      try {
        names = context.fs
          .readDirectory(store.path)
          .filter((entry) => entry.kind === 'directory')
          .map((entry) => entry.name);
      } catch {
        return { runs: [], problems: [] };
      }
      const runs: RunSummary[] = [];
      const problems: Problem[] = [];
      for (const name of names.sort().reverse()) {
        if (context.signal?.aborted) break;
        const directory = join(store.path, name);
        const parsed = readRunRecord(context.fs, directory, options.isOwnerAlive);
        problems.push(...parsed.problems);
        if (parsed.value) runs.push(toSummary(parsed.value, directory, context.fs));
        // A damaged run.json must not make the run vanish; a missing one is a folder being created.
        else if (parsed.problems.some((problem) => problem.code === 'runRecordUnreadable')) {
          runs.push(unreadableRunSummary(name, directory, parsed.problems));
        }
      }
      return { runs, problems };
    },
    async series(store, runId, context, names) {
      return readMetricsLog(context.fs, join(store.path, runId, RUN_FILES.metrics), names, context.signal);
    },
  };
}

/**
 * A run whose run.json cannot be read: listed under its folder name (the run id) as interrupted,
 * since nothing says it finished, with the problem that says how to repair it.
 */
function unreadableRunSummary(id: string, directory: string, problems: readonly Problem[]): RunSummary {
  return {
    id,
    source: 'mlc',
    name: 'run.json unreadable',
    status: 'interrupted',
    ...startedAtFromRunId(id),
    params: {},
    metrics: {},
    location: directory,
    problems,
  };
}

/** The start time encoded in a run id (`YYYYMMDD-HHMMSS-xxxxxx`, UTC), so the run sorts in place. */
function startedAtFromRunId(id: string): { startedAt?: number } {
  if (!isRunId(id)) return {};
  const digit = (from: number, to: number) => Number(id.slice(from, to));
  return { startedAt: Date.UTC(digit(0, 4), digit(4, 6) - 1, digit(6, 8), digit(9, 11), digit(11, 13), digit(13, 15)) };
}

/**
 * A run in flight whose every started stage is a job still waiting in a Slurm queue: listed as
 * `queued`, not `running` (the stage-level views show each stage's pending reason).
 */
function isWaitingInQueue(record: RunRecord): boolean {
  if (record.status !== 'running') return false;
  const started = record.stages.filter((stage) => stage.status === 'running');
  return started.length > 0 && started.every((stage) => stage.queuedReason !== undefined);
}

function toSummary(record: RunRecord, directory: string, fs: FileSystem): RunSummary {
  let live: Record<string, number> = {};
  if (record.status === 'running' || record.status === 'queued') {
    live = latestValues(readMetricsLog(fs, join(directory, RUN_FILES.metrics)).series);
  }
  const metrics: Record<string, number> = {};
  for (const [name, value] of Object.entries({ ...record.seriesLatest, ...live, ...record.metrics })) {
    if (typeof value === 'number') metrics[name] = value;
  }
  const stageNames = record.targets.length > 0 ? record.targets : record.stages.map((stage) => stage.address);
  return {
    id: record.id,
    source: 'mlc',
    name: stageNames.join(', ') || 'run',
    status: isWaitingInQueue(record) ? 'queued' : record.status,
    startedAt: record.startedAt,
    ...(record.endedAt === undefined ? {} : { endedAt: record.endedAt }),
    params: record.params,
    metrics,
    ...(record.git ? { git: { commit: record.git.commit, dirty: record.git.dirty } } : {}),
    location: directory,
    ...(record.alerts && record.alerts.length > 0
      ? {
          alerts: record.alerts.map(({ message, metric, step }) => ({
            message,
            ...(metric === undefined ? {} : { metric }),
            ...(step === undefined ? {} : { step }),
          })),
        }
      : {}),
  };
}
