import { basename, join } from 'pathe';
import type { DirectoryEntry, FileSystem } from '../../ports';
import type { Problem } from '../../problems';
import { lastSegment } from '../../workspace/pathSteps';
import {
  DEFAULT_STALE_AFTER_MS,
  type FileRunReaderOptions,
  workspaceRunIdentity,
} from '../../runIndex/fileRunReaderOptions';
import { readParamsYaml } from '../../runIndex/readParamsYaml';
import type { ReaderContext, RunListing, RunSeriesResult, RunStoreLocation, RunSummary } from '../../runs/model';
import { readFileEdges } from '../../series/readFileEdges';
import type { SeriesTail, TailableRunReader } from '../../series/seriesTail';
import { createDvcliveTsvParser } from './createDvcliveTsvParser';
import { createDvcliveRunTail, type DvcliveLayout, listDvcliveSeriesFiles } from './dvcliveRunTail';
import { inferDvcliveStatus } from './inferDvcliveStatus';
import { readDvcliveSummary } from './readDvcliveSummary';
import { watchesDvclive } from './watchesDvclive';

const SERIES_MAX_BYTES_PER_FILE = 1024 * 1024 * 1024;

/**
 * DVCLive output folders (FORMATS.md 2): `metrics.json` + `params.yaml` + `plots/metrics/**.tsv`
 * in a folder named `dvclive` or any folder with that layout, and DVCLive 0.x's `dvclive/*.tsv`
 * with a `dvclive.json` beside the folder. Id `dvclive:<workspace-relative folder>`.
 *
 * Detection is cheap and generous (it sees one folder's entries); `list` confirms that the folder
 * really is DVCLive output (a `plots/metrics` folder, or the name `dvclive`), so a DVC project
 * root that merely has `metrics.json` and `plots/` yields no run.
 */
