import type { FileSystem } from '../../ports';
import type { Problem } from '../../problems';
import { problemAt } from '../../problems';
import type { MetricSeries } from '../../runs/model';
import { unreadableProblem } from './mlflowProblems';
import type { MetricPointSink } from './metricSeriesBuilder';
import { MetricSeriesBuilder } from './metricSeriesBuilder';

export interface MetricHistoryOptions {
  /** Read at most this many bytes from `fromOffset`; the rest is reported (default 512 MiB). */
  readonly maxBytes?: number;
  /** Bytes per read after the first (default 1 MiB: large synchronous reads are the fastest). */
  readonly chunkSize?: number;
  /** Bytes of the first read (default 64 KiB), small because most histories are short. */
  readonly firstChunkSize?: number;
  /** The line number of the line at `fromOffset`, for problem locations (default 1). */
  readonly firstLine?: number;
}

export interface MetricHistoryRead {
  /** The complete lines read from `fromOffset`, in file order. */
  readonly series: MetricSeries;
  /** The byte offset after the last complete line: pass it back to read only what was appended. */
  readonly nextOffset: number;
  /** The line number at `nextOffset` (pass it back as `firstLine`). */
  readonly nextLine: number;
  /** Bytes of an unterminated last line left for the next read (a writer may be appending). */
  readonly pendingBytes: number;
  /** True when `maxBytes` stopped the read before the end of the file. */
  readonly truncated: boolean;
  readonly problems: readonly Problem[];
}

const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;
const DEFAULT_CHUNK = 1024 * 1024;
const DEFAULT_FIRST_CHUNK = 64 * 1024;
/** A metric line is ~40 bytes; a "line" this long without a newline is not a metric file. */
const MAX_LINE_BYTES = 64 * 1024;
const MAX_LINE_PROBLEMS = 3;
const NEWLINE = 10;
const decoder = new TextDecoder('latin1');

/**
 * Reads an MLflow file-store metric history (`<timestamp_ms> <value> <step>` lines, or the legacy
 * `<timestamp_ms> <value>` with step 0) from a byte offset, in chunks through `readRange`, so a
 * 2 GB file is never read whole and a live run can be followed by re-reading from `nextOffset`.
 * An unterminated last line is left for the next read. Never throws.
 */
export function readMetricHistory(
  fs: FileSystem,
  path: string,
  fromOffset = 0,
  options: MetricHistoryOptions = {},
): MetricHistoryRead {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const chunkSize = Math.max(16, options.chunkSize ?? DEFAULT_CHUNK);
  let nextChunkSize = Math.max(16, Math.min(chunkSize, options.firstChunkSize ?? DEFAULT_FIRST_CHUNK));
  const builder = new MetricSeriesBuilder();
  const parser = new MetricLineParser(path, options.firstLine ?? 1, builder);
  let position = fromOffset;
  let consumed = fromOffset;
  let carry: Uint8Array | undefined;
  let truncated = false;
  let atEnd = false;
  while (!atEnd) {
    const remaining = fromOffset + maxBytes - position;
    if (remaining <= 0) {
      truncated = hasMoreBytes(fs, path, position);
      break;
    }
    let chunk: Uint8Array;
    try {
      chunk = fs.readRange(path, position, Math.min(nextChunkSize, remaining));
    } catch (error) {
      parser.problems.push(unreadableProblem(path, error));
      break;
    }
    atEnd = chunk.length < Math.min(nextChunkSize, remaining);
    nextChunkSize = chunkSize;
    position += chunk.length;
    const bytes = carry ? concat(carry, chunk) : chunk;
    const lastNewline = bytes.lastIndexOf(NEWLINE);
    if (lastNewline === -1) {
      carry = bytes;
    } else {
      parser.parse(decodeMetricText(bytes.subarray(0, lastNewline)));
      consumed += lastNewline + 1;
      carry = bytes.subarray(lastNewline + 1);
    }
    if (carry && carry.length > MAX_LINE_BYTES) {
      parser.problems.push(
        problemAt(
          path,
          { line: parser.line, column: 1 },
          'error',
          'mlflowMetricFileInvalid',
          `No line break in the first ${MAX_LINE_BYTES} bytes from here: this is not an MLflow metric file. Remove it from the metrics folder.`,
        ),
      );
      return { ...parser.result(consumed), series: builder.finish(), pendingBytes: 0, truncated: false };
    }
  }
  if (truncated) {
    parser.problems.push(
      problemAt(
        path,
        { line: parser.line, column: 1 },
        'warning',
        'mlflowMetricFileTooLarge',
        `This metric history is ${fileSize(fs, path) ?? 'over'} bytes; only its first ${Math.round(maxBytes / 1048576)} MiB were read, so points from line ${parser.line} on (the latest ones) are not shown. Log this metric less often (e.g. every Nth step).`,
      ),
    );
  }
  const pendingBytes = truncated ? 0 : (carry?.length ?? 0);
  return { ...parser.result(consumed), series: builder.finish(), pendingBytes, truncated };
}

