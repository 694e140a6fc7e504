import { join } from 'pathe';
import { type Problem, problemAt } from '../../problems';
import {
  DEFAULT_STALE_AFTER_MS,
  type FileRunReaderOptions,
  inferFileRunStatus,
  workspaceRunIdentity,
} from '../../runIndex/fileRunReaderOptions';
import { readParamsYaml } from '../../runIndex/readParamsYaml';
import type { ReaderContext, RunListing, RunSeriesResult, RunStoreLocation, RunSummary } from '../../runs/model';
import type { TailableRunReader } from '../../series/seriesTail';
import { createTensorboardRunTail, type TensorboardRunFacts } from './tensorboardRunTail';
import { isEventFileName, watchesTensorboardEvents } from './watchesTensorboardEvents';

/** Listing reads at most this much of each event file (its end, where the latest values are). */
const LIST_MAX_BYTES_PER_FILE = 64 * 1024 * 1024;
/** Series reads at most this much of each event file, so a runaway file cannot exhaust memory. */
const SERIES_MAX_BYTES_PER_FILE = 1024 * 1024 * 1024;

function noEventsProblem(facts: TensorboardRunFacts): Problem {
  const files = facts.eventFiles;
  const what = files.length === 1 ? 'This event file holds' : `The ${files.length} event files of this folder hold`;
  return problemAt(
    files[0]!,
    undefined,
    'warning',
    'tensorboardNoEvents',
    `${what} no valid TensorBoard event (${facts.totalBytes} bytes), so TensorBoard ignores ${files.length === 1 ? 'it' : 'them'} and mlc does not list the folder as a run. If a writer is still starting, the run appears once it flushes; otherwise delete the file or move it out of the workspace.`,
  );
}

/**
 * TensorBoard event files (FORMATS.md 5): one run per folder that directly holds
 * `*tfevents*` files, id `tensorboard:<workspace-relative folder>`. Params come from a Lightning
 * `hparams.yaml` beside the events when there is one.
 */
export function createTensorboardReader(options: FileRunReaderOptions): TailableRunReader {
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const now = () => options.clock.now();
  return {
    source: 'tensorboard',
    watches: watchesTensorboardEvents,
    detect(folder, entries) {
      const hasEvents = entries.some((entry) => entry.kind === 'file' && isEventFileName(entry.name));
      return { stores: hasEvents ? [{ source: 'tensorboard', path: folder }] : [], descend: true };
    },
    async list(store: RunStoreLocation, context: ReaderContext): Promise<RunListing> {
      const tail = createTensorboardRunTail(store.path, {
        maxBytesPerFile: LIST_MAX_BYTES_PER_FILE,
        clock: options.clock,
      });
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
      if (facts.decodedEvents === 0) {
        // TensorBoard ignores event files without a valid event, and so does mlc: an empty or
        // random file is not a run (let alone a running one). A fresh empty file is a writer that
        // has not flushed its first event yet, which is no problem.
        const isStarting =
          facts.totalBytes === 0 &&
          inferFileRunStatus({ newestMtimeMs: facts.newestMtimeMs, endsTorn: false, now: now(), staleAfterMs }) ===
            'running';
        return { runs: [], problems: isStarting ? problems : [...problems, noEventsProblem(facts)] };
      }
      const hparams = readParamsYaml(context.fs, join(store.path, 'hparams.yaml'));
      problems.push(...hparams.problems);
      const status = inferFileRunStatus({
        newestMtimeMs: facts.newestMtimeMs,
        endsTorn: facts.endsInsideRecord,
        now: now(),
        staleAfterMs,
        ...(facts.lastWallTimeMs !== undefined ? { lastRecordedAtMs: facts.lastWallTimeMs } : {}),
      });
      // Not `{ ...workspaceRunIdentity(...), ... }`: a literal that begins with a spread gets a map of
      // its own per run in V8 (see buildRunIndex.test.ts, hidden classes).
      const { id, source, name } = workspaceRunIdentity('tensorboard', options.workspaceRoot, store.path);
      const run: RunSummary = {
        id,
        source,
        name,
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
      const tail = createTensorboardRunTail(store.path, {
        names,
        maxBytesPerFile: SERIES_MAX_BYTES_PER_FILE,
        clock: options.clock,
      });
      const update = tail.poll(context);
      return { series: update.series, problems: update.problems };
    },
    createTail: (store, _runId, names) =>
      createTensorboardRunTail(store.path, { names, maxBytesPerFile: SERIES_MAX_BYTES_PER_FILE, clock: options.clock }),
  };
}
