/**
 * Reads one numeric cell of a plot file: numbers as Python and JavaScript write them, plus
 * `nan`/`inf` spellings. An empty or non-numeric cell is undefined (skipped), never 0, which is
 * what `Number('')` would silently give.
 */
export function parseMetricCell(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const value = Number(trimmed);
  if (!Number.isNaN(value)) return value;
  return SPECIAL.get(trimmed.toLowerCase());
}

const SPECIAL: ReadonlyMap<string, number> = new Map([
  ['nan', Number.NaN],
  ['-nan', Number.NaN],
  ['inf', Number.POSITIVE_INFINITY],
  ['+inf', Number.POSITIVE_INFINITY],
  ['infinity', Number.POSITIVE_INFINITY],
  ['-inf', Number.NEGATIVE_INFINITY],
  ['-infinity', Number.NEGATIVE_INFINITY],
]);
