import type { FileSystem } from '../../ports';
import type { Problem } from '../../problems';
import { problemAt } from '../../problems';
import { LatestPointTracker, latestMetricValue } from './metricSeriesBuilder';
import { unreadableProblem } from './mlflowProblems';
import { decodeMetricText, MetricLineParser, readMetricHistory } from './readMetricHistory';

/**
 * Below this size one small read holds the whole history. Node serves reads under 4 KiB from a
 * shared pool, so the common tiny metric file costs no allocation of its own.
 */
const SMALL_READ_BYTES = 4095;
/** Histories up to this size are read whole for the latest value, like MLflow does. */
const FULL_READ_BYTES = 64 * 1024 * 1024;
/** Above it, only this much of the end is read: the latest point is nearly always near the end. */
const TAIL_READ_BYTES = 1024 * 1024;
const NEWLINE = 10;

export interface LatestMetric {
  readonly value: number | undefined;
  /** Bytes of an unterminated last line (a writer is appending, or it crashed mid-line). */
  readonly pendingBytes: number;
  readonly problems: readonly Problem[];
}

/**
 * The latest value of one file-store metric (MLflow's max over (step, timestamp, value)), for the
 * run table. Histories above 64 MiB are judged from their last MiB, and say so in a problem.
 */
export function readLatestMetric(fs: FileSystem, path: string): LatestMetric {
  let head: Uint8Array;
  try {
    head = fs.readRange(path, 0, SMALL_READ_BYTES);
  } catch (error) {
    return { value: undefined, pendingBytes: 0, problems: [unreadableProblem(path, error)] };
  }
  if (head.length < SMALL_READ_BYTES) return latestOfBytes(path, head, 1);
  let size: number;
  try {
    size = fs.stat(path)?.size ?? 0;
  } catch (error) {
    return { value: undefined, pendingBytes: 0, problems: [unreadableProblem(path, error)] };
  }
  if (size <= FULL_READ_BYTES) {
    const history = readMetricHistory(fs, path, 0, { firstChunkSize: 1024 * 1024 });
    return { value: latestMetricValue(history.series), pendingBytes: history.pendingBytes, problems: history.problems };
  }
  let tail: Uint8Array;
  try {
    tail = fs.readRange(path, size - TAIL_READ_BYTES, TAIL_READ_BYTES);
  } catch (error) {
    return { value: undefined, pendingBytes: 0, problems: [unreadableProblem(path, error)] };
  }
  // The first line of the tail is probably cut: start after its newline.
  const firstNewline = tail.indexOf(NEWLINE);
  const latest = latestOfBytes(path, tail.subarray(firstNewline + 1), 1);
  const notice = problemAt(
    path,
    undefined,
    'info',
    'mlflowMetricFileLarge',
    `This metric history is ${Math.round(size / 1048576)} MiB; its latest value was taken from the last MiB. Open the run's chart to read it all.`,
  );
  return { ...latest, problems: [...latest.problems, notice] };
}

function latestOfBytes(path: string, bytes: Uint8Array, firstLine: number): LatestMetric {
  const lastNewline = bytes.lastIndexOf(NEWLINE);
  const latest = new LatestPointTracker();
  const parser = new MetricLineParser(path, firstLine, latest);
  if (lastNewline >= 0) parser.parse(decodeMetricText(bytes.subarray(0, lastNewline)));
  const result = parser.result(lastNewline + 1);
  return {
    value: latest.value,
    pendingBytes: bytes.length - (lastNewline + 1),
    problems: result.problems,
  };
}
