import { type Problem, problemAt } from '../../problems';
import { parseMetricNumber } from '../../series/parseMetricNumber';
import { createSeriesBuilder, type SeriesBuilder } from '../../series/seriesBuilder';
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
  separator = ',',
): LineTableParser & { readonly columns: readonly string[] } {
  const builders = new Map<string, SeriesBuilder>();
  let columns: string[] = [];
  let xIndex = -1;
  let problems: Problem[] = [];
  let skippedRows = 0;
  let firstSkippedLine = 0;

  const setHeader = (fields: string[], line: number) => {
    columns = fields.map((field) => field.trim());
    xIndex = columns.indexOf('step');
    if (xIndex < 0) xIndex = columns.indexOf('epoch');
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

  const addRow = (fields: string[], line: number) => {
    const x = xIndex >= 0 ? parseMetricNumber(fields[xIndex] ?? '') : undefined;
    if (x === undefined) {
      if (skippedRows++ === 0) firstSkippedLine = line;
      return;
    }
    for (let index = 0; index < columns.length; index++) {
      if (index === xIndex) continue;
      const cell = fields[index];
      if (cell === undefined || cell.length === 0) continue;
      const value = parseMetricNumber(cell);
      if (value === undefined) continue;
      const name = columns[index]!;
      let builder = builders.get(name);
      if (!builder) {
        builder = createSeriesBuilder(16);
        builders.set(name, builder);
      }
      builder.push(x, value, Number.NaN);
    }
  };

  const feed = (text: string, firstLine: number) => {
    let start = 0;
    let line = firstLine;
    const length = text.length;
    while (start < length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = length;
      const lineEnd = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
      if (lineEnd > start) {
        const raw = text.slice(start, lineEnd);
        const fields = raw.includes('"') ? splitQuoted(raw, separator) : raw.split(separator);
        const isHeader = columns.length === 0 || (fields.includes('epoch') && !/^\s*-?\d/.test(raw));
        if (isHeader) setHeader(fields, line);
        else addRow(fields, line);
      }
      start = end + 1;
      line++;
    }
    return line - firstLine;
  };

  return {
    feed,
    builders,
    get columns() {
      return columns;
    },
    takeProblems() {
      if (skippedRows > 0) {
        problems.push(
          problemAt(
            path,
            { line: firstSkippedLine, column: 1 },
            'info',
            'seriesRowSkipped',
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
