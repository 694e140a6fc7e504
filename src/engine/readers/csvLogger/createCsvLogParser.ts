import { type Problem, problemAt } from '../../problems';
import { DecimalBytesReader, parseMetricNumber, parseNumberAt } from '../../series/parseMetricNumber';
import { createSeriesBuilder, type SeriesBuilder } from '../../series/seriesBuilder';
import { type ByteRowReader, decodeBlock, feedLineBytes } from '../../series/feedLineBytes';
import { MISSHAPEN_ROW_HINT, skippedRowsProblem } from '../../series/skippedRowsProblem';
import type { LineTableParser } from '../../series/textFileTail';

/**
 * Parses a Keras `CSVLogger` file or a Lightning `metrics.csv` (FORMATS.md 8) into one series per
 * column. The x axis is the `step` column when there is one (Lightning; `epoch` is then a series
 * of its own), else `epoch` (Keras, 0-based). Empty cells (Lightning's sparse rows) and `NA`
 * (Keras) mean "no value at this row", never zero. A repeated header line (a file rewritten
 * with wider columns, or appended to under a new header) switches the column map.
 */
export function createCsvLogParser(
  path: string,
  options: { readonly separator?: string; readonly names?: readonly string[] } = {},
): Required<LineTableParser> & { readonly columns: readonly string[] } {
  const separator = options.separator ?? ',';
  /** The separator's byte, or -1 when feedBytes cannot look for it byte by byte (then it decodes). */
  const separatorCode =
    separator.length === 1 && isPlainSeparator(separator.charCodeAt(0)) ? separator.charCodeAt(0) : -1;
  const wanted = options.names ? new Set(options.names) : undefined;
  const builders = new Map<string, SeriesBuilder>();
  let columns: string[] = [];
  /** Per column: its builder when its values are read, undefined for the x column and unwanted ones. */
  let columnBuilders: Array<SeriesBuilder | undefined> = [];
  let xIndex = -1;
  let problems: Problem[] = [];
  let skippedRows = 0;
  let firstSkippedLine = 0;
  let misshapenRows = 0;
  let firstMisshapen = { line: 0, fields: 0 };
  /** The current header's row reader for feedBytes; undefined until a header with an x column. */
  let byteRows: CsvByteRows | undefined;

  /**
   * Both loggers write every row as wide as its header (csv.DictWriter; Lightning rewrites the
   * whole file under a wider header), so another width means a damaged row: reading it by
   * position would put values under the wrong names.
   */
  const fitsHeader = (fields: number, line: number) => {
    if (fields === columns.length) return true;
    if (misshapenRows++ === 0) firstMisshapen = { line, fields };
    return false;
  };

  const setHeader = (fields: string[], line: number) => {
    columns = fields.map((field) => field.trim());
    parser.columns = columns;
    xIndex = columns.indexOf('step');
    if (xIndex < 0) xIndex = columns.indexOf('epoch');
    columnBuilders = columns.map((name, index) => {
      if (index === xIndex || (wanted && !wanted.has(name))) return undefined;
      let builder = builders.get(name);
      if (!builder) {
        builder = createSeriesBuilder(16);
        builders.set(name, builder);
      }
      return builder;
    });
    byteRows = xIndex >= 0 && separatorCode >= 0 ? new CsvByteRows(columnBuilders, xIndex, separatorCode) : undefined;
    if (xIndex < 0) {
      problems.push(
        problemAt(
          path,
          { line, column: 1 },
          'warning',
          'csvLogNoStepColumn',
          'The header has neither a `step` nor an `epoch` column; rows cannot be placed on an x axis.',
        ),
      );
    }
  };

  const addRow = (fields: readonly string[], line: number) => {
    if (!fitsHeader(fields.length, line)) return;
    const x = xIndex >= 0 ? parseMetricNumber(fields[xIndex] ?? '') : undefined;
    if (x === undefined) {
      if (skippedRows++ === 0) firstSkippedLine = line;
      return;
    }
    for (let index = 0; index < columnBuilders.length; index++) {
      const builder = columnBuilders[index];
      const cell = fields[index];
      if (!builder || cell === undefined || cell.length === 0) continue;
      const value = parseMetricNumber(cell);
      if (value !== undefined) builder.push(x, value, Number.NaN);
    }
  };

  /** Where each cell of the current row ends (one pass finds them all); grown with the header. */
  let cellEnds = new Int32Array(16);

  /**
   * The next separator at or after the last search in the block being fed (reset per block),
   * found by indexOf (native, far faster than a loop over characters) and reused until passed:
   * searches only move forward, so lines without separators cost one scan of the block in all.
   */
  let nextSeparator = -1;
  const separatorWithin = (text: string, from: number, end: number) => {
    if (nextSeparator < from) {
      nextSeparator = text.indexOf(separator, from);
      if (nextSeparator < 0) nextSeparator = Number.POSITIVE_INFINITY;
    }
    return nextSeparator < end ? nextSeparator : -1;
  };

  /** The common unquoted row, read in place: cells are located by index, not split into strings. */
  const addPlainRow = (text: string, start: number, end: number, line: number) => {
    let fields = 0;
    for (let index = separatorWithin(text, start, end); index >= 0; index = separatorWithin(text, index + 1, end)) {
      if (fields === cellEnds.length) cellEnds = growCellEnds(cellEnds);
      cellEnds[fields++] = index;
    }
    if (fields === cellEnds.length) cellEnds = growCellEnds(cellEnds);
    cellEnds[fields++] = end;
    if (!fitsHeader(fields, line)) return;
    const x =
      xIndex >= 0
        ? parseNumberAt(text, xIndex === 0 ? start : cellEnds[xIndex - 1]! + 1, cellEnds[xIndex]!)
        : undefined;
    if (x === undefined) {
      if (skippedRows++ === 0) firstSkippedLine = line;
      return;
    }
    let cellStart = start;
    for (let index = 0; index < fields; index++) {
      const cellEnd = cellEnds[index]!;
      const builder = columnBuilders[index];
      if (builder && cellEnd > cellStart) {
        const value = parseNumberAt(text, cellStart, cellEnd);
        if (value !== undefined) builder.push(x, value, Number.NaN);
      }
      cellStart = cellEnd + 1;
    }
  };

  const feed = (text: string, firstLine: number) => {
    nextSeparator = -1;
    let start = 0;
    let line = firstLine;
    const length = text.length;
    // The next quote in the block, found once and reused until passed: searching from every line
    // start would scan the rest of a 4 MiB block per line when there is no quote at all.
    let nextQuote = -1;
    while (start < length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = length;
      const lineEnd = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
      if (lineEnd > start) {
        const startsWithDigit = isNumberStart(text.charCodeAt(start));
        if (nextQuote !== Number.POSITIVE_INFINITY && nextQuote < start) {
          nextQuote = text.indexOf('"', start);
          if (nextQuote < 0) nextQuote = Number.POSITIVE_INFINITY;
        }
        const hasQuote = nextQuote < lineEnd;
        if (columns.length === 0 || (!startsWithDigit && isHeaderLine(text.slice(start, lineEnd)))) {
          const raw = text.slice(start, lineEnd);
          setHeader(hasQuote ? splitQuoted(raw, separator) : raw.split(separator), line);
        } else if (hasQuote) addRow(splitQuoted(text.slice(start, lineEnd), separator), line);
        else addPlainRow(text, start, lineEnd, line);
      }
      start = end + 1;
      line++;
    }
    return line - firstLine;
  };

  const feedBytes = (bytes: Uint8Array, firstLine: number) =>
    separatorCode < 0 ? feed(decodeBlock(bytes), firstLine) : feedLineBytes(bytes, firstLine, () => byteRows, feed);

  /** A repeated header names the same kind of columns: `epoch` (both loggers) or `step`. */
  const isHeaderLine = (raw: string) => {
    const fields = raw.split(separator).map((field) => field.trim().replace(/^"|"$/g, ''));
    return fields.includes('epoch') || (fields.includes('step') && !fields.some((field) => /^-?\d/.test(field)));
  };

  // `columns` is a data property that setHeader keeps current, not a getter: with the getter, a
  // dead parser's builders and series were promoted by every scavenge until the next full
  // collection (most likely through the accessor pair, which V8 makes in old space): one parser
  // per listed run, ~11 kB promoted per run: 40% of a first run index's peak at 100,000 runs.
  const parser = {
    feed,
    feedBytes,
    builders,
    columns,
    takeProblems() {
      if (misshapenRows > 0) {
        problems.push(
          skippedRowsProblem(
            path,
            firstMisshapen.line,
            'warning',
            `${misshapenRows} row(s) do not have as many fields as the header and were skipped (this one has ${firstMisshapen.fields}, the header has ${columns.length}). ${MISSHAPEN_ROW_HINT}`,
          ),
        );
        misshapenRows = 0;
      }
      if (skippedRows > 0) {
        problems.push(
          skippedRowsProblem(
            path,
            firstSkippedLine,
            'info',
            `${skippedRows} row(s) have no numeric step/epoch and were skipped.`,
          ),
        );
        skippedRows = 0;
      }
      const taken = problems;
      problems = [];
      return taken;
    },
  };
  return parser;
}

