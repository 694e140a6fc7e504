import type { Clock, FileSystem } from '../../ports';
import type { Problem } from '../../problems';
import { lastSegment } from '../../workspace/pathSteps';
import { problemAt } from '../../problems';
import type { RunStatus, RunSummary } from '../../runs/model';
import { isStaleRunning, mapMlflowStatus } from './mlflowRunStatus';
import type { MlflowMeta } from './parseMlflowMetaYaml';
import { metaTime, parseMlflowMetaYaml } from './parseMlflowMetaYaml';
import { readLatestMetric } from './readLatestMetric';
import { listMlflowKeyFiles, readMlflowKeyValueFolder } from './readMlflowKeyValueFolder';
import { staleProblem, unknownStatusProblem } from './mlflowProblems';
import { withoutEmpty } from './withoutEmpty';

export interface MlflowExperimentRef {
  readonly id: string;
  readonly name: string;
}

export interface StalenessSettings {
  readonly clock: Clock;
  readonly staleAfterMs: number;
}

/** Why a run folder yields no run: hidden on purpose (deleted) or unreadable (with problems). */
export interface FileRunRead {
  readonly run?: RunSummary;
  readonly problems: readonly Problem[];
}

export const MLFLOW_ID_PREFIX = 'mlflow:';

/** Reads the run meta.yaml; undefined (with problems) when it is missing or malformed. */
export function readRunMeta(fs: FileSystem, runFolder: string, problems: Problem[]): MlflowMeta | undefined {
  const metaPath = `${runFolder}/meta.yaml`;
  let text: string;
  try {
    text = fs.readText(metaPath);
    // MLflow retries a meta.yaml that reads empty: a writer may be between truncate and write.
    if (text.length === 0) text = fs.readText(metaPath);
  } catch (error) {
    problems.push(
      problemAt(
        metaPath,
        undefined,
        'info',
        'mlflowRunMetaMissing',
        `Run folder ${lastSegment(runFolder)} has no readable meta.yaml (${(error as { code?: string }).code ?? 'unreadable'}), so MLflow ignores it too; it is skipped.`,
      ),
    );
    return undefined;
  }
  const parsed = parseMlflowMetaYaml(
    text,
    metaPath,
    `so this run's status, times and experiment are unknown; it is listed as interrupted with its params, tags and metrics. Restore the file, or delete the folder ${runFolder} if the run is not needed.`,
  );
  problems.push(...parsed.problems);
  return parsed.value;
}

/**
 * One run of the file store (FORMATS.md 3.2, 3.3): meta.yaml, params/, tags/ and the latest value
 * of every metrics/ history. Soft-deleted runs (`lifecycle_stage: deleted`) are hidden.
 */
export function readMlflowFileRun(
  fs: FileSystem,
  runFolder: string,
  experiment: MlflowExperimentRef,
  staleness: StalenessSettings,
): FileRunRead {
  const problems: Problem[] = [];
  const metaPath = `${runFolder}/meta.yaml`;
  const readMeta = readRunMeta(fs, runFolder, problems);
  // A meta.yaml that is there but is not YAML must not make a run vanish (MLflow hides it with a
  // debug log only): the run is listed from its folder name and its other files, as interrupted.
  const isDamaged = !readMeta && problems.some((problem) => problem.code === 'mlflowMetaInvalid');
  if (!readMeta && !isDamaged) return { problems };
  const meta: MlflowMeta = readMeta ?? { run_id: lastSegment(runFolder) };
  const runId = meta.run_id ?? meta.run_uuid ?? undefined;
  if (runId !== lastSegment(runFolder)) {
    problems.push(
      problemAt(
        metaPath,
        undefined,
        'warning',
        'mlflowRunIdMismatch',
        `meta.yaml names run "${runId ?? ''}" but its folder is "${lastSegment(runFolder)}"; MLflow ignores such a run, and so does mlc. Was the folder copied or renamed?`,
      ),
    );
    return { problems };
  }
  if (meta.lifecycle_stage === 'deleted') return { problems: [] };

  const tags = readMlflowKeyValueFolder(fs, `${runFolder}/tags`, problems);
  const params = readMlflowKeyValueFolder(fs, `${runFolder}/params`, problems);
  const metricsFolder = `${runFolder}/metrics`;
  const metricFiles = listMlflowKeyFiles(fs, metricsFolder, problems);
  const metrics: Record<string, number> = {};
  for (const { key, path } of metricFiles) {
    const latest = readLatestMetric(fs, path);
    problems.push(...latest.problems);
    if (latest.value !== undefined) metrics[key] = latest.value;
  }

  const endedAt = metaTime(meta, 'end_time');
  let status: RunStatus | undefined = isDamaged ? 'interrupted' : mapMlflowStatus(meta.status);
  if (status === undefined) {
    problems.push(unknownStatusProblem(metaPath, meta.status));
    status = 'interrupted';
  }
  if (status === 'running' && endedAt === undefined) {
    const lastActivityMs = newestWrite(fs, [metaPath, ...metricFiles.map((file) => file.path)]);
    if (isStaleRunning({ status, lastActivityMs, now: staleness.clock.now(), staleAfterMs: staleness.staleAfterMs })) {
      status = 'interrupted';
      problems.push(staleProblem(metaPath, staleness.staleAfterMs));
    }
  }

  // Empty names fall through: old runs have `name: ''` and no run_name.
  const name = tags['mlflow.runName'] || meta.run_name || meta.name || lastSegment(runFolder);
  const commit = tags['mlflow.source.git.commit'];
  const run: RunSummary = {
    id: `${MLFLOW_ID_PREFIX}${runId}`,
    source: 'mlflow',
    name,
    status,
    ...withoutEmpty({ startedAt: metaTime(meta, 'start_time'), endedAt }),
    params,
    metrics,
    ...(commit ? { git: { commit, dirty: false } } : {}),
    location: runFolder,
    experiment: experiment.name,
    tags,
    ...(problems.length > 0 ? { problems } : {}),
  };
  return { run, problems: [] };
}

function newestWrite(fs: FileSystem, paths: readonly string[]): number | undefined {
  let newest: number | undefined;
  for (const path of paths) {
    try {
      const mtime = fs.stat(path)?.mtimeMs;
      if (mtime !== undefined && (newest === undefined || mtime > newest)) newest = mtime;
    } catch (error) {
      void error; // a vanished file says nothing about activity
    }
  }
  return newest;
}
