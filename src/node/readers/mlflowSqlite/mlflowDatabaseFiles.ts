import { basename } from 'pathe';

/** The only name the SQLite reader claims (stores named otherwise by MLFLOW_TRACKING_URI are out of scope). */
export const MLFLOW_DATABASE_NAME = 'mlflow.db';

/**
 * What the SQLite reader watches: the database and the WAL or rollback journal beside it (a
 * commit may touch only those). Kept apart from the reader so watchers need not load sql.js.
 */
export const watchesMlflowDatabase = (relativePath: string) =>
  ['', '-wal', '-journal'].some((suffix) => basename(relativePath) === `${MLFLOW_DATABASE_NAME}${suffix}`);