export function createDvcliveReader(options: FileRunReaderOptions): TailableRunReader {
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const now = () => options.clock.now();
  return {
    source: 'dvclive',
    watches: watchesDvclive,
    detect(folder, entries) {
      return {
        stores: isDvcliveCandidate(folder, entries) ? [{ source: 'dvclive', path: folder }] : [],
        descend: true,
      };
    },
    async list(store: RunStoreLocation, context: ReaderContext): Promise<RunListing> {
      const { fs } = context;
      const layout = resolveLayout(fs, store.path);
      if (!layout) return { runs: [], problems: [] };
      const problems: Problem[] = [];
      const summaryPath = layout.recursive ? join(store.path, 'metrics.json') : `${store.path}.json`;
      const summary = readDvcliveSummary(fs, summaryPath);
      problems.push(...summary.problems);
      const params = readParamsYaml(fs, join(store.path, 'params.yaml'));
      problems.push(...params.problems);
      const metrics: Record<string, number> = {};
      let newest = summary.exists ? fs.stat(summaryPath)?.mtimeMs : undefined;
      let firstTimestamp: number | undefined;
      let lastTimestamp: number | undefined;
      const files = listDvcliveSeriesFiles(fs, layout);
      for (const [name, path] of files) {
        const edges = readFileEdges(fs, path);
        if (!edges) continue;
        newest = Math.max(newest ?? 0, edges.stat.mtimeMs);
        const headParser = createDvcliveTsvParser(path, name);
        headParser.feed(edges.head, 1);
        const tailParser = edges.isWhole ? headParser : createDvcliveTsvParser(path, name);
        if (edges.isWhole) headParser.feed(edges.tail, 2);
        else tailParser.feed(edges.tail, 1);
        problems.push(...headParser.takeProblems(), ...(edges.isWhole ? [] : tailParser.takeProblems()));
        const first = headParser.builders.get(name)?.build();
        const last = tailParser.builders.get(name)?.build();
        if (first && first.timestamps.length > 0 && !Number.isNaN(first.timestamps[0]!)) {
          firstTimestamp = Math.min(firstTimestamp ?? Number.POSITIVE_INFINITY, first.timestamps[0]!);
        }
        if (last && last.values.length > 0) {
          metrics[name] = last.values[last.values.length - 1]!;
          const lastTime = last.timestamps[last.timestamps.length - 1]!;
          if (!Number.isNaN(lastTime)) lastTimestamp = Math.max(lastTimestamp ?? 0, lastTime);
        }
      }
      Object.assign(metrics, summary.metrics);
      const status = inferDvcliveStatus(fs, {
        folder: store.path,
        workspaceRoot: options.workspaceRoot,
        newestMtimeMs: newest,
        hasSummary: summary.exists,
        hasSeries: files.size > 0,
        now: now(),
        staleAfterMs,
        isProcessAlive: options.isProcessAlive,
      });
      const endedAt = lastTimestamp ?? newest;
      // Not `{ ...workspaceRunIdentity(...), ... }`: a literal that begins with a spread gets a map of
      // its own per run in V8 (see buildRunIndex.test.ts, hidden classes).
      const { id, source, name } = workspaceRunIdentity('dvclive', options.workspaceRoot, store.path);
      const run: RunSummary = {
        id,
        source,
        name,
        status,
        ...(firstTimestamp !== undefined ? { startedAt: firstTimestamp } : {}),
        ...(status !== 'running' && endedAt !== undefined ? { endedAt: Math.round(endedAt) } : {}),
        params: params.params,
        metrics,
        location: store.path,
        ...(problems.length > 0 ? { problems } : {}),
      };
      return { runs: [run], problems: [] };
    },
    async series(store, _runId, context, names): Promise<RunSeriesResult> {
      const layout = resolveLayout(context.fs, store.path);
      if (!layout) return { series: {}, problems: [] };
      const update = createDvcliveRunTail(layout, {
        names,
        maxBytesPerFile: SERIES_MAX_BYTES_PER_FILE,
        clock: options.clock,
      }).poll(context);
      return { series: update.series, problems: update.problems };
    },
    createTail(store, _runId, names): SeriesTail {
      // The layout (modern or 0.x) is decided at the first poll, when a file system is at hand.
      let tail: SeriesTail | undefined;
      return {
        poll(context) {
          if (!tail) {
            const layout = resolveLayout(context.fs, store.path);
            if (!layout) return { reset: false, series: {}, problems: [] };
            tail = createDvcliveRunTail(layout, {
              names,
              maxBytesPerFile: SERIES_MAX_BYTES_PER_FILE,
              clock: options.clock,
            });
          }
          return tail.poll(context);
        },
        watchedPaths: () => tail?.watchedPaths() ?? [store.path],
      };
    },
  };
}

function isDvcliveCandidate(folder: string, entries: readonly DirectoryEntry[]): boolean {
  const has = (name: string, kind: DirectoryEntry['kind']) =>
    entries.some((entry) => entry.name === name && entry.kind === kind);
  const isNamedDvclive = lastSegment(folder) === 'dvclive';
  if (has('plots', 'directory')) {
    return isNamedDvclive || has('metrics.json', 'file') || has('params.yaml', 'file') || has('dvc.yaml', 'file');
  }
  if (!isNamedDvclive) return false;
  return has('metrics.json', 'file') || entries.some((entry) => entry.kind === 'file' && entry.name.endsWith('.tsv'));
}

/** Which layout a candidate folder has, or undefined when it is not DVCLive output after all. */
function resolveLayout(fs: FileSystem, folder: string): DvcliveLayout | undefined {
  const seriesFolder = join(folder, 'plots', 'metrics');
  if (fs.stat(seriesFolder)?.kind === 'directory') return { seriesFolder, recursive: true };
  if (basename(folder) !== 'dvclive') return undefined;
  let entries: readonly DirectoryEntry[] = [];
  try {
    entries = fs.readDirectory(folder);
  } catch {
    return undefined;
  }
  const hasLegacySeries = entries.some((entry) => entry.kind === 'file' && entry.name.endsWith('.tsv'));
  if (hasLegacySeries && fs.stat(`${folder}.json`)?.kind === 'file') return { seriesFolder: folder, recursive: false };
  if (hasLegacySeries && !entries.some((entry) => entry.name === 'metrics.json')) {
    return { seriesFolder: folder, recursive: false };
  }
  return { seriesFolder, recursive: true };
}
