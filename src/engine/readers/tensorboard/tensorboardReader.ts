import { join } from 'pathe';
import type { Problem } from '../../problems';
import {
  DEFAULT_STALE_AFTER_MS,
  type FileRunReaderOptions,
  inferFileRunStatus,
  workspaceRunIdentity,
} from '../../runIndex/fileRunReaderOptions';
import { readParamsYaml } from '../../runIndex/readParamsYaml';
import type { ReaderContext, RunListing, RunSeriesResult, RunStoreLocation, RunSummary } from '../../runs/model';
import type { TailableRunReader } from '../../series/seriesTail';
import { createTensorboardRunTail, isEventFileName } from './tensorboardRunTail';

/** Listing reads at most this much of each event file (its end, where the latest values are). */
const LIST_MAX_BYTES_PER_FILE = 64 * 1024 * 1024;
/** Series reads at most this much of each event file, so a runaway file cannot exhaust memory. */
const SERIES_MAX_BYTES_PER_FILE = 1024 * 1024 * 1024;

/**
 * TensorBoard event files (FORMATS.md 5): one run per folder that directly holds
 * `*tfevents*` files, id `tensorboard:<workspace-relative folder>`. Params come from a Lightning
 * `hparams.yaml` beside the events when there is one.
 */
export function createTensorboardReader(options: FileRunReaderOptions): TailableRunReader {
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const now = () => options.clock?.now() ?? Date.now();
  return {
    source: 'tensorboard',
    detect(folder, entries) {
      const hasEvents = entries.some((entry) => entry.kind === 'file' && isEventFileName(entry.name));
      return { stores: hasEvents ? [{ source: 'tensorboard', path: folder }] : [], descend: true };
    },
    async list(store: RunStoreLocation, context: ReaderContext): Promise<RunListing> {
      const tail = createTensorboardRunTail(store.path, { maxBytesPerFile: LIST_MAX_BYTES_PER_FILE });
      const problems: Problem[] = [];
      try {
        problems.push(...tail.poll(context).problems);
      } catch (error) {
        problems.push({
          file: store.path,
          line: 1,
          column: 1,
          severity: 'error',
          code: 'tensorboardUnreadable',
          message: `Cannot read the event files: ${String(error)}`,
        });
      }
      const facts = tail.facts();
      if (facts.eventFiles.length === 0) return { runs: [], problems };
      const hparams = readParamsYaml(context.fs, join(store.path, 'hparams.yaml'));
      problems.push(...hparams.problems);
      const status = inferFileRunStatus({
        newestMtimeMs: facts.newestMtimeMs,
        endsTorn: facts.endsInsideRecord,
        now: now(),
        staleAfterMs,
      });
      const run: RunSummary = {
        ...workspaceRunIdentity('tensorboard', options.workspaceRoot, store.path),
        status,
        ...(facts.firstWallTimeMs !== undefined ? { startedAt: Math.round(facts.firstWallTimeMs) } : {}),
        ...(status !== 'running' && facts.lastWallTimeMs !== undefined
          ? { endedAt: Math.round(facts.lastWallTimeMs) }
          : {}),
        params: hparams.params,
        metrics: facts.latest,
        location: store.path,
        ...(problems.length > 0 ? { problems } : {}),
      };
      return { runs: [run], problems: [] };
    },
    async series(store, _runId, context, names): Promise<RunSeriesResult> {
      const tail = createTensorboardRunTail(store.path, { names, maxBytesPerFile: SERIES_MAX_BYTES_PER_FILE });
      const update = tail.poll(context);
      return { series: update.series, problems: update.problems };
    },
    createTail: (store, _runId, names) =>
      createTensorboardRunTail(store.path, { names, maxBytesPerFile: SERIES_MAX_BYTES_PER_FILE }),
  };
}
