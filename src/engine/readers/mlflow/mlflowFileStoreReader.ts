import { join } from 'pathe';
import type { Clock, DirectoryEntry, FileSystem } from '../../ports';
import type { Problem } from '../../problems';
import { problemAt } from '../../problems';
import { childPath, lastSegment } from '../../workspace/pathSteps';
import type {
  MetricSeries,
  ReaderContext,
  RunListing,
  RunReader,
  RunStoreLocation,
  RunSummary,
} from '../../runs/model';
import { DEFAULT_STALE_AFTER_MS } from './mlflowRunStatus';
import { parseMlflowMetaYaml } from './parseMlflowMetaYaml';
import { listMlflowKeyFiles } from './readMlflowKeyValueFolder';
import type { MlflowExperimentRef, StalenessSettings } from './readMlflowFileRun';
import { MLFLOW_ID_PREFIX, readMlflowFileRun } from './readMlflowFileRun';
import { runNotFoundProblem, unreadableProblem } from './mlflowProblems';
import { readMetricHistory } from './readMetricHistory';
import { watchesMlflowFileStore } from './watchesMlflowFileStore';

export interface MlflowReaderOptions {
  /** The clock for the RUNNING-but-stale heuristic. */
  readonly clock: Clock;
  /** A RUNNING run with no write for this long is shown as interrupted (default 24 h). */
  readonly staleAfterMs?: number;
}

/** Names inside an experiment folder that are not runs (FORMATS.md 3.1). */
const NOT_RUN_FOLDERS: ReadonlySet<string> = new Set(['tags', 'datasets', 'traces', 'models']);
/** How often (in runs) a long listing checks its abort signal. */
const ABORT_CHECK_EVERY = 256;

export interface MlflowExperimentFolder extends MlflowExperimentRef {
  readonly folder: string;
}

/**
 * The active experiments of a file store. Folders without a meta.yaml are skipped silently: with
 * the SQLite store, `mlruns/<exp>/<run>/artifacts` folders exist without one. `.trash` (deleted
 * experiments) and `models` (the registry) are never experiments.
 */
export function listMlflowExperiments(
  fs: FileSystem,
  mlrunsPath: string,
  problems: Problem[],
): MlflowExperimentFolder[] {
  let entries: readonly DirectoryEntry[];
  try {
    entries = fs.readDirectory(mlrunsPath);
  } catch (error) {
    problems.push(unreadableProblem(mlrunsPath, error));
    return [];
  }
  const experiments: MlflowExperimentFolder[] = [];
  for (const entry of entries) {
    if (entry.kind !== 'directory' || entry.name.startsWith('.') || entry.name === 'models') continue;
    const folder = join(mlrunsPath, entry.name);
    const metaPath = join(folder, 'meta.yaml');
    let text: string;
    try {
      text = fs.readText(metaPath);
    } catch {
      continue;
    }
    const parsed = parseMlflowMetaYaml(text, metaPath);
    problems.push(...parsed.problems);
    const meta = parsed.value;
    if (!meta || meta.lifecycle_stage === 'deleted') continue;
    const id = meta.experiment_id ?? entry.name;
    if (id !== entry.name) {
      problems.push(
        problemAt(
          metaPath,
          undefined,
          'warning',
          'mlflowExperimentIdMismatch',
          `meta.yaml names experiment "${id}" but its folder is "${entry.name}"; MLflow ignores it, and so does mlc.`,
        ),
      );
      continue;
    }
    experiments.push({ id, name: meta.name ?? id, folder });
  }
  return experiments;
}