/** Splits one CSV line with Python csv quoting (`"a, b"`, `""` for a quote inside quotes). */
export function splitQuoted(line: string, separator: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < line.length; index++) {
    const char = line[index]!;
    if (quoted) {
      if (char === '"' && line[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === separator) {
      fields.push(field);
      field = '';
    } else field += char;
  }
  fields.push(field);
  return fields;
}

const NEWLINE = 10;
const CR = 13;
const QUOTE = 34;

const numbers = new DecimalBytesReader();

/**
 * Reads rows of one header straight from the bytes. Per column: its builder (undefined for the x
 * column and columns not read), and room for one row's values, pushed once the row proves whole.
 * A class with the loop in a method, not closures per parser: the row loop's optimized code then
 * serves every parser (a closure per parser was a new call target, and a deoptimization, each).
 */
class CsvByteRows implements ByteRowReader {
  private readonly values: Float64Array;
  private readonly valueColumns: Int32Array;

  constructor(
    private readonly builders: ReadonlyArray<SeriesBuilder | undefined>,
    private readonly xIndex: number,
    private readonly separator: number,
  ) {
    this.values = new Float64Array(builders.length);
    this.valueColumns = new Int32Array(builders.length);
  }

  /**
   * The row at `start` in one pass: each cell of the x column or a read column is parsed where it
   * stands (DecimalBytesReader), any other cell only walked over. Returns -1 (its text is read
   * instead) for a row that is not the common case this pass proves it reads exactly as `feed`
   * would: one not starting like a number (a header?), a quote, a CR inside the row, another
   * width than the header's, a cell the exact paths do not read (`nan`, `inf`, `NA`, a `+`, 20+
   * digits...), an x cell that is empty or no number. Nothing is pushed before the row's end, so
   * a row handed back leaves no trace.
   */
  read(bytes: Uint8Array, start: number): number {
    const { builders, xIndex, separator, values, valueColumns } = this;
    const length = bytes.length;
    if (!isNumberStart(bytes[start]!)) return -1; // feed checks whether it is a header
    const lastField = builders.length - 1;
    let x = 0;
    let count = 0;
    let index = start;
    for (let field = 0; ; field++) {
      let code = index < length ? bytes[index]! : NEWLINE;
      if (field === xIndex || (builders[field] !== undefined && !endsCell(code, separator))) {
        const value = numbers.read(bytes, index, length);
        if (value !== value) return -1; // NaN: not read here
        index = numbers.end;
        if (field === xIndex) x = value;
        else {
          values[count] = value;
          valueColumns[count++] = field;
        }
      } else {
        for (; index < length; index++) {
          code = bytes[index]!;
          if (endsCell(code, separator) || code === QUOTE) break;
        }
      }
      code = index < length ? bytes[index]! : NEWLINE;
      if (code === separator) {
        if (field === lastField) return -1;
        index++;
        continue;
      }
      if (code === CR) code = ++index < length ? bytes[index]! : NEWLINE;
      if (code !== NEWLINE || field !== lastField) return -1;
      break;
    }
    for (let value = 0; value < count; value++) builders[valueColumns[value]!]!.push(x, values[value]!, Number.NaN);
    return index + 1;
  }
}

/** A newline, CR or separator ends a cell (a CR only before a newline: addByteRow checks). */
function endsCell(code: number, separatorCode: number): boolean {
  return code === separatorCode || code === NEWLINE || code === CR;
}

/** One byte in UTF-8 and nothing decimal text, a quote or a line end holds, so it ends a number cell. */
function isPlainSeparator(code: number): boolean {
  return code < 128 && !isNumberStart(code) && (code | 32) !== 101 && code !== QUOTE && code !== NEWLINE && code !== CR;
}

function isNumberStart(code: number): boolean {
  return (code >= 48 && code <= 57) || code === 45 || code === 46 || code === 43;
}

function growCellEnds(cellEnds: Int32Array): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(cellEnds.length * 2);
  grown.set(cellEnds);
  return grown;
}
