import type { Parsed, Problem } from '../../../engine/problems';
import { readMlflowFileRegistry } from '../../../engine/readers/mlflow/readMlflowFileRegistry';
import type { MlflowRegistry, MlflowRegistryListing } from '../../../engine/readers/mlflow/registryModel';
import type { RunIndexSnapshot } from '../../../engine/runIndex/runIndexModel';
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

/**
 * The registries of every MLflow store in a run index snapshot (`mlc models` and the Models view,
 * through the run index worker), in the snapshot's store order; `sqliteReader` is the index's own,
 * so a database it has open is not opened a second time. Never throws.
 */
export async function readIndexedMlflowRegistries(
  snapshot: Pick<RunIndexSnapshot, 'stores'>,
  context: ReaderContext,
  sqliteReader: MlflowSqliteReader = mlflowSqliteReader,
): Promise<MlflowRegistryListing> {
  const registries: MlflowRegistry[] = [];
  const problems: Problem[] = [];
  for (const { store } of snapshot.stores.filter((entry) => entry.store.source === 'mlflow')) {
    const registry = await readMlflowRegistry(store, context, sqliteReader);
    registries.push(registry.value);
    problems.push(...registry.problems);
  }
  return { registries, problems };
}
