import { type Problem, problemAt } from '../../problems';
import { parseIntegerAt, parseMetricNumber } from '../../series/parseMetricNumber';
import { createSeriesBuilder, type SeriesBuilder } from '../../series/seriesBuilder';
import type { LineTableParser } from '../../series/textFileTail';

/**
 * Parses one DVCLive `plots/metrics/<name>.tsv` (FORMATS.md 2.2): a header `[timestamp\t]step\t<name>`
 * written once, then one row per logged value. Rows may be one field wider or narrower than the
 * header when `timestamp=` changed between calls, so the layout is decided per row: three fields
 * are timestamp, step, value; two are step, value. NaN and infinities come as `nan`/`inf`.
 */
export function createDvcliveTsvParser(path: string, metricName: string): LineTableParser {
  const builder = createSeriesBuilder(16);
  const builders: ReadonlyMap<string, SeriesBuilder> = new Map([[metricName, builder]]);
  let problems: Problem[] = [];
  let sawHeader = false;
  let badRows = 0;
  let firstBadLine = 0;

  const feed = (text: string, firstLine: number) => {
    let start = 0;
    let line = firstLine;
    const length = text.length;
    while (start < length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = length;
      const lineEnd = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
      if (lineEnd > start) {
        if (!sawHeader) {
          sawHeader = true;
          // The header names the columns; a data row in its place means the header was lost.
          if (!/^\s*-?\d/.test(text.slice(start, Math.min(lineEnd, start + 8)))) {
            start = end + 1;
            line++;
            continue;
          }
        }
        const firstTab = tabWithin(text, start, lineEnd);
        const secondTab = firstTab >= 0 ? tabWithin(text, firstTab + 1, lineEnd) : -1;
        let timestamp = Number.NaN;
        let step: number | undefined;
        let value: number | undefined;
        if (firstTab < 0) {
          step = undefined;
        } else if (secondTab < 0) {
          step = integerOrNumber(text, start, firstTab);
          value = parseMetricNumber(unquote(text.slice(firstTab + 1, lineEnd)));
        } else {
          timestamp = integerOrNumber(text, start, firstTab) ?? Number.NaN;
          step = integerOrNumber(text, firstTab + 1, secondTab);
          value = parseMetricNumber(unquote(text.slice(secondTab + 1, lineEnd)));
        }
        if (step === undefined || value === undefined) {
          if (badRows++ === 0) firstBadLine = line;
        } else builder.push(step, value, timestamp);
      }
      start = end + 1;
      line++;
    }
    return line - firstLine;
  };

  return {
    feed,
    builders,
    takeProblems() {
      if (badRows > 0) {
        problems.push(
          problemAt(
            path,
            { line: firstBadLine, column: 1 },
            'info',
            'seriesRowSkipped',
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

/** The first tab in [start, end), or -1: bounded by the line, so junk lines cannot cost a block scan each. */
function tabWithin(text: string, start: number, end: number): number {
  for (let index = start; index < end; index++) if (text.charCodeAt(index) === 9) return index;
  return -1;
}

function integerOrNumber(text: string, start: number, end: number): number | undefined {
  const integer = parseIntegerAt(text, start, end);
  return Number.isNaN(integer) ? parseMetricNumber(text.slice(start, end)) : integer;
}

/** csv.DictWriter quotes a field holding a tab, quote or newline; metric values rarely need it. */
function unquote(field: string): string {
  return field.length >= 2 && field.charCodeAt(0) === 34 ? field.slice(1, -1).replace(/""/g, '"') : field;
}
