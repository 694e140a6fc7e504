import type { Problem } from '../../../engine/problems';
import { problemAt } from '../../../engine/problems';
import { isStaleRunning, mapMlflowStatus } from '../../../engine/readers/mlflow/mlflowRunStatus';
import { staleProblem, unknownStatusProblem } from '../../../engine/readers/mlflow/mlflowProblems';
import { MLFLOW_ID_PREFIX } from '../../../engine/readers/mlflow/readMlflowFileRun';
import type { RunStatus, RunSummary } from '../../../engine/runs/model';
import type { SqlDatabase } from './loadSqlJs';
import type { MlflowSqliteSchema } from './mlflowSqliteSchema';

type Row = ReadonlyArray<number | string | Uint8Array | null>;

/** SQLAlchemy stores +/-Inf as the largest double (`sanitize_metric_value`); map it back. */
const MAX_DOUBLE = 1.7976931348623157e308;

export interface RunQuerySettings {
  readonly location: string;
  readonly now: number;
  readonly staleAfterMs: number;
}

function rows(database: SqlDatabase, sql: string): readonly Row[] {
  return database.exec(sql)[0]?.values ?? [];
}

/** Steps through a result without building the whole row array first (less garbage for 100k rows). */
function forEachRow(database: SqlDatabase, sql: string, visit: (row: Row) => void): void {
  const statement = database.prepare(sql);
  try {
    while (statement.step()) visit(statement.get());
  } finally {
    statement.free();
  }
}

function text(value: Row[number] | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'string'
    ? value
    : value instanceof Uint8Array
      ? new TextDecoder().decode(value)
      : String(value);
}

