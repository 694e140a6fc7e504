import type { StageRunRecord, StageStatusEntry, WorkspaceView } from '../engineServices';

/** What WorkspaceState holds per workspace folder. */
export interface RootState {
  view: WorkspaceView;
  statuses: ReadonlyMap<string, StageStatusEntry>;
  lastRuns: ReadonlyMap<string, StageRunRecord>;
  /** The status computation in flight for this folder; a newer one aborts it. */
  statusAbort?: AbortController;
}

/**
 * The state of a folder whose pipelines were loaded again. The status computation in flight was
 * started for the previous view: it is aborted here, since the state it would fill is replaced
 * (before, it ran on unseen and nothing aborted it). The last statuses stay shown until new ones come.
 */
export function reloadedRootState(previous: RootState | undefined, view: WorkspaceView): RootState {
  previous?.statusAbort?.abort();
  return {
    view,
    statuses: previous?.statuses ?? new Map(),
    lastRuns: previous?.lastRuns ?? new Map(),
  };
}
