import { join } from 'pathe';
import type { FileSystem } from '../../engine/ports';
import type { Parsed, Problem } from '../../engine/problems';
import { byNewestFirst } from '../../engine/readers/mlflow/mlflowFileStoreReader';
import { runNotFoundProblem } from '../../engine/readers/mlflow/mlflowProblems';
import type { MlflowReaderOptions } from '../../engine/readers/mlflow/mlflowFileStoreReader';
import { DEFAULT_STALE_AFTER_MS } from '../../engine/readers/mlflow/mlflowRunStatus';
import { MLFLOW_ID_PREFIX } from '../../engine/readers/mlflow/readMlflowFileRun';
import type { MlflowRegistry } from '../../engine/readers/mlflow/registryModel';
import type { ReaderContext, RunReader, RunStoreLocation } from '../../engine/runs/model';
import type { SqlDatabase } from './mlflowSqlite/loadSqlJs';
import { loadSqlJs } from './mlflowSqlite/loadSqlJs';
import { MlflowSqliteSchema } from './mlflowSqlite/mlflowSqliteSchema';
import { queryMlflowRuns } from './mlflowSqlite/queryMlflowRuns';
import { isVisibleRun, queryMlflowSeries } from './mlflowSqlite/queryMlflowSeries';
import { queryMlflowSqliteRegistry } from './mlflowSqlite/queryMlflowSqliteRegistry';
import { MLFLOW_DATABASE_NAME, watchesMlflowDatabase } from './mlflowSqlite/mlflowDatabaseFiles';
import { databaseFingerprint, databaseProblem, readMlflowDatabaseBytes } from './mlflowSqlite/readMlflowDatabaseBytes';
import { systemClock } from '../systemTime';
import { describeError } from '../../engine/engineError';
import { statCanVouch } from '../../engine/racyWindow';

export interface MlflowSqliteReaderOptions extends MlflowReaderOptions {
  /** sql-wasm.wasm; by default next to the bundle, else from node_modules/sql.js. */
  readonly wasmPath?: string;
}

/** The SQLite reader is a RunReader that also reads the registry and owns open databases. */
export interface MlflowSqliteReader extends RunReader {
  registry(store: RunStoreLocation, context: ReaderContext): Promise<Parsed<MlflowRegistry>>;
  /** Closes the databases kept open between calls (their wasm memory is not garbage-collected). */
  dispose(): void;
}

interface OpenDatabase {
  readonly fingerprint: string;
  /** Whether the fingerprint could vouch for the bytes read (statCanVouch): only then is it reused. */
  settled?: boolean;
  readonly database?: SqlDatabase;
  readonly schema?: MlflowSqliteSchema;
  readonly problems: readonly Problem[];
}

/**
 * Databases kept open per reader; a refresh of an unchanged file reuses them, unless the file
 * changed within the racy window of its read (then it is read again at the next refresh).
 */
const MAX_OPEN_DATABASES = 4;

/**
 * The MLflow SQLite store (`mlflow.db`, FORMATS.md 4), read with sql.js from the file's bytes:
 * no native module, no lock, never a write. Only files named `mlflow.db` are claimed; stores named
 * elsewhere by MLFLOW_TRACKING_URI are out of scope.
 */
