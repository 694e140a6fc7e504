import type { BenchRecord } from './report';

/** Four significant digits, without exponent notation for ordinary magnitudes. */
export function formatFigure(value: number | null): string {
  if (value === null) return '-';
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return Math.round(value).toLocaleString('en-US');
  if (magnitude === 0) return '0';
  return String(Number(value.toPrecision(4)));
}

const metText = (met: boolean | null) => (met === null ? '-' : met ? 'yes' : 'NO');

function cells(record: BenchRecord): string[] {
  return [
    record.bench,
    record.name,
    `${formatFigure(record.value)} ${record.unit}`,
    record.baseline === null ? '-' : `${record.baseline}: ${formatFigure(record.baselineValue)} ${record.unit}`,
    record.ratio === null ? '-' : `${formatFigure(record.ratio)}x`,
    record.targetText ?? '-',
    metText(record.met),
    record.note ?? '',
  ];
}

const headings = ['bench', 'figure', 'value', 'baseline', 'ratio', 'target', 'met', 'note'];

/** One row with fixed widths, printed by report() as each figure comes in. */
export function formatBenchRow(record: BenchRecord): string {
  const widths = [10, 44, 14, 30, 8, 20, 3, 0];
  return cells(record)
    .map((cell, index) => cell.padEnd(widths[index] ?? 0))
    .join('  ')
    .trimEnd();
}

/** The whole table, columns as wide as their content, for the end of `npm run bench`. */
export function formatBenchTable(records: readonly BenchRecord[]): string {
  const rows = [headings, ...records.map(cells)];
  const widths = headings.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, index) => cell.padEnd(widths[index] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headings), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
