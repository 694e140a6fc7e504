import type { PlotProps } from '../pipeline/model';
import type { Clock, FileSystem } from '../ports';
import type { Problem } from '../problems';
import { statCanVouch } from '../racyWindow';
import { splitQuoted } from '../readers/csvLogger/createCsvLogParser';
import { parseMetricNumber } from '../series/parseMetricNumber';
import { MISSHAPEN_ROW_HINT, skippedRowsProblem } from '../series/skippedRowsProblem';

/** One point of a metric series as mlc records it. */
export interface MetricPoint {
  readonly name: string;
  readonly step: number;
  readonly value: number;
  /** Epoch ms: the file's `timestamp` column when it has one, else when mlc read the row. */
  readonly timestamp: number;
}

export interface PlotTailer {
  /**
   * Reads what was appended since the last call and returns its points. A torn last line (a
   * writer mid-line) waits for the next call, unless `final` says the writer has exited.
   */
  poll(final?: boolean): MetricPoint[];
  /**
   * The rows skipped since the last call because they do not have as many fields as the header
   * (one `seriesRowSkipped` warning, at the first of them), or nothing.
   */
  takeProblems(): Problem[];
}

type PlotFormat = 'delimited' | 'jsonl' | 'json';
type Row = Readonly<Record<string, unknown>>;

const decoder = new TextDecoder('utf-8');
const X_COLUMNS = ['step', 'epoch'];

/**
 * Follows one `plots:` file of a running stage: CSV/TSV (header row unless `header: false`, then
 * columns are named `0`, `1`, … as in DVC), JSONL, or a JSON list of objects (re-read whole when
 * it changes, since it cannot be appended to). x is the `x` prop, else a `step` or `epoch`
 * column, else the row index; every other numeric column is a series. A file that shrank was
 * rewritten: it is read again from the start and rows already taken are skipped. A row with more
 * or fewer fields than the header is skipped and reported (by position its values would land under
 * the wrong names), as the CSV readers do.
 * `skipExisting` ignores rows present before the stage started (a `persist: true` file).
 */