export function createMlflowSqliteReader(options: MlflowSqliteReaderOptions): MlflowSqliteReader {
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const open = new Map<string, OpenDatabase>();

  async function openDatabase(fs: FileSystem, path: string): Promise<OpenDatabase> {
    const takenAtMs = options.clock.now();
    const { key: fingerprint, newestChangeMs } = databaseFingerprint(fs, path);
    const cached = open.get(path);
    if (cached?.settled && cached.fingerprint === fingerprint) return cached;
    cached?.database?.close();
    open.delete(path);
    const opened = await readAndOpen(fs, path, fingerprint, options.wasmPath);
    opened.settled = statCanVouch(newestChangeMs, takenAtMs);
    if (open.size >= MAX_OPEN_DATABASES) {
      const [oldestPath, oldest] = open.entries().next().value as [string, OpenDatabase];
      oldest.database?.close();
      open.delete(oldestPath);
    }
    open.set(path, opened);
    return opened;
  }

  return {
    source: 'mlflow',
    watches: watchesMlflowDatabase,
    detect(folder, entries) {
      const hasDatabase = entries.some((entry) => entry.name === MLFLOW_DATABASE_NAME && entry.kind === 'file');
      return {
        stores: hasDatabase ? [{ source: 'mlflow', path: join(folder, MLFLOW_DATABASE_NAME) }] : [],
        descend: true,
      };
    },
    async list(store, context) {
      const opened = await openDatabase(context.fs, store.path);
      if (!opened.database || !opened.schema) return { runs: [], problems: opened.problems };
      try {
        const result = queryMlflowRuns(opened.database, opened.schema, {
          location: store.path,
          now: options.clock.now(),
          staleAfterMs,
        });
        return { runs: result.runs.sort(byNewestFirst), problems: [...opened.problems, ...result.problems] };
      } catch (error) {
        return { runs: [], problems: [...opened.problems, queryProblem(store.path, error)] };
      }
    },
    async series(store, runId, context, names) {
      const opened = await openDatabase(context.fs, store.path);
      if (!opened.database || !opened.schema) return { series: {}, problems: opened.problems };
      const uuid = runId.startsWith(MLFLOW_ID_PREFIX) ? runId.slice(MLFLOW_ID_PREFIX.length) : runId;
      try {
        if (!isVisibleRun(opened.database, opened.schema, uuid)) {
          return { series: {}, problems: [...opened.problems, runNotFoundProblem(store.path, runId)] };
        }
        return { series: queryMlflowSeries(opened.database, opened.schema, uuid, names), problems: opened.problems };
      } catch (error) {
        return { series: {}, problems: [...opened.problems, queryProblem(store.path, error)] };
      }
    },
    async registry(store, context) {
      const opened = await openDatabase(context.fs, store.path);
      const empty = { location: store.path, models: [] };
      if (!opened.database || !opened.schema) return { value: empty, problems: opened.problems };
      try {
        return {
          value: { location: store.path, models: queryMlflowSqliteRegistry(opened.database, opened.schema) },
          problems: opened.problems,
        };
      } catch (error) {
        return { value: empty, problems: [...opened.problems, queryProblem(store.path, error)] };
      }
    },
    dispose() {
      for (const opened of open.values()) opened.database?.close();
      open.clear();
    },
  };
}

async function readAndOpen(
  fs: FileSystem,
  path: string,
  fingerprint: string,
  wasmPath?: string,
): Promise<OpenDatabase> {
  const read = await readMlflowDatabaseBytes(fs, path);
  if (!read.bytes) return { fingerprint, problems: read.problems };
  let sqlJs;
  try {
    sqlJs = await loadSqlJs(wasmPath);
  } catch (error) {
    const problem = databaseProblem(
      path,
      'mlflowSqlWasmMissing',
      `sql.js could not start (${describeError(error)}); reinstall mlc or pass the wasm path.`,
    );
    return { fingerprint, problems: [...read.problems, problem] };
  }
  let database: SqlDatabase | undefined;
  try {
    database = new sqlJs.Database(read.bytes);
    return { fingerprint, database, schema: MlflowSqliteSchema.discover(database), problems: read.problems };
  } catch (error) {
    database?.close();
    return { fingerprint, problems: [...read.problems, queryProblem(path, error)] };
  }
}

function queryProblem(path: string, error: unknown): Problem {
  const detail = describeError(error);
  return databaseProblem(path, 'mlflowDatabaseInvalid', `SQLite could not read it (${detail}). Is the file complete?`);
}

/** The SQLite reader with default settings (24 h staleness, the system clock), sql.js loaded on first use. */
export const mlflowSqliteReader: MlflowSqliteReader = createMlflowSqliteReader({ clock: systemClock });
