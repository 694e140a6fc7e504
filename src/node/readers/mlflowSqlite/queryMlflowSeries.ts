import { MetricSeriesBuilder } from '../../../engine/readers/mlflow/metricSeriesBuilder';
import type { MetricSeries } from '../../../engine/runs/model';
import type { SqlDatabase } from './loadSqlJs';
import type { MlflowSqliteSchema } from './mlflowSqliteSchema';
import { sqlMetricValue } from './queryMlflowRuns';

/** Whether the run exists and is visible (not deleted); series of hidden runs are not served. */
export function isVisibleRun(database: SqlDatabase, schema: MlflowSqliteSchema, runUuid: string): boolean {
  if (!schema.hasTable('runs')) return false;
  const statement = database.prepare(
    `SELECT ${schema.select('runs', ['lifecycle_stage'])} FROM runs WHERE run_uuid = ?`,
    [runUuid],
  );
  try {
    return statement.step() && statement.get()[0] !== 'deleted';
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
