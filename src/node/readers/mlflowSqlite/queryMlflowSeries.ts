import { MetricSeriesBuilder } from '../../../engine/readers/mlflow/metricSeriesBuilder';
import type { MetricSeries } from '../../../engine/runs/model';
import type { SqlDatabase } from './loadSqlJs';
import type { MlflowSqliteSchema } from './mlflowSqliteSchema';
import { sqlMetricValue } from './queryMlflowRuns';

/**
 * Whether the run exists and is visible (not deleted, in an active experiment of the default
 * workspace), the same rule as the run list: series of hidden runs are not served.
 */
export function isVisibleRun(database: SqlDatabase, schema: MlflowSqliteSchema, runUuid: string): boolean {
  if (!schema.hasTable('runs')) return false;
  const joinsExperiments = schema.hasTable('experiments') && schema.hasColumn('runs', 'experiment_id');
  const runStage = schema.hasColumn('runs', 'lifecycle_stage') ? 'r."lifecycle_stage"' : 'NULL';
  const experimentStage =
    joinsExperiments && schema.hasColumn('experiments', 'lifecycle_stage') ? 'e."lifecycle_stage"' : 'NULL';
  const workspace =
    joinsExperiments && schema.hasColumn('experiments', 'workspace') ? ` AND e."workspace" = 'default'` : '';
  const join = joinsExperiments ? ` JOIN experiments e ON e.experiment_id = r.experiment_id${workspace}` : '';
  const sql = `SELECT ${runStage}, ${experimentStage} FROM runs r${join} WHERE r.run_uuid = ?`;
  const statement = database.prepare(sql, [runUuid]);
  try {
    if (!statement.step()) return false;
    const [runStage, experimentLifecycle] = statement.get();
    return runStage !== 'deleted' && experimentLifecycle !== 'deleted';
  } finally {
    statement.free();
  }
}

/**
 * The full history of a run's metrics from the `metrics` table, in MLflow's own order
 * (`ORDER BY timestamp, step, value`), optionally only the named ones. Rows are stepped one at a
 * time into typed arrays, so a long history never exists as an array of row objects.
 */
export function queryMlflowSeries(
  database: SqlDatabase,
  schema: MlflowSqliteSchema,
  runUuid: string,
  names?: readonly string[],
): Record<string, MetricSeries> {
  if (!schema.hasTable('metrics')) return {};
  const wanted = names ? new Set(names) : undefined;
  const columns = schema.select('metrics', ['key', 'value', 'is_nan', 'step', 'timestamp']);
  const statement = database.prepare(
    `SELECT ${columns} FROM metrics WHERE run_uuid = ? ORDER BY "key", "timestamp", step, value`,
    [runUuid],
  );
  const builders = new Map<string, MetricSeriesBuilder>();
  try {
    while (statement.step()) {
      const [key, value, isNan, step, timestamp] = statement.get();
      if (typeof key !== 'string' || (wanted && !wanted.has(key))) continue;
      let builder = builders.get(key);
      if (!builder) builders.set(key, (builder = new MetricSeriesBuilder()));
      builder.push(
        typeof step === 'number' ? step : 0,
        sqlMetricValue(value, isNan),
        typeof timestamp === 'number' ? timestamp : Number.NaN,
      );
    }
  } finally {
    statement.free();
  }
  return Object.fromEntries([...builders].map(([key, builder]) => [key, builder.finish()]));
}
