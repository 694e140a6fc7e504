import type { FileSystem } from '../ports';
import type { MetricSeries, RunSeriesResult } from '../runs/model';
import { forEachLine } from '../series/readCompleteLines';
import { createSeriesBuilder, type SeriesBuilder } from '../series/seriesBuilder';
import { skippedRowsProblem } from '../series/skippedRowsProblem';
import { createTextFileTail, type LineTableParser } from '../series/textFileTail';
import type { MetricPoint } from './plotFileTailer';

/**
 * `metrics.jsonl` of a run folder: one point per line, appended while the stages run:
 * `{"stage":"train","name":"loss","step":3,"value":0.25,"timestamp":1764145000000}`.
 * JSON has no NaN or infinities, so those values are written as the strings "nan", "inf", "-inf".
 */
export function formatMetricLines(stage: string, points: readonly MetricPoint[]): string {
  let text = '';
  for (const point of points) {
    const value = jsonMetricValue(point.value);
    text += `${JSON.stringify({ stage, name: point.name, step: point.step, value, timestamp: point.timestamp })}\n`;
  }
  return text;
}

/** A metric value as JSON can hold it: NaN and the infinities as the strings "nan", "inf", "-inf". */
export function jsonMetricValue(value: number): number | 'nan' | 'inf' | '-inf' {
  if (Number.isFinite(value)) return value;
  if (Number.isNaN(value)) return 'nan';
  return value > 0 ? 'inf' : '-inf';
}

function decodeValue(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (value === 'nan') return Number.NaN;
  if (value === 'inf') return Number.POSITIVE_INFINITY;
  if (value === '-inf') return Number.NEGATIVE_INFINITY;
  return undefined;
}

export interface ParsedMetricsLog {
  readonly series: Record<string, MetricSeries>;
  /** Lines that were not valid points (a torn last line is not counted: it is expected). */
  readonly badLines: number;
}

/**
 * Parses blocks of complete metrics.jsonl lines into one series per name (a LineTableParser, so
 * the log is read in chunks by createTextFileTail and never needs to fit in one string). Lines
 * that are not points are skipped and reported once per poll with the first one's line number.
 */
export function createMetricsLogParser(
  path: string,
  names?: readonly string[],
): LineTableParser & { readonly badLines: number } {
  const wanted = names ? new Set(names) : undefined;
  const builders = new Map<string, SeriesBuilder>();
  let badLines = 0;
  let unreportedBadLines = 0;
  let firstBadLine = 0;
  return {
    builders,
    get badLines() {
      return badLines;
    },
    feed(text, firstLine) {
      let line = firstLine;
      forEachLine(text, (lineText) => {
        if (!addPoint(lineText) && lineText.trim() !== '') {
          badLines++;
          if (unreportedBadLines++ === 0) firstBadLine = line;
        }
        line++;
      });
      return line - firstLine;
    },
    takeProblems() {
      if (unreportedBadLines === 0) return [];
      const problem = skippedRowsProblem(
        path,
        firstBadLine,
        'warning',
        `${unreportedBadLines} line(s) are not metric points ({"name", "step", "value"} as JSON) and were skipped; the other points are shown.`,
      );
      unreportedBadLines = 0;
      return [problem];
    },
  };

  /** Adds the point of one line; false when the line is not a point. */
  function addPoint(line: string): boolean {
    let record: { name?: unknown; step?: unknown; value?: unknown; timestamp?: unknown };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      return false;
    }
    if (typeof record !== 'object' || record === null) return false;
    const value = decodeValue(record.value);
    if (typeof record.name !== 'string' || typeof record.step !== 'number' || value === undefined) return false;
    if (wanted && !wanted.has(record.name)) return true;
    let builder = builders.get(record.name);
    if (!builder) {
      builder = createSeriesBuilder(16);
      builders.set(record.name, builder);
    }
    builder.push(record.step, value, typeof record.timestamp === 'number' ? record.timestamp : Number.NaN);
    return true;
  }
}

/**
 * Reads the whole log text into one series per name. The last line is ignored when it has no
 * newline (a writer was interrupted mid-line); other bad lines are skipped and counted.
 */
export function parseMetricsLog(text: string, names?: readonly string[]): ParsedMetricsLog {
  const parser = createMetricsLogParser('metrics.jsonl', names);
  parser.feed(text.slice(0, text.lastIndexOf('\n') + 1), 1);
  return { series: buildAll(parser.builders), badLines: parser.badLines };
}

/**
 * Reads a run's metrics.jsonl from disk in chunks, whatever its size (a single string tops out
 * near 512 MiB in V8). A missing file is an empty log: a run that logged no metric writes none.
 */
export function readMetricsLog(
  fs: FileSystem,
  path: string,
  names?: readonly string[],
  signal?: AbortSignal,
): RunSeriesResult {
  const tail = createTextFileTail(path, () => createMetricsLogParser(path, names));
  const { problems } = tail.poll(fs, signal);
  return { series: buildAll(tail.parser.builders), problems };
}

function buildAll(builders: ReadonlyMap<string, SeriesBuilder>): Record<string, MetricSeries> {
  const series: Record<string, MetricSeries> = {};
  for (const [name, builder] of builders) series[name] = builder.build();
  return series;
}

/** The latest value of each series (the last point written). */
export function latestValues(series: Readonly<Record<string, MetricSeries>>): Record<string, number> {
  const latest: Record<string, number> = {};
  for (const [name, points] of Object.entries(series)) {
    const last = points.values.length - 1;
    if (last >= 0) latest[name] = points.values[last]!;
  }
  return latest;
}