/** Parses metric lines held in memory; `parse` takes text made of complete lines only. */
export class MetricLineParser {
  readonly problems: Problem[] = [];
  private invalidLines = 0;

  constructor(
    private readonly path: string,
    public line: number,
    private readonly sink: MetricPointSink,
  ) {}

  /** Parses complete lines (the text has no trailing newline; each `\n` ends one line). */
  parse(text: string): void {
    let start = 0;
    for (;;) {
      let end = text.indexOf('\n', start);
      const isLast = end === -1;
      if (isLast) end = text.length;
      this.parseLine(text, start, end);
      this.line++;
      if (isLast) return;
      start = end + 1;
    }
  }

  result(consumed: number): Omit<MetricHistoryRead, 'series' | 'pendingBytes' | 'truncated'> {
    if (this.invalidLines > MAX_LINE_PROBLEMS) {
      this.problems.push(
        problemAt(
          this.path,
          undefined,
          'warning',
          'mlflowMetricLineInvalid',
          `${this.invalidLines - MAX_LINE_PROBLEMS} more lines of this metric file were not "<timestamp> <value> <step>" and were skipped.`,
        ),
      );
    }
    return { nextOffset: consumed, nextLine: this.line, problems: this.problems };
  }

  private parseLine(text: string, start: number, end: number): void {
    // Python's str.strip() as MLflow applies it: spaces, tabs and a CR from a Windows editor.
    while (start < end && text.charCodeAt(start) <= 32) start++;
    while (end > start && text.charCodeAt(end - 1) <= 32) end--;
    if (start === end) return;
    const firstSpace = text.indexOf(' ', start);
    if (firstSpace === -1 || firstSpace >= end) return this.invalid(text, start, end);
    let secondSpace = text.indexOf(' ', firstSpace + 1);
    if (secondSpace === -1 || secondSpace > end) secondSpace = end;
    const timestamp = parseIntegerToken(text.slice(start, firstSpace));
    const value = parsePythonFloat(text.slice(firstSpace + 1, secondSpace));
    let step = 0;
    if (secondSpace < end) {
      // Extra trailing fields (possible in MLflow 3) are tolerated: only the third is the step.
      let thirdEnd = text.indexOf(' ', secondSpace + 1);
      if (thirdEnd === -1 || thirdEnd > end) thirdEnd = end;
      step = parseIntegerToken(text.slice(secondSpace + 1, thirdEnd));
    }
    if (Number.isNaN(timestamp) || value === undefined || Number.isNaN(step)) return this.invalid(text, start, end);
    this.sink.push(step, value, timestamp);
  }

  private invalid(text: string, start: number, end: number): void {
    this.invalidLines++;
    if (this.invalidLines > MAX_LINE_PROBLEMS) return;
    const shown = text.slice(start, Math.min(end, start + 60)).replace(/[^\x20-\x7e]/g, '?');
    this.problems.push(
      problemAt(
        this.path,
        { line: this.line, column: 1 },
        'warning',
        'mlflowMetricLineInvalid',
        `Metric line "${shown}" is not "<timestamp> <value> <step>"; it is skipped. Remove or fix the line.`,
      ),
    );
  }
}

/** Python `str(int)` as MLflow writes timestamps and steps (also accepts `1.0e3`-style floats). */
function parseIntegerToken(token: string): number {
  if (token.length === 0) return Number.NaN;
  const value = Number(token);
  return Number.isFinite(value) ? value : Number.NaN;
}

/**
 * Python `str(float)`: `nan`, `inf`, `-inf` and the usual decimal forms. JavaScript's Number()
 * does not know `inf`, so the tokens are mapped here. Undefined when it is not a number at all.
 */
export function parsePythonFloat(token: string): number | undefined {
  switch (token) {
    case 'nan':
    case 'NaN':
    case '-nan':
      return Number.NaN;
    case 'inf':
    case '+inf':
    case 'Infinity':
      return Number.POSITIVE_INFINITY;
    case '-inf':
    case '-Infinity':
      return Number.NEGATIVE_INFINITY;
    case '':
      return undefined;
  }
  const value = Number(token);
  return Number.isNaN(value) ? undefined : value;
}

/** Metric files are ASCII; latin1 decoding is the cheapest and never fails on junk bytes. */
export function decodeMetricText(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

function fileSize(fs: FileSystem, path: string): number | undefined {
  try {
    return fs.stat(path)?.size;
  } catch {
    return undefined;
  }
}

function hasMoreBytes(fs: FileSystem, path: string, position: number): boolean {
  try {
    return fs.readRange(path, position, 1).length > 0;
  } catch {
    return false;
  }
}

function concat(head: Uint8Array, tail: Uint8Array): Uint8Array {
  const joined = new Uint8Array(head.length + tail.length);
  joined.set(head);
  joined.set(tail, head.length);
  return joined;
}
