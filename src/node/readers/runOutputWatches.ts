import { watchesCsvLogs } from '../../engine/readers/csvLogger/watchesCsvLogs';
import { watchesDvclive } from '../../engine/readers/dvclive/watchesDvclive';
import { watchesMlflowFileStore } from '../../engine/readers/mlflow/watchesMlflowFileStore';
import { watchesTensorboardEvents } from '../../engine/readers/tensorboard/watchesTensorboardEvents';
import type { RunReader } from '../../engine/runs/model';
import { watchesMlcRuns } from '../../engine/runStore/mlcRunReader';
import { watchesMlflowDatabase } from './mlflowSqlite/mlflowDatabaseFiles';

/**
 * Each reader's own `watches` declaration, in the order of createAllRunReaders (a test checks that
 * they are the very functions its readers carry). Watchers that hold no readers use this: the
 * extension host's and `mlc runs --watch`; importing it loads neither the readers nor sql.js.
 */
export const RUN_OUTPUT_WATCHES: readonly RunReader['watches'][] = [
  watchesMlcRuns,
  watchesMlflowFileStore,
  watchesMlflowDatabase,
  watchesDvclive,
  watchesTensorboardEvents,
  watchesCsvLogs,
];

/** Whether a change at this workspace-relative path may alter a run of any source. */
export function isRunOutputPath(relativePath: string): boolean {
  return RUN_OUTPUT_WATCHES.some((watches) => watches(relativePath));
}
