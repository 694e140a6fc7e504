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
/** `-1234567.8901234567e-05`: longer text has more than 19 significant digits, or junk. */
const MAX_FAST_PATH_LENGTH = 24;
/** Below it every partial sum of the digit loop is exact, so the mantissa is. */
const MAX_EXACT_INTEGER = 2 ** 53;
/** Significant digits gathered in `high` (below 10^15 < 2^53, so exact); later ones go to `low`. */
const HIGH_DIGITS_LIMIT = 1e14;
/** At most this many digits after the first 15: the mantissa stays below 10^19 < 2^64. */
const MAX_LOW_DIGITS = 4;

/**
 * `text[start, end)` as a metric number, without creating a substring for the common cells; the
 * same double `Number()` gives. Decimal text (`12`, `-0`, `0.25`, `1e-05`, `-3.5E+2`) whose digits
 * make an integer below 2^53 and whose decimal exponent is within 22 is one exact integer
 * multiplied or divided by one exact power of ten: a single IEEE operation on exact operands is
 * correctly rounded (Clinger's fast path). A float's shortest round-trip text (what Python and
 * DVCLive write) has 16-17 significant digits: up to 19 digits with a decimal exponent from -22 to
 * 0 are read by decimalQuotient. Anything else (more digits, `nan`, `inf`, spaces, quotes, junk)
 * goes through parseMetricNumber.
 */
