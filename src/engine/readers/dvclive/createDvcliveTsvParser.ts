import type { Problem } from '../../problems';
import { splitQuoted } from '../csvLogger/createCsvLogParser';
import { type ByteRowReader, feedLineBytes } from '../../series/feedLineBytes';
import { DecimalBytesReader, parseMetricNumber, parseNumberAt } from '../../series/parseMetricNumber';
import { createSeriesBuilder, type SeriesBuilder } from '../../series/seriesBuilder';
import { MISSHAPEN_ROW_HINT, skippedRowsProblem } from '../../series/skippedRowsProblem';
import type { LineTableParser } from '../../series/textFileTail';

/**
 * Parses one DVCLive `plots/metrics/<name>.tsv` (FORMATS.md 2.2): a header `[timestamp\t]step\t<name>`
 * written once, then one row per logged value. Rows may be one field wider or narrower than the
 * header when `timestamp=` changed between calls (DVCLive writes the header only when it creates
 * the file), so a row of three fields is timestamp, step, value and a row of two is step, value.
 * Any other width, and a two-field row under a timestamp header whose first field is a
 * millisecond timestamp (a row that lost its step or value, not a step), is skipped and reported:
 * reading it by position would put a timestamp on the step axis.
 */
export function createDvcliveTsvParser(path: string, metricName: string): Required<LineTableParser> {
  const builder = createSeriesBuilder(16);
  const builders: ReadonlyMap<string, SeriesBuilder> = new Map([[metricName, builder]]);
  let problems: Problem[] = [];
  let sawHeader = false;
  /** Fields in the header; 0 when the file has none (a data row came first). */
  let headerWidth = 0;
  let badRows = 0;
  let firstBadLine = 0;
  let misshapenRows = 0;
  let firstMisshapen = { line: 0, fields: 0 };

  const feed = (text: string, firstLine: number) => {
    let start = 0;
    let line = firstLine;
    const length = text.length;
    // The next tab at or after the last search, found by indexOf (native, far faster than a
    // loop over characters) and reused until passed: the searches only move forward, so a block
    // of lines without tabs costs one scan, not one scan of the rest of the block per line.
    let nextTab = -1;
    const tabWithin = (from: number, end: number) => {
      if (nextTab < from) {
        nextTab = text.indexOf('\t', from);
        if (nextTab < 0) nextTab = Number.POSITIVE_INFINITY;
      }
      return nextTab < end ? nextTab : -1;
    };
    while (start < length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = length;
      const lineEnd = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
      if (lineEnd > start) {
        if (!sawHeader) {
          sawHeader = true;
          // The header names the columns; a data row in its place means the header was lost.
          if (!/^\s*-?\d/.test(text.slice(start, Math.min(lineEnd, start + 8)))) {
            headerWidth = countFields(text, start, lineEnd);
            start = end + 1;
            line++;
            continue;
          }
        }
        const firstTab = tabWithin(start, lineEnd);
        const secondTab = firstTab >= 0 ? tabWithin(firstTab + 1, lineEnd) : -1;
        const thirdTab = secondTab >= 0 ? tabWithin(secondTab + 1, lineEnd) : -1;
        let timestamp = Number.NaN;
        let step: number | undefined;
        let value: number | undefined;
        let fits = true;
        if (firstTab < 0 || (thirdTab >= 0 && !hasQuote(text, start, lineEnd))) {
          fits = false;
        } else if (secondTab < 0) {
          step = parseNumberAt(text, start, firstTab);
          // Under `timestamp step <name>` a two-field row is step, value only if DVCLive could
          // have written it: its first field is a step, not a timestamp (>= 2001 in ms).
          fits = headerWidth !== 3 || step === undefined || Math.abs(step) < TIMESTAMP_MS_FLOOR;
          value = valueAt(text, firstTab + 1, lineEnd);
        } else {
          timestamp = parseNumberAt(text, start, firstTab) ?? Number.NaN;
          step = parseNumberAt(text, firstTab + 1, secondTab);
          value = valueAt(text, secondTab + 1, lineEnd);
        }
        if (!fits) {
          if (misshapenRows++ === 0) firstMisshapen = { line, fields: countFields(text, start, lineEnd) };
        } else if (step === undefined || value === undefined) {
          if (badRows++ === 0) firstBadLine = line;
        } else builder.push(step, value, timestamp);
      }
      start = end + 1;
      line++;
    }
    return line - firstLine;
  };

  const byteRows = new TsvByteRows(builder);
  // The first line (a header, or a data row in its place) is read as text.
  const feedBytes = (bytes: Uint8Array, firstLine: number) =>
    feedLineBytes(bytes, firstLine, () => (sawHeader ? byteRows : undefined), feed);

  return {
    feed,
    feedBytes,
    builders,
    takeProblems() {
      if (misshapenRows > 0) {
        const header = headerWidth > 0 ? `the header has ${headerWidth}` : 'the file has no header';
        problems.push(
          skippedRowsProblem(
            path,
            firstMisshapen.line,
            'warning',
            `${misshapenRows} row(s) of ${metricName} do not fit DVCLive's layout and were skipped (this one has ${firstMisshapen.fields} field(s), ${header}; rows are [timestamp] step value). ${MISSHAPEN_ROW_HINT}`,
          ),
        );
        misshapenRows = 0;
      }
      if (badRows > 0) {
        problems.push(
          skippedRowsProblem(
            path,
            firstBadLine,
            'info',
            `${badRows} row(s) of ${metricName} hold no numeric step and value (e.g. a string metric) and were skipped.`,
          ),
        );
        badRows = 0;
      }
      const taken = problems;
      problems = [];
      return taken;
    },
  };
}

