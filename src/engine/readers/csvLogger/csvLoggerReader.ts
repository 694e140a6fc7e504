import type { FileSystem } from '../../ports';
import type { Problem } from '../../problems';
import { childPath } from '../../workspace/pathSteps';
import {
  DEFAULT_STALE_AFTER_MS,
  type FileRunReaderOptions,
  inferFileRunStatus,
  workspaceRunIdentity,
} from '../../runIndex/fileRunReaderOptions';
import { isDeclaredStageOutput } from '../../runIndex/isDeclaredStageOutput';
import { readParamsYaml } from '../../runIndex/readParamsYaml';
import type { ReaderContext, RunListing, RunSeriesResult, RunStoreLocation, RunSummary } from '../../runs/model';
import { readFileEdges } from '../../series/readFileEdges';
import type { SeriesTail, TailableRunReader } from '../../series/seriesTail';
import { createSeriesTailDelivery } from '../../series/seriesTailDelivery';
import { createTextFileTail } from '../../series/textFileTail';
import { createCsvLogParser } from './createCsvLogParser';
import { KERAS_LOG_NAME, LIGHTNING_LOG_NAME, watchesCsvLogs } from './watchesCsvLogs';

const SERIES_MAX_BYTES = 1024 * 1024 * 1024;

/**
 * Keras `CSVLogger` files and PyTorch Lightning `CSVLogger` folders (FORMATS.md 8).
 * Lightning: `<...>/version_N/metrics.csv` (+ `hparams.yaml`), one run per folder, id
 * `csv:<workspace-relative folder>`. Keras: one run per file, id `csv:<workspace-relative file>`.
 * A file counts only when its header has an `epoch` column (Keras: first) or a `step` column
 * (Lightning) plus at least one metric column. A log that a pipeline stage declares as an output
 * is not a run of its own: it is part of the pipeline's runs (see isDeclaredStageOutput).
 */
export function createCsvLoggerReader(options: FileRunReaderOptions): TailableRunReader {
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const now = () => options.clock.now();
  return {
    source: 'csv',
    watches: watchesCsvLogs,
    detect(folder, entries) {
      const stores: RunStoreLocation[] = [];
      for (const entry of entries) {
        if (entry.kind !== 'file') continue;
        if (entry.name === LIGHTNING_LOG_NAME) stores.push({ source: 'csv', path: folder });
        else if (KERAS_LOG_NAME.test(entry.name)) stores.push({ source: 'csv', path: childPath(folder, entry.name) });
      }
      return { stores, descend: true };
    },
    async list(store: RunStoreLocation, context: ReaderContext): Promise<RunListing> {
      const { fs } = context;
      const { file, isLightning } = resolveLogFile(fs, store.path);
      if (isDeclaredStageOutput(fs, options.workspaceRoot, file)) return { runs: [], problems: [] };
      const edges = readFileEdges(fs, file);
      if (!edges) return { runs: [], problems: [] };
      const headerLine = edges.head.split('\n', 1)[0]!.replace(/\r$/, '');
      if (!isCsvLogHeader(headerLine, isLightning)) return { runs: [], problems: [] };
      const problems: Problem[] = [];
      const parser = createCsvLogParser(file);
      parser.feed(edges.isWhole ? edges.head : `${headerLine}\n`, 1);
      parser.feed(edges.tail, 2);
      problems.push(...parser.takeProblems());
      const metrics: Record<string, number> = {};
      for (const [name, builder] of parser.builders) {
        const value = builder.lastValue();
        if (value !== undefined) metrics[name] = value;
      }
      const params = isLightning
        ? readParamsYaml(fs, childPath(store.path, 'hparams.yaml'))
        : { params: {}, problems: [] };
      problems.push(...params.problems);
      const status = inferFileRunStatus({
        newestMtimeMs: edges.stat.mtimeMs,
        endsTorn: edges.endsTorn,
        now: now(),
        staleAfterMs,
      });
      // Not `{ ...workspaceRunIdentity(...), ... }`: a literal that begins with a spread gets a map of
      // its own per run in V8 (see buildRunIndex.test.ts, hidden classes).
      const { id, source, name } = workspaceRunIdentity('csv', options.workspaceRoot, store.path);
      const run: RunSummary = {
        id,
        source,
        name,
        status,
        ...(status !== 'running' ? { endedAt: Math.round(edges.stat.mtimeMs) } : {}),
        params: params.params,
        metrics,
        location: store.path,
        ...(problems.length > 0 ? { problems } : {}),
      };
      return { runs: [run], problems: [] };
    },
    async series(store, runId, context, names): Promise<RunSeriesResult> {
      const update = this.createTail(store, runId, names).poll(context);
      return { series: update.series, problems: update.problems };
    },
    createTail(store, _runId, names): SeriesTail {
      const wanted = names ? new Set(names) : undefined;
      const delivery = createSeriesTailDelivery();
      let tail: ReturnType<typeof createTextFileTail> | undefined;
      return {
        poll(context) {
          if (!tail) {
            const { file } = resolveLogFile(context.fs, store.path);
            tail = createTextFileTail(file, () => createCsvLogParser(file, { names }), {
              maxBytes: SERIES_MAX_BYTES,
              clock: options.clock,
            });
          }
          const result = tail.poll(context.fs, context.signal);
          const builders = new Map([...tail.parser.builders].filter(([name]) => !wanted || wanted.has(name)));
          const delivered = delivery.deliver(builders, result.change === 'reset' || result.change === 'missing');
          return { reset: delivered.reset, series: delivered.series, problems: result.problems };
        },
        watchedPaths: () => (tail ? [tail.path] : [store.path]),
      };
    },
  };
}

/** A Lightning store is the version folder; a Keras store is the log file itself. */
function resolveLogFile(fs: FileSystem, storePath: string): { file: string; isLightning: boolean } {
  const isFolder = fs.stat(storePath)?.kind === 'directory';
  return isFolder
    ? { file: childPath(storePath, 'metrics.csv'), isLightning: true }
    : { file: storePath, isLightning: false };
}

/** The header heuristic of this reader (documented in CONTRIBUTING.md and above). */
export function isCsvLogHeader(headerLine: string, isLightning: boolean): boolean {
  const columns = headerLine.split(',').map((column) => column.trim().replace(/^"|"$/g, ''));
  if (columns.length < 2 || columns.some((column) => column.length === 0)) return false;
  if (isLightning) return columns.includes('step') || columns.includes('epoch');
  return columns[0] === 'epoch';
}
