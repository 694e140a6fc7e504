import type { RunQuery } from '../../engine/runIndex/queryRunIndex';
import type { FollowUpdate, SeriesWindow } from './createRunIndexService';

/** What the run index worker is started with (`workerData`). */
export interface RunIndexWorkerData {
  readonly workspaceRoot: string;
  readonly cachePath?: string | false;
  readonly skip?: readonly string[];
  readonly staleAfterMs?: number;
}

/** Client -> worker. Every request gets exactly one response with the same id. */
export type RunIndexRequest =
  | { readonly id: number; readonly method: 'listRuns'; readonly query: RunQuery; readonly revalidate?: boolean }
  | { readonly id: number; readonly method: 'lookup'; readonly runId: string }
  /** A run with its mlc record and log tails (readRunDetails), for the Run Details panel. */
  | { readonly id: number; readonly method: 'runDetails'; readonly runId: string }
  /** The model registries of the MLflow stores found (readIndexedMlflowRegistries), for the Models view. */
  | { readonly id: number; readonly method: 'mlflowRegistries' }
  | {
      readonly id: number;
      readonly method: 'series';
      readonly runId: string;
      readonly names?: readonly string[];
      readonly maxPoints?: number;
      readonly window?: SeriesWindow;
    }
  | {
      readonly id: number;
      readonly method: 'follow';
      readonly runId: string;
      readonly names?: readonly string[];
      readonly maxPoints?: number;
    }
  | { readonly id: number; readonly method: 'unfollow'; readonly subscription: number }
  /** A git call of the extension host (GitCalls), answered here so simple-git stays out of its bundle. */
  | { readonly id: number; readonly method: 'git'; readonly call: 'state' | 'repoState'; readonly cwd: string }
  | {
      readonly id: number;
      readonly method: 'git';
      readonly call: 'changedFiles';
      readonly cwd: string;
      readonly from: string;
      readonly to: string;
    };

/** Worker -> client: a response, or an update of a followed run. */
export type RunIndexMessage =
  | { readonly type: 'response'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly type: 'response'; readonly id: number; readonly ok: false; readonly error: string }
  | { readonly type: 'followUpdate'; readonly subscription: number; readonly update: FollowUpdate };