export function parseNumberAt(text: string, start: number, end: number): number | undefined {
  if (end - start > MAX_FAST_PATH_LENGTH) return parseMetricNumber(text.slice(start, end));
  let index = start;
  const negative = index < end && text.charCodeAt(index) === 45;
  if (negative) index++;
  let high = 0;
  let low = 0;
  let lowDigits = 0;
  let code = 0;
  // Integer digits, then fraction digits: one loop each, so the per-character work is the digit.
  const integerStart = index;
  for (; index < end; index++) {
    code = text.charCodeAt(index) - 48;
    if (code < 0 || code > 9) break;
    if (high < HIGH_DIGITS_LIMIT) high = high * 10 + code;
    else {
      low = low * 10 + code;
      lowDigits++;
    }
  }
  let digits = index - integerStart;
  let fractionDigits = 0;
  if (index < end && code === -2 /* '.' */) {
    const fractionStart = ++index;
    for (; index < end; index++) {
      code = text.charCodeAt(index) - 48;
      if (code < 0 || code > 9) break;
      if (high < HIGH_DIGITS_LIMIT) high = high * 10 + code;
      else {
        low = low * 10 + code;
        lowDigits++;
      }
    }
    fractionDigits = index - fractionStart;
    digits += fractionDigits;
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
  const magnitude = index === end && digits > 0 ? exactDecimal(high, low, lowDigits, exponent) : undefined;
  if (magnitude === undefined) return parseMetricNumber(text.slice(start, end));
  return negative ? -magnitude : magnitude;
}

/**
 * Reads numbers straight from the bytes of a file (ASCII decimal text never needs decoding), with
 * the same exact paths as parseNumberAt. `read` returns NaN for text those paths do not read, as
 * a "cannot tell here" answer (their results are never NaN): `nan`/`inf`, a leading `+` or
 * space, more than 19 significant digits, an exponent beyond ±22 (beyond 0 past 2^53), text
 * longer than 24 bytes, and the rare quotient too near a midpoint between two doubles. A caller
 * then reads the cell as text with parseMetricNumber. `end` is where the number stopped: the
 * caller checks the cell ends there (a separator or a newline), which the number alone cannot.
 */
export class DecimalBytesReader {
  /** The offset of the first byte after the number read last. */
  end = 0;

  read(bytes: Uint8Array, start: number, limit: number): number {
    let index = start;
    const negative = index < limit && bytes[index] === 45;
    if (negative) index++;
    // The same high, low and lowDigits as parseNumberAt's loops, in one loop over the digits and
    // one point. Two digits at a time while both surely go to `high` (it stays below 10^14 after
    // them): half as many steps in the chain of multiply-adds each digit waits on.
    let high = 0;
    let low = 0;
    let lowDigits = 0;
    let point = -1;
    const integerStart = index;
    while (index < limit) {
      if (high < 1e12 && index + 1 < limit) {
        const first = bytes[index]! - 48;
        const second = bytes[index + 1]! - 48;
        if (first >>> 0 <= 9 && second >>> 0 <= 9) {
          high = high * 100 + (first * 10 + second);
          index += 2;
          continue;
        }
      }
      const code = bytes[index]! - 48;
      if (code >>> 0 > 9) {
        if (code !== -2 /* '.' */ || point >= 0) break;
        point = index++;
        continue;
      }
      if (high < HIGH_DIGITS_LIMIT) high = high * 10 + code;
      else {
        low = low * 10 + code;
        lowDigits++;
      }
      index++;
    }
    const fractionDigits = point >= 0 ? index - point - 1 : 0;
    const digits = index - integerStart - (point >= 0 ? 1 : 0);
    const next = index < limit ? bytes[index]! | 32 : 0;
    if (next !== 101 /* e or E */ && lowDigits === 0 && fractionDigits === 0 && digits > 0) {
      // An integer (a step, an epoch) of up to 15 digits: exact as it is.
      this.end = index;
      return negative ? -high : high;
    }
    let exponent = -fractionDigits;
    if (digits > 0 && next === 101) {
      index++;
      const sign = index < limit ? bytes[index]! : 0;
      const exponentNegative = sign === 45;
      if (exponentNegative || sign === 43) index++;
      let written = 0;
      const exponentStart = index;
      for (; index < limit && index - exponentStart < 4; index++) {
        const code = bytes[index]! - 48;
        if (code < 0 || code > 9) break;
        written = written * 10 + code;
      }
      if (index === exponentStart) return Number.NaN;
      exponent += exponentNegative ? -written : written;
    }
    this.end = index;
    if (digits === 0 || index - start > MAX_FAST_PATH_LENGTH) return Number.NaN;
    const magnitude = exactDecimal(high, low, lowDigits, exponent);
    if (magnitude === undefined) return Number.NaN;
    return negative ? -magnitude : magnitude;
  }
}

/**
 * The double nearest to (high * 10^lowDigits + low) * 10^exponent when one exact operation gives
 * it (the mantissa below 2^53, |exponent| <= 22: Clinger's fast path) or decimalQuotient can
 * (up to 10^19, exponent from -22 to 0); undefined otherwise.
 */
function exactDecimal(high: number, low: number, lowDigits: number, exponent: number): number | undefined {
  if (lowDigits > MAX_LOW_DIGITS || exponent < -22 || exponent > 22) return undefined;
  const power = EXACT_POWERS_OF_TEN[lowDigits]!;
  const mantissa = high * power + low; // exact when below 2^53
  if (mantissa < MAX_EXACT_INTEGER) {
    return exponent < 0 ? mantissa / EXACT_POWERS_OF_TEN[-exponent]! : mantissa * EXACT_POWERS_OF_TEN[exponent]!;
  }
  return exponent <= 0 ? decimalQuotient(high, power, low, EXACT_POWERS_OF_TEN[-exponent]!) : undefined;
}

/** Veltkamp's splitter for doubles: 2^27 + 1. */
const SPLITTER = 134_217_729;

/** The exact error of `product = fl(a * b)`: a * b = product + error (Dekker's TwoProduct). */
function productError(a: number, b: number, product: number): number {
  const aScaled = SPLITTER * a;
  const aHigh = aScaled - (aScaled - a);
  const aLow = a - aHigh;
  const bScaled = SPLITTER * b;
  const bHigh = bScaled - (bScaled - b);
  const bLow = b - bHigh;
  return aHigh * bHigh - product + aHigh * bLow + aLow * bHigh + aLow * bLow;
}

const doubleBits = new Float64Array(1);
const doubleWords = new Uint32Array(doubleBits.buffer);
/** The word order decimalQuotient reads a double's exponent in (every platform Node runs on). */
const isLittleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * By a double's biased exponent E (its high word >>> 20, sign clear), the largest rounding
 * leftover decimalQuotient trusts: half its ulp, 2^(E - 1075) / 2, less 2^-25 of that (exact, a
 * power of two times 1 - 2^-25). A table, not the ulp built in `doubleBits` from two written
 * words: reading a double back over two 32-bit stores stalls the load (no store forwarding), in
 * the loop that reads most round-trip floats. Entries from 1 to 2046 (normal doubles); the
 * quotients reach 1002 to 1086.
 */
export const TRUSTED_LEFTOVER_BY_EXPONENT: Float64Array = Float64Array.from({ length: 2047 }, (_unused, biased) =>
  biased === 0 ? 0 : 2 ** (biased - 1076) * (1 - 2 ** -25),
);

/**
 * The double nearest to (high * power + low) / divisor, for a mantissa from 2^53 to 10^19 and a
 * divisor that is an exact power of ten up to 10^22, or undefined when the quotient lies too near
 * the midpoint between two doubles to decide here (about 1 in 30 million texts; Number() reads it).
 *
 * The mantissa is exactly p + rest: p = fl(high * power), and both the product's error and `low`
 * are integers below 2^14, so their sum is exact. q1 = fl(p / divisor) and the remainder
 * p - q1 * divisor (exact: TwoProduct, then Sterbenz) plus `rest` give the quotient as
 * q1 + r / divisor to within ~2^-100 of its value. Rounding that sum (TwoSum: c plus the exact
 * leftover t) gives the correctly rounded double unless the true quotient may sit on the other
 * side of a midpoint: |t| within 2^-25 ulp of half an ulp (far wider than the error), or c a
 * power of two (the ulp below it is half the one above). The result is at least 2^53 / 10^22,
 * a normal double, so its exponent bits tell the ulp.
 */
function decimalQuotient(high: number, power: number, low: number, divisor: number): number | undefined {
  if (!isLittleEndian) return undefined;
  const p = high * power;
  const rest = productError(high, power, p) + low;
  const q1 = p / divisor;
  const q1Times = q1 * divisor;
  const remainder = p - q1Times - productError(q1, divisor, q1Times) + rest;
  const q2 = remainder / divisor;
  const rounded = q1 + q2;
  const roundedPart = rounded - q1;
  const leftover = q1 - (rounded - roundedPart) + (q2 - roundedPart);
  doubleBits[0] = rounded;
  const highWord = doubleWords[1]!;
  if ((highWord & 0xfffff) === 0 && doubleWords[0] === 0) return undefined; // a power of two
  return Math.abs(leftover) < TRUSTED_LEFTOVER_BY_EXPONENT[highWord >>> 20]! ? rounded : undefined;
}
