/**
 * Reads one metric cell as written by Python tools: `str(float)` (`0.25`, `1e-05`, `nan`, `inf`,
 * `-inf`), ints, and the markers for "no value" (an empty cell in Lightning, `NA` in Keras).
 * Returns undefined when the cell holds no number, so callers skip it rather than plot a zero
 * (JavaScript's `Number('')` is 0, which is the trap this function exists to avoid).
 */
export function parseMetricNumber(text: string): number | undefined {
  if (text.length === 0) return undefined;
  const value = +text;
  if (!Number.isNaN(value)) {
    // Number(' ') is 0 as well: only accept it when the text has a digit.
    return value === 0 && !/\d/.test(text) ? undefined : value;
  }
  return SPECIAL_VALUES.get(text.trim().toLowerCase());
}

const SPECIAL_VALUES: ReadonlyMap<string, number> = new Map([
  ['nan', Number.NaN],
  ['-nan', Number.NaN],
  ['inf', Number.POSITIVE_INFINITY],
  ['+inf', Number.POSITIVE_INFINITY],
  ['infinity', Number.POSITIVE_INFINITY],
  ['-inf', Number.NEGATIVE_INFINITY],
  ['-infinity', Number.NEGATIVE_INFINITY],
]);

/**
 * Parses `text[start, end)` when it is a plain integer of at most 15 digits (steps, epochs,
 * millisecond timestamps: the bulk of every metrics file), without creating a substring; NaN
 * otherwise, so the caller falls back to parseMetricNumber. 15 digits stay below 2^53: exact.
 */
export function parseIntegerAt(text: string, start: number, end: number): number {
  let index = start;
  let negative = false;
  if (index < end && text.charCodeAt(index) === 45) {
    negative = true;
    index++;
  }
  if (index === end || end - index > 15) return Number.NaN;
  let value = 0;
  for (; index < end; index++) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}
