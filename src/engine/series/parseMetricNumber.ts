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

/** Powers of ten that a double holds exactly (10^22 is the last one). */
const EXACT_POWERS_OF_TEN: readonly number[] = Array.from({ length: 23 }, (_unused, power) => 10 ** power);
/** `1.234567890123456` (16 digits); a longer cell rarely fits the fast path (`-0.123456789012345` does, and is read by Number()). */
const MAX_FAST_PATH_LENGTH = 17;
/** Below it every partial sum of the digit loop is exact, so the mantissa is. */
const MAX_EXACT_INTEGER = 2 ** 53;

/**
 * `text[start, end)` as a metric number, without creating a substring for the common cells.
 * Decimal text (`12`, `-0`, `0.25`, `1e-05`, `-3.5E+2`) whose digits make an integer of at most
 * 2^53 and whose decimal exponent is within 22 is computed as one exact integer multiplied or
 * divided by one exact power of ten: a single IEEE operation on exact operands is correctly
 * rounded, so the result is the same double `Number()` gives (Clinger's fast path). Anything else
 * (17 significant digits, `nan`, `inf`, spaces, quotes, junk) goes through parseMetricNumber.
 */
export function parseNumberAt(text: string, start: number, end: number): number | undefined {
  // Longer text has 17 significant digits or more (a float's shortest round-trip form usually
  // does): the fast path would give up after scanning it, so go to Number() at once.
  if (end - start > MAX_FAST_PATH_LENGTH) return parseMetricNumber(text.slice(start, end));
  let index = start;
  const negative = index < end && text.charCodeAt(index) === 45;
  if (negative) index++;
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = 0;
  let code = 0;
  for (; index < end; index++) {
    code = text.charCodeAt(index) - 48;
    if (code < 0 || code > 9) break;
    mantissa = mantissa * 10 + code;
    digits++;
  }
  if (index < end && code === -2 /* '.' */) {
    for (index++; index < end; index++) {
      code = text.charCodeAt(index) - 48;
      if (code < 0 || code > 9) break;
      mantissa = mantissa * 10 + code;
      digits++;
      fractionDigits++;
    }
  }
  let exponent = -fractionDigits;
  if (digits > 0 && index < end && (text.charCodeAt(index) | 32) === 101 /* e or E */) {
    index++;
    const sign = text.charCodeAt(index);
    const exponentNegative = sign === 45;
    if (exponentNegative || sign === 43) index++;
    let written = 0;
    const exponentStart = index;
    for (; index < end && index - exponentStart < 4; index++) {
      code = text.charCodeAt(index) - 48;
      if (code < 0 || code > 9) break;
      written = written * 10 + code;
    }
    if (index === exponentStart) return parseMetricNumber(text.slice(start, end));
    exponent += exponentNegative ? -written : written;
  }
  if (index !== end || digits === 0 || mantissa >= MAX_EXACT_INTEGER || exponent < -22 || exponent > 22) {
    return parseMetricNumber(text.slice(start, end));
  }
  const magnitude =
    exponent < 0 ? mantissa / EXACT_POWERS_OF_TEN[-exponent]! : mantissa * EXACT_POWERS_OF_TEN[exponent]!;
  return negative ? -magnitude : magnitude;
}