/** The folder of one run (`<mlruns>/<experiment>/<run uuid>`), or undefined. */
export function findMlflowRunFolder(fs: FileSystem, mlrunsPath: string, runId: string): string | undefined {
  const uuid = runId.startsWith(MLFLOW_ID_PREFIX) ? runId.slice(MLFLOW_ID_PREFIX.length) : runId;
  if (uuid.length === 0 || uuid.includes('/') || uuid.startsWith('.')) return undefined;
  for (const experiment of listMlflowExperiments(fs, mlrunsPath, [])) {
    const folder = join(experiment.folder, uuid);
    try {
      if (fs.stat(join(folder, 'meta.yaml'))?.kind === 'file') return folder;
    } catch {
      // A looping or unreadable entry is simply not the run.
    }
  }
  return undefined;
}

/**
 * The MLflow file store (`mlruns/`, FORMATS.md 3). Pure over the FileSystem port: sync reads,
 * a hand parser for the flat meta.yaml files, metric histories read in chunks.
 */
export function createMlflowFileStoreReader(options: MlflowReaderOptions): RunReader {
  const staleness: StalenessSettings = {
    clock: options.clock,
    staleAfterMs: options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS,
  };
  return {
    source: 'mlflow',
    watches: watchesMlflowFileStore,
    detect(folder, entries) {
      // The walk reaches mlruns/ only after its parent claimed it: keep it out of the artifacts.
      if (lastSegment(folder) === 'mlruns') return { stores: [], descend: false };
      const hasMlruns = entries.some((entry) => entry.name === 'mlruns' && entry.kind === 'directory');
      // With mlflow.db beside it, mlruns/ holds only artifacts (FORMATS.md 4): the SQLite reader owns it.
      const hasDatabase = entries.some((entry) => entry.name === 'mlflow.db' && entry.kind === 'file');
      const stores: RunStoreLocation[] =
        hasMlruns && !hasDatabase ? [{ source: 'mlflow', path: childPath(folder, 'mlruns') }] : [];
      return { stores, descend: true };
    },
    async list(store, context) {
      return listFileStore(store, context, staleness);
    },
    async series(store, runId, context, names) {
      const problems: Problem[] = [];
      const folder = findMlflowRunFolder(context.fs, store.path, runId);
      if (!folder) {
        return { series: {}, problems: [runNotFoundProblem(store.path, runId)] };
      }
      const wanted = names ? new Set(names) : undefined;
      const series: Record<string, MetricSeries> = {};
      for (const { key, path } of listMlflowKeyFiles(context.fs, join(folder, 'metrics'), problems)) {
        if (context.signal?.aborted) break;
        if (wanted && !wanted.has(key)) continue;
        const history = readMetricHistory(context.fs, path);
        problems.push(...history.problems);
        series[key] = history.series;
      }
      return { series, problems };
    },
  };
}

function listFileStore(store: RunStoreLocation, context: ReaderContext, staleness: StalenessSettings): RunListing {
  const problems: Problem[] = [];
  const runs: RunSummary[] = [];
  let visited = 0;
  for (const experiment of listMlflowExperiments(context.fs, store.path, problems)) {
    let entries: readonly DirectoryEntry[];
    try {
      entries = context.fs.readDirectory(experiment.folder);
    } catch (error) {
      problems.push(unreadableProblem(experiment.folder, error));
      continue;
    }
    for (const entry of entries) {
      if (entry.kind !== 'directory' || NOT_RUN_FOLDERS.has(entry.name) || entry.name.startsWith('.')) continue;
      if (++visited % ABORT_CHECK_EVERY === 0 && context.signal?.aborted) return { runs, problems };
      const read = readMlflowFileRun(context.fs, `${experiment.folder}/${entry.name}`, experiment, staleness);
      problems.push(...read.problems);
      if (read.run) runs.push(read.run);
    }
  }
  runs.sort(byNewestFirst);
  return { runs, problems };
}

/** Newest first, like MLflow's UI; the id breaks ties so the order is stable across reads. */
export function byNewestFirst(left: RunSummary, right: RunSummary): number {
  const difference = (right.startedAt ?? 0) - (left.startedAt ?? 0);
  if (difference !== 0) return difference;
  return left.id < right.id ? -1 : left.id > right.id ? 1 : 0;
}
