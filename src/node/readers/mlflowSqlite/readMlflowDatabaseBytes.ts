import type { FileSystem } from '../../../engine/ports';
import type { Problem } from '../../../engine/problems';
import { problemAt } from '../../../engine/problems';
import { mergeSqliteWal } from './mergeSqliteWal';

/** Above this, the copy sql.js needs in wasm memory would crowd the process out. */
export const MAX_DATABASE_BYTES = 1024 * 1024 * 1024;
const SQLITE_MAGIC = 'SQLite format 3\0';
const WRITE_SETTLE_ATTEMPTS = 4;
const WRITE_SETTLE_MS = 50;

export interface DatabaseBytes {
  /** The image to open, WAL pages applied and the header switched to rollback mode; undefined when unusable. */
  readonly bytes?: Uint8Array;
  readonly problems: readonly Problem[];
}

/**
 * Reads an mlflow.db through the FileSystem port without ever locking or writing it, so an MLflow
 * process can keep logging. A read that races a commit (size or mtime moved, or a rollback journal
 * is present) is retried a few times. Committed but not yet checkpointed WAL frames are merged
 * into the in-memory copy (mergeSqliteWal), the same state another SQLite reader would see.
 */
export async function readMlflowDatabaseBytes(fs: FileSystem, path: string): Promise<DatabaseBytes> {
  const problems: Problem[] = [];
  let bytes: Uint8Array | undefined;
  for (let attempt = 0; attempt < WRITE_SETTLE_ATTEMPTS; attempt++) {
    const before = statOrUndefined(fs, path);
    if (!before)
      return { problems: [databaseProblem(path, 'mlflowDatabaseUnreadable', 'The file is missing or unreadable.')] };
    if (before.size > MAX_DATABASE_BYTES) {
      const sizeMiB = Math.round(before.size / 1048576);
      return {
        problems: [
          databaseProblem(
            path,
            'mlflowDatabaseTooLarge',
            `It is ${sizeMiB} MiB, more than mlc reads in memory (1 GiB). Use an MLflow server for stores this big.`,
          ),
        ],
      };
    }
    try {
      bytes = fs.readFile(path);
    } catch (error) {
      return {
        problems: [databaseProblem(path, 'mlflowDatabaseUnreadable', `It could not be read (${errorCode(error)}).`)],
      };
    }
    const after = statOrUndefined(fs, path);
    const journal = statOrUndefined(fs, `${path}-journal`);
    const isSettled = after?.size === before.size && after.mtimeMs === before.mtimeMs && !(journal && journal.size > 0);
    if (isSettled) break;
    if (attempt === WRITE_SETTLE_ATTEMPTS - 1) {
      problems.push(
        databaseProblem(
          path,
          'mlflowDatabaseBusy',
          'MLflow was writing it while mlc read it; what is shown may lag behind. Refresh to read it again.',
          'info',
        ),
      );
    } else {
      await new Promise((resolve) => setTimeout(resolve, WRITE_SETTLE_MS));
    }
  }
  if (!bytes) return { problems };
  if (bytes.length === 0) {
    return {
      problems: [
        ...problems,
        databaseProblem(
          path,
          'mlflowDatabaseEmpty',
          'The file is empty: MLflow has not created its tables yet.',
          'info',
        ),
      ],
    };
  }
  if (!hasSqliteHeader(bytes)) {
    return {
      problems: [
        ...problems,
        databaseProblem(
          path,
          'mlflowDatabaseInvalid',
          'It is not a SQLite database (bad header). Is it really an MLflow store?',
          'error',
        ),
      ],
    };
  }
  return { bytes: applyWal(fs, path, bytes, problems), problems };
}

function applyWal(fs: FileSystem, path: string, bytes: Uint8Array, problems: Problem[]) {
  const walPath = `${path}-wal`;
  const walStat = statOrUndefined(fs, walPath);
  let image = bytes;
  if (walStat && walStat.size > 0) {
    try {
      const merge = mergeSqliteWal(bytes, fs.readFile(walPath));
      if (merge.invalidReason) {
        problems.push(
          databaseProblem(
            walPath,
            'mlflowDatabaseWalIgnored',
            `The write-ahead log was not used (${merge.invalidReason}); changes not yet checkpointed into mlflow.db are not shown.`,
            'warning',
          ),
        );
      }
      image = merge.bytes;
    } catch (error) {
      problems.push(
        databaseProblem(
          walPath,
          'mlflowDatabaseWalIgnored',
          `The write-ahead log could not be read (${errorCode(error)}); changes not yet checkpointed are not shown.`,
          'warning',
        ),
      );
    }
  }
  // Bytes 18-19 = 2 mean WAL mode; the in-memory copy has no WAL beside it, so it must say rollback.
  if (image[18] === 2 || image[19] === 2) {
    if (image === bytes) image = bytes.slice();
    image[18] = 1;
    image[19] = 1;
  }
  return image;
}

/**
 * Changes whenever the database or its WAL changes (size, mtime, ctime, inode of each): the key of
 * the open-database cache. `newestChangeMs` is the latest mtime or ctime of the two, for the racy
 * rule (statCanVouch): a database rewritten within the same timestamp tick keeps its key.
 */
export function databaseFingerprint(
  fs: FileSystem,
  path: string,
): { readonly key: string; readonly newestChangeMs: number } {
  const database = statOrUndefined(fs, path);
  const wal = statOrUndefined(fs, `${path}-wal`);
  const key = [database, wal].map((stat) => `${stat?.size}:${stat?.mtimeMs}:${stat?.ctimeMs}:${stat?.ino}`).join(':');
  const changed = [database, wal].flatMap((stat) => (stat ? [stat.mtimeMs, stat.ctimeMs] : []));
  return { key, newestChangeMs: Math.max(Number.NEGATIVE_INFINITY, ...changed) };
}

function hasSqliteHeader(bytes: Uint8Array): boolean {
  if (bytes.length < 100) return false;
  for (let index = 0; index < SQLITE_MAGIC.length; index++) {
    if (bytes[index] !== SQLITE_MAGIC.charCodeAt(index)) return false;
  }
  return true;
}

function statOrUndefined(fs: FileSystem, path: string) {
  try {
    return fs.stat(path);
  } catch {
    return undefined;
  }
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : String(error);
}

export function databaseProblem(
  path: string,
  code: string,
  detail: string,
  severity: Problem['severity'] = 'error',
): Problem {
  return problemAt(
    path,
    undefined,
    severity,
    code,
    `MLflow database ${path.slice(path.lastIndexOf('/') + 1)}: ${detail}`,
  );
}
