import type { Parsed } from '../../../engine/problems';
import { readMlflowFileRegistry } from '../../../engine/readers/mlflow/readMlflowFileRegistry';
import type { MlflowRegistry } from '../../../engine/readers/mlflow/registryModel';
import type { ReaderContext, RunStoreLocation } from '../../../engine/runs/model';
import type { MlflowSqliteReader } from '../mlflowSqliteReader';
import { mlflowSqliteReader } from '../mlflowSqliteReader';

/**
 * The model registry of either MLflow store: `mlflow.db` (a file) through the SQLite reader,
 * anything else as an `mlruns` folder with its `models/` registry. Never throws.
 */
export async function readMlflowRegistry(
  store: RunStoreLocation,
  context: ReaderContext,
  sqliteReader: MlflowSqliteReader = mlflowSqliteReader,
): Promise<Parsed<MlflowRegistry>> {
  let isFile = false;
  try {
    isFile = context.fs.stat(store.path)?.kind === 'file';
  } catch {
    isFile = store.path.endsWith('.db');
  }
  if (isFile) return sqliteReader.registry(store, context);
  return readMlflowFileRegistry(context.fs, store.path);
}