export function createPlotTailer(
  fs: FileSystem,
  path: string,
  props: PlotProps | undefined,
  clock: Clock,
  options: { readonly skipExisting?: boolean } = {},
): PlotTailer {
  const format = formatOf(path);
  const separator = path.toLowerCase().endsWith('.tsv') ? '\t' : ',';
  const hasHeader = props?.header ?? true;
  let offset = 0;
  let header: string[] | undefined;
  let rowsSeen = 0;
  let rowsTaken = 0;
  let lastJsonSignature = '';
  /** Whether that signature could vouch for the rows read (statCanVouch): only then is a poll with it skipped. */
  let lastJsonSettled = false;
  /** 1-based line of the file the next complete line is; reset when the file is rewritten. */
  let lineNumber = 1;
  /** Misshapen rows seen since the file was last read from its start, and those already reported. */
  let misshapenSeen = 0;
  let misshapenReported = 0;
  let unreported: { count: number; firstLine: number; fields: number; headerFields: number } | undefined;

  const toPoints = (row: Row, index: number, into: MetricPoint[]) => {
    const xColumn = props?.x ?? X_COLUMNS.find((column) => column in row);
    const xValue = xColumn === undefined ? undefined : numberOf(row[xColumn]);
    const step = xValue ?? index;
    const rowTime = numberOf(row.timestamp);
    const timestamp = rowTime === undefined ? clock.now() : rowTime < 1e11 ? rowTime * 1000 : rowTime;
    for (const [name, cell] of Object.entries(row)) {
      if (name === xColumn || name === 'timestamp') continue;
      const value = numberOf(cell);
      if (value !== undefined) into.push({ name, step, value, timestamp });
    }
  };
  const takeRow = (row: Row | undefined, into: MetricPoint[], skipping: boolean) => {
    if (!row) return;
    const index = rowsSeen++;
    if (index < rowsTaken) return;
    rowsTaken = index + 1;
    if (!skipping) toPoints(row, index, into);
  };
  const takeLine = (line: string, into: MetricPoint[], skipping: boolean) => {
    const line1Based = lineNumber++;
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') return;
    if (format === 'jsonl') {
      takeRow(parseJsonRow(text), into, skipping);
      return;
    }
    const cells = text.includes('"') ? splitQuoted(text, separator) : text.split(separator);
    if (!header && hasHeader) {
      header = cells.map((cell) => cell.trim());
      return;
    }
    if (header && cells.length !== header.length) {
      // Counted once even when a rewritten file is read again from the start.
      if (++misshapenSeen > misshapenReported && !skipping) {
        misshapenReported = misshapenSeen;
        unreported ??= { count: 0, firstLine: line1Based, fields: cells.length, headerFields: header.length };
        unreported.count++;
      }
      return;
    }
    const names = header ?? cells.map((_, column) => String(column));
    const row: Record<string, string> = {};
    names.forEach((name, column) => {
      row[name] = cells[column] ?? '';
    });
    takeRow(row, into, skipping);
  };

  const pollLines = (final: boolean, skipping: boolean): MetricPoint[] => {
    const stat = fs.stat(path);
    if (!stat || stat.kind !== 'file') return [];
    if (stat.size < offset) {
      offset = 0;
      header = undefined;
      rowsSeen = 0;
      lineNumber = 1;
      misshapenSeen = 0;
    }
    if (stat.size === offset) return [];
    const bytes = fs.readRange(path, offset, stat.size - offset);
    const lastNewline = bytes.lastIndexOf(0x0a);
    const completeEnd = final ? bytes.length : lastNewline + 1;
    if (completeEnd <= 0) return [];
    const text = decoder.decode(bytes.subarray(0, completeEnd));
    // The newline ending the chunk does not start another line.
    const lines = (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
    offset += completeEnd;
    const points: MetricPoint[] = [];
    for (const line of lines) takeLine(line, points, skipping);
    return points;
  };

  const pollJson = (skipping: boolean): MetricPoint[] => {
    const takenAtMs = clock.now();
    const stat = fs.stat(path);
    if (!stat || stat.kind !== 'file') return [];
    // A JSON file is rewritten whole: one rewritten within the same timestamp tick as the last read
    // keeps its size and times, so it is read again until its stat is settled (rows already taken
    // are skipped).
    const signature = `${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}:${stat.ino}`;
    if (lastJsonSettled && signature === lastJsonSignature) return [];
    let rows: Row[];
    try {
      rows = rowsOfJson(JSON.parse(fs.readText(path)));
    } catch {
      return []; // mid-write: the next poll sees the finished file
    }
    lastJsonSignature = signature;
    lastJsonSettled = statCanVouch(stat, takenAtMs);
    rowsSeen = 0;
    const points: MetricPoint[] = [];
    for (const row of rows) takeRow(row, points, skipping);
    return points;
  };

  const poll = (final = false, skipping = false) =>
    format === 'json' ? pollJson(skipping) : pollLines(final, skipping);
  if (options.skipExisting) poll(true, true);
  const takeProblems = (): Problem[] => {
    if (!unreported) return [];
    const { count, firstLine, fields, headerFields } = unreported;
    unreported = undefined;
    return [
      skippedRowsProblem(
        path,
        firstLine,
        'warning',
        `${count} row(s) do not have as many fields as the header and were skipped (this one has ${fields}, the header has ${headerFields}). ${MISSHAPEN_ROW_HINT}`,
      ),
    ];
  };
  return { poll: (final) => poll(final), takeProblems };
}

function formatOf(path: string): PlotFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.json')) return 'json';
  return 'delimited';
}

function numberOf(cell: unknown): number | undefined {
  if (typeof cell === 'number') return cell;
  if (typeof cell === 'string') return parseMetricNumber(cell.trim());
  return undefined;
}

function parseJsonRow(text: string): Row | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isRow(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isRow(value: unknown): value is Row {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A JSON plot is a list of objects, or (DVC's other form) an object holding one such list. */
function rowsOfJson(data: unknown): Row[] {
  if (Array.isArray(data)) return data.filter(isRow);
  if (isRow(data)) {
    const list = Object.values(data).find(Array.isArray);
    if (list) return (list as unknown[]).filter(isRow);
  }
  return [];
}