function time(value: Row[number] | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A metric value as MLflow meant it: is_nan wins, NULL (pre-is_nan schemas) is NaN, max double is Inf. */
export function sqlMetricValue(value: Row[number] | undefined, isNan: Row[number] | undefined): number {
  if (isNan === 1 || isNan === '1' || typeof value !== 'number') return Number.NaN;
  if (value === MAX_DOUBLE) return Number.POSITIVE_INFINITY;
  if (value === -MAX_DOUBLE) return Number.NEGATIVE_INFINITY;
  return value;
}

/** Active experiments (and of the default workspace when the store has workspaces): id -> name. */
function activeExperiments(database: SqlDatabase, schema: MlflowSqliteSchema): Map<string, string> {
  const experiments = new Map<string, string>();
  if (!schema.hasTable('experiments')) return experiments;
  const columns = schema.select('experiments', ['experiment_id', 'name', 'lifecycle_stage']);
  for (const [id, name, stage] of rows(
    database,
    `SELECT ${columns} FROM experiments${schema.defaultWorkspaceFilter('experiments')}`,
  )) {
    if (stage === 'deleted') continue;
    experiments.set(String(id), text(name) ?? String(id));
  }
  return experiments;
}

function keyValues(database: SqlDatabase, schema: MlflowSqliteSchema, table: string, visible: ReadonlySet<string>) {
  if (!schema.hasTable(table)) return new Map<string, Record<string, string>>();
  try {
    return keyValuesAsJson(database, table, visible);
  } catch {
    // A BLOB or NULL key cannot go through JSON: read the rows one by one instead.
    return keyValuesByRow(database, schema, table, visible);
  }
}

/**
 * One row per run with its keys and values as a JSON object: ten times fewer rows to step
 * through than one per param, which is most of the cost of listing 10,000 runs. Text values
 * round-trip exactly through JSON (numbers are not involved here: params and tags are text).
 */
function keyValuesAsJson(database: SqlDatabase, table: string, visible: ReadonlySet<string>) {
  const byRun = new Map<string, Record<string, string>>();
  const sql = `SELECT run_uuid, json_group_object("key", COALESCE(CAST(value AS TEXT), '')) FROM ${table} GROUP BY run_uuid`;
  forEachRow(database, sql, ([runUuid, json]) => {
    if (typeof runUuid !== 'string' || typeof json !== 'string' || !visible.has(runUuid)) return;
    byRun.set(runUuid, JSON.parse(json) as Record<string, string>);
  });
  return byRun;
}

function keyValuesByRow(
  database: SqlDatabase,
  schema: MlflowSqliteSchema,
  table: string,
  visible: ReadonlySet<string>,
) {
  const byRun = new Map<string, Record<string, string>>();
  forEachRow(
    database,
    `SELECT ${schema.select(table, ['run_uuid', 'key', 'value'])} FROM ${table}`,
    ([runUuid, key, value]) => {
      const run = text(runUuid);
      const name = text(key);
      if (run === undefined || name === undefined || !visible.has(run)) return;
      let values = byRun.get(run);
      if (!values) byRun.set(run, (values = {}));
      values[name] = text(value) ?? '';
    },
  );
  return byRun;
}

interface LatestMetrics {
  readonly values: Map<string, Record<string, number>>;
  /** The newest metric timestamp of each run: evidence for the staleness heuristic. */
  readonly newest: Map<string, number>;
}

/**
 * The latest value of each metric: the `latest_metrics` table MLflow maintains (max of step,
 * timestamp, value); for stores without it, the same maximum computed from `metrics`.
 */
function latestMetrics(database: SqlDatabase, schema: MlflowSqliteSchema, visible: ReadonlySet<string>): LatestMetrics {
  const values = new Map<string, Record<string, number>>();
  const newest = new Map<string, number>();
  const table = schema.hasTable('latest_metrics')
    ? 'latest_metrics'
    : schema.hasTable('metrics')
      ? 'metrics'
      : undefined;
  if (!table) return { values, newest };
  const columns = schema.select(table, ['run_uuid', 'key', 'value', 'is_nan', 'timestamp']);
  // Ascending (step, timestamp, value): the last row of each (run, key) is the latest.
  const order = table === 'metrics' ? ' ORDER BY run_uuid, "key", step, "timestamp", value' : '';
  forEachRow(database, `SELECT ${columns} FROM ${table}${order}`, ([runUuid, key, value, isNan, timestamp]) => {
    const run = text(runUuid);
    const name = text(key);
    if (run === undefined || name === undefined || !visible.has(run)) return;
    let metrics = values.get(run);
    if (!metrics) values.set(run, (metrics = {}));
    metrics[name] = sqlMetricValue(value, isNan);
    const at = time(timestamp);
    if (at !== undefined && at > (newest.get(run) ?? Number.NEGATIVE_INFINITY)) newest.set(run, at);
  });
  return { values, newest };
}

/**
 * Every visible run of an mlflow.db (active, in an active experiment of the default workspace),
 * with params, tags and latest metrics, in three bulk queries rather than one per run.
 */
export function queryMlflowRuns(
  database: SqlDatabase,
  schema: MlflowSqliteSchema,
  settings: RunQuerySettings,
): { runs: RunSummary[]; problems: Problem[] } {
  const problems: Problem[] = [];
  if (!schema.hasTable('runs')) {
    problems.push(
      problemAt(
        settings.location,
        undefined,
        'warning',
        'mlflowDatabaseNotMlflow',
        'This SQLite file has no "runs" table, so it is not an MLflow tracking store; it is skipped.',
      ),
    );
    return { runs: [], problems };
  }
  const experiments = activeExperiments(database, schema);
  const runColumns = schema.select('runs', [
    'run_uuid',
    'name',
    'status',
    'start_time',
    'end_time',
    'lifecycle_stage',
    'experiment_id',
  ]);
  const runRows = rows(database, `SELECT ${runColumns} FROM runs`).filter(
    ([uuid, , , , , stage, experimentId]) =>
      typeof uuid === 'string' &&
      stage !== 'deleted' &&
      (!schema.hasTable('experiments') || experiments.has(String(experimentId))),
  );
  const visible = new Set(runRows.map(([uuid]) => uuid as string));
  const tags = keyValues(database, schema, 'tags', visible);
  const params = keyValues(database, schema, 'params', visible);
  const latest = latestMetrics(database, schema, visible);
  const runs = runRows.map(([uuid, name, rawStatus, startTime, endTime, , experimentId]): RunSummary => {
    const runUuid = uuid as string;
    const runTags = tags.get(runUuid) ?? {};
    const runProblems: Problem[] = [];
    let status: RunStatus | undefined = mapMlflowStatus(text(rawStatus));
    if (status === undefined) {
      runProblems.push(unknownStatusProblem(settings.location, rawStatus));
      status = 'interrupted';
    }
    const startedAt = time(startTime);
    const endedAt = time(endTime);
    if (status === 'running' && endedAt === undefined) {
      const lastActivityMs = Math.max(
        startedAt ?? Number.NEGATIVE_INFINITY,
        latest.newest.get(runUuid) ?? Number.NEGATIVE_INFINITY,
      );
      const evidence = Number.isFinite(lastActivityMs) ? lastActivityMs : undefined;
      if (
        isStaleRunning({ status, lastActivityMs: evidence, now: settings.now, staleAfterMs: settings.staleAfterMs })
      ) {
        status = 'interrupted';
        runProblems.push(staleProblem(settings.location, settings.staleAfterMs));
      }
    }
    const commit = runTags['mlflow.source.git.commit'];
    return {
      id: `${MLFLOW_ID_PREFIX}${runUuid}`,
      source: 'mlflow',
      name: runTags['mlflow.runName'] || text(name) || runUuid,
      status,
      ...(startedAt !== undefined ? { startedAt } : {}),
      ...(endedAt !== undefined ? { endedAt } : {}),
      params: params.get(runUuid) ?? {},
      metrics: latest.values.get(runUuid) ?? {},
      ...(commit ? { git: { commit, dirty: false } } : {}),
      location: settings.location,
      ...(experiments.has(String(experimentId)) ? { experiment: experiments.get(String(experimentId))! } : {}),
      tags: runTags,
      ...(runProblems.length > 0 ? { problems: runProblems } : {}),
    };
  });
  return { runs, problems };
}
