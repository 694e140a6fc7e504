import type { RunStatus } from '../../runs/model';

/** A RUNNING run with nothing written for this long is shown as interrupted (see below). */
export const DEFAULT_STALE_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * MLflow's RunStatus: an int in the file store's meta.yaml (service.proto `RunStatus`), a string
 * in the SQL store. A missing status means RUNNING (FORMATS.md 3.2). Undefined: unknown value.
 */
export function mapMlflowStatus(raw: string | number | null | undefined): RunStatus | undefined {
  switch (raw === null || raw === undefined ? '' : String(raw).trim().toUpperCase()) {
    case '':
    case '1':
    case 'RUNNING':
      return 'running';
    case '2':
    case 'SCHEDULED':
      return 'queued';
    case '3':
    case 'FINISHED':
      return 'succeeded';
    case '4':
    case 'FAILED':
      return 'failed';
    case '5':
    case 'KILLED':
      return 'cancelled';
    default:
      return undefined;
  }
}

export interface StatusEvidence {
  readonly status: RunStatus;
  /** The newest time anything of the run was written (file mtimes, metric timestamps), epoch ms. */
  readonly lastActivityMs: number | undefined;
  readonly now: number;
  readonly staleAfterMs: number;
}

/**
 * MLflow never rewrites the status of a process that was killed or crashed: it stays RUNNING with
 * no end time for ever. A RUNNING run whose newest write is older than `staleAfterMs` (24 h by
 * default) is therefore shown as interrupted; a run that logs less often than that is
 * misclassified until its next write, which is the price of not being able to see the process.
 */
export function isStaleRunning(evidence: StatusEvidence): boolean {
  if (evidence.status !== 'running' || evidence.lastActivityMs === undefined) return false;
  return evidence.now - evidence.lastActivityMs > evidence.staleAfterMs;
}