const numbers = new DecimalBytesReader();
const TAB = 9;
const NEWLINE = 10;
const CR = 13;

/**
 * DVCLive's common row, `timestamp \t step \t value`, read straight from the bytes (see
 * DecimalBytesReader). Any other row (two fields, a quote, a fourth field, a CR inside, a cell
 * the exact paths do not read, such as `nan`) is handed back (-1) for `feed` to read its text.
 */
class TsvByteRows implements ByteRowReader {
  constructor(private readonly builder: SeriesBuilder) {}

  read(bytes: Uint8Array, start: number): number {
    const length = bytes.length;
    const timestamp = numbers.read(bytes, start, length);
    let index = numbers.end;
    if (timestamp !== timestamp || index >= length || bytes[index] !== TAB) return -1;
    const step = numbers.read(bytes, index + 1, length);
    index = numbers.end;
    if (step !== step || index >= length || bytes[index] !== TAB) return -1;
    const value = numbers.read(bytes, index + 1, length);
    index = numbers.end;
    if (value !== value) return -1;
    let code = index < length ? bytes[index]! : NEWLINE;
    if (code === CR) code = ++index < length ? bytes[index]! : NEWLINE;
    if (code !== NEWLINE) return -1;
    this.builder.push(step, value, timestamp);
    return index + 1;
  }
}

/** 10^12 ms is September 2001: DVCLive timestamps are above it, steps far below. */
const TIMESTAMP_MS_FLOOR = 1e12;

/** Fields of one row, with csv quoting (a quoted field may hold a tab). */
function countFields(text: string, start: number, end: number): number {
  if (hasQuote(text, start, end)) return splitQuoted(text.slice(start, end), '\t').length;
  let fields = 1;
  for (let index = start; index < end; index++) if (text.charCodeAt(index) === 9) fields++;
  return fields;
}

/** Bounded by the line: an indexOf from here could scan the rest of a 4 MiB block per line. */
function hasQuote(text: string, start: number, end: number): boolean {
  for (let index = start; index < end; index++) if (text.charCodeAt(index) === 34) return true;
  return false;
}

/** The value field: read in place unless csv.DictWriter quoted it (it held a tab, quote or newline). */
function valueAt(text: string, start: number, end: number): number | undefined {
  return text.charCodeAt(start) === 34
    ? parseMetricNumber(unquote(text.slice(start, end)))
    : parseNumberAt(text, start, end);
}

/** csv.DictWriter quotes a field holding a tab, quote or newline; metric values rarely need it. */
function unquote(field: string): string {
  return field.length >= 2 && field.charCodeAt(0) === 34 ? field.slice(1, -1).replace(/""/g, '"') : field;
}
