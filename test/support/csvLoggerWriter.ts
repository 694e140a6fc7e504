import { pythonNumber } from './dvcliveWriter';

/**
 * Writes Keras and Lightning CSVLogger files from the format spec (FORMATS.md 8), for tests.
 * Both use Python's csv module, so lines end in CRLF by default.
 */
export type CsvCell = number | string | undefined;

/** Keras: `epoch` first (0-based), then the keys sorted; a missing value is `NA`. */
export function kerasCsvLog(rows: ReadonlyArray<Record<string, CsvCell>>, lineEnding = '\r\n'): string {
  const keys = [...new Set(rows.flatMap((row) => Object.keys(row)))].filter((key) => key !== 'epoch').sort();
  const header = ['epoch', ...keys].join(',');
  const lines = rows.map((row, index) =>
    [String(row.epoch ?? index), ...keys.map((key) => (row[key] === undefined ? 'NA' : pythonNumber(row[key]!)))].join(
      ',',
    ),
  );
  return [header, ...lines].map((line) => `${line}${lineEnding}`).join('');
}

/** Lightning: the union of keys (sorted, as in 2.x) and one row per log call; missing = empty. */
export function lightningMetricsCsv(
  rows: ReadonlyArray<Record<string, CsvCell>>,
  options: { columns?: readonly string[]; lineEnding?: string } = {},
): string {
  const columns = options.columns ?? [...new Set(rows.flatMap((row) => Object.keys(row)))].sort();
  const lineEnding = options.lineEnding ?? '\r\n';
  const lines = rows.map((row) =>
    columns.map((column) => (row[column] === undefined ? '' : pythonNumber(row[column]!))).join(','),
  );
  return [columns.join(','), ...lines].map((line) => `${line}${lineEnding}`).join('');
}
