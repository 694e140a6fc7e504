import type { Problem } from '../problems';
import type { MetricSeries, ReaderContext, RunReader, RunStoreLocation } from '../runs/model';

/** What one incremental read of a run found. */
export interface SeriesTailUpdate {
  /**
   * True when earlier points are no longer valid (a file was truncated or replaced, a restart
   * purged newer steps): `series` then holds every point from the start, not only new ones.
   */
  readonly reset: boolean;
  /** New points per metric since the previous poll (or everything, after a reset). */
  readonly series: Readonly<Record<string, MetricSeries>>;
  readonly problems: readonly Problem[];
}

/**
 * Follows one run while it is written: each poll reads only what was appended since the last one
 * (from the last complete line or record), keeps a torn last line for later, and notices files
 * that were truncated or replaced (then reads them again from 0 and says `reset`).
 */
export interface SeriesTail {
  poll(context: ReaderContext): SeriesTailUpdate;
  /** The files and folders worth watching for this run (for a file watcher). */
  watchedPaths(): readonly string[];
}

/** A reader that can follow a run incrementally (all of H5's readers; others fall back to re-reads). */
export interface TailableRunReader extends RunReader {
  createTail(store: RunStoreLocation, runId: string, names?: readonly string[]): SeriesTail;
}

export function isTailableReader(reader: RunReader): reader is TailableRunReader {
  return typeof (reader as Partial<TailableRunReader>).createTail === 'function';
}
