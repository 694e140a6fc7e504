import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DecimalBytesReader,
  parseMetricNumber,
  parseNumberAt,
  TRUSTED_LEFTOVER_BY_EXPONENT,
} from '../../../../src/engine/series/parseMetricNumber';
import { createRandom } from '../../../../bench/support/createRandom';

const encoder = new TextEncoder();
const bytesReader = new DecimalBytesReader();
/** Cells the bytes reader read itself (not handed back to the text path), for the coverage checks. */
let readFromBytes = 0;

/**
 * DecimalBytesReader on a cell inside a row, as a parser calls it: the value when it read a number
 * that ends exactly at the cell's end, else undefined (the parser then reads the cell's text).
 */
function bytesCell(text: string, separator = '\t', ending = '\n'): number | undefined {
  const before = encoder.encode(`7-${separator}`).length;
  const row = encoder.encode(`7-${separator}${text}${separator}-1e5${ending}`);
  const cellEnd = before + encoder.encode(text).length;
  const value = bytesReader.read(row, before, row.length);
  if (Number.isNaN(value) || bytesReader.end !== cellEnd) return undefined;
  readFromBytes++;
  return value;
}

/**
 * parseNumberAt on a cell inside a row, as the readers call it: the neighbours must not leak in.
 * The bytes reader reading the same cell's bytes must give the same double, or leave it to the text.
 */
function cell(text: string): number | undefined {
  const row = `7-\t${text}\t-1e5`;
  const value = parseNumberAt(row, 3, 3 + text.length);
  const fromBytes = bytesCell(text);
  if (fromBytes !== undefined) assertSameNumber(fromBytes, value, `${text} (bytes)`);
  return value;
}

/** Object.is: -0 and 0 differ, NaN equals NaN. */
function assertSameNumber(actual: number | undefined, expected: number | undefined, text: string): void {
  assert.ok(Object.is(actual, expected), `${JSON.stringify(text)}: got ${actual}, expected ${expected}`);
}

test('parseNumberAt reads every form the loggers write exactly as parseMetricNumber does', () => {
  const forms = [
    ...['0', '-0', '0.0', '-0.0', '7', '12', '1700000000050', '-42', '007', '1.', '.5', '-.5'],
    ...['0.25', '1e-05', '1E-05', '1e+20', '-3.5E+2', '2.5e3', '1e22', '1e23', '1e-22', '1e-23', '0e400'],
    ...['nan', 'NaN', '-nan', 'inf', '-inf', '+inf', 'Infinity', '-Infinity', '+5', 'NA', ''],
    ...[' 1.5', '1.5 ', '1_000', '1.5.2', '0x10', '-', '.', 'e5', '1e', '1e+', '1e-', '1e5x', '--1', '[1, 2]'],
    // Beyond the exact fast path: 16-17 significant digits, 2^53 and around it, huge and tiny.
    ...['0.30000000000000004', '1.2345678901234567', '9007199254740991', '9007199254740992'],
    ...['9007199254740993', '123456789012345678901234567890', '1e308', '1e309', '-1e309', '5e-324', '1e-400'],
    ...['179769313486231570000000000000000000000000000000000000000000000000000000000000000000000000000'],
    ...['0.000000000000000000000000000001', '4.35', '0.1', '0.7', '1.1', '2.675', '1e00001'],
  ];
  for (const text of forms) assertSameNumber(cell(text), parseMetricNumber(text), text);
});

test('parseNumberAt agrees with Number() on 100,000 random doubles in every notation', () => {
  const random = createRandom(17);
  for (let index = 0; index < 100_000; index++) {
    const magnitude = 10 ** random.int(-30, 30);
    const value = (random.next() - 0.5) * magnitude;
    const digits = random.int(1, 17);
    for (const text of [String(value), value.toExponential(digits - 1), value.toPrecision(digits)]) {
      assertSameNumber(cell(text), Number(text), text);
    }
    const integer = random.int(0, 2 ** 31) * random.int(0, 2 ** 22);
    assertSameNumber(cell(String(integer)), integer, String(integer));
  }
});

/** The exact decimal text of mantissa * 2^exponent. */
function exactDecimal(mantissa: bigint, exponent: number): string {
  if (exponent >= 0) return (mantissa << BigInt(exponent)).toString();
  const digits = (mantissa * 5n ** BigInt(-exponent)).toString().padStart(-exponent + 1, '0');
  const point = digits.length + exponent;
  return `${digits.slice(0, point)}.${digits.slice(point)}`.replace(/0+$/, '').replace(/\.$/, '');
}

test('16-19 significant digits (round-trip floats, CRLF/tab-bounded cells, midpoints between doubles) read as Number() reads them', () => {
  const random = createRandom(2053);
  const bits = new Float64Array(1);
  const words = new Uint32Array(bits.buffer);
  let midpoints = 0;
  for (let index = 0; index < 150_000; index++) {
    // Round-trip text of random doubles from 1e-8 to 1e22: 16-17 digits, the shape DVCLive writes.
    const value = random.next() * 10 ** random.int(-8, 22);
    for (const text of [String(value), `-${value}`, value.toPrecision(16 + (index % 4))]) {
      assertSameNumber(cell(text), Number(text), text);
    }
    // Any 16-19 digits with the point anywhere.
    const count = 16 + (index % 4);
    let digits = String(random.int(1, 9));
    while (digits.length < count) digits += String(random.int(0, 9));
    const point = random.int(0, count);
    const text = `${digits.slice(0, point)}.${digits.slice(point)}`;
    assertSameNumber(cell(text), Number(text), text);
    // The exact midpoint between two neighbouring doubles, and one unit of its last digit either side.
    bits[0] = (2 ** 53 * (1 + random.next())) / 10 ** random.int(0, 11);
    const exponent = ((words[1]! >>> 20) & 0x7ff) - 1075;
    const mantissa = (BigInt(words[1]! & 0xfffff) << 32n) | BigInt(words[0]!) | (1n << 52n);
    const midpoint = exactDecimal(2n * mantissa + 1n, exponent - 1);
    if (midpoint.replace('.', '').length > 19) continue;
    midpoints++;
    const last = Number(midpoint.at(-1));
    for (const near of [midpoint, midpoint.slice(0, -1) + String(last - 1), midpoint.slice(0, -1) + String(last + 1)]) {
      if (!near.endsWith('-1') && !near.endsWith('10')) assertSameNumber(cell(near), Number(near), near);
    }
  }
  assert.ok(midpoints > 1000, `only ${midpoints} midpoints had 19 digits or fewer`);
  // Edges: the 2^53 boundary, 19 digits, 20 digits (Number() reads those), exponents at the limits.
  for (const text of [
    '9007199254740993',
    '9007199254740992.5',
    '18014398509481986',
    '9999999999999999999',
    '99999999999999999999',
    '0.99999999999999999999',
    '1.2345678901234567e-5',
    '1.234567890123456789e-3',
    '12345678901234567e-22',
    '12345678901234567e-23',
    '12345678901234567e1',
    '0.30000000000000004\r',
    '-0.00000000000000001',
    '1.7976931348623157e308',
    '2.2250738585072014e-308',
    '4.9406564584124654e-324',
  ]) {
    assertSameNumber(cell(text), parseMetricNumber(text), text);
  }
});

test('the bytes reader reads common cells itself and leaves every odd text to parseMetricNumber, never reading it differently', () => {
  const odd = [
    ...['+1', '+0.5', '.5', '-.5', '5.', '-5.', '1e', '1e+', 'e5', '-e5', '0x10', ' 1', '1 ', '1_0', '1,5', '1.5.2'],
    ...['-0', '-0.0', '0', 'NaN', 'nan', '-nan', 'inf', '-inf', 'Infinity', '-Infinity', 'NA', '', '-', '.', '--1'],
    ...['1e00001', '1e-0001', '1E5', '1e+22', '1e23', '1e-22', '1e-23', '1e308', '1e309', '5e-324', '2e-324', '1e-400'],
    ...['9'.repeat(15), '9'.repeat(16), '9'.repeat(19), '9'.repeat(20), '1'.repeat(40), `0.${'0'.repeat(30)}1`],
    ...[`${'1'.repeat(15)}.${'2'.repeat(10)}`, `0.${'3'.repeat(19)}`, '00000000000000000000000001', '-000.000'],
    ...['1.5\r', '１', '\u00a01', '0.5e', '0.5e-', '3.14abc', '"0.5"', '2.2250738585072011e-308'],
  ];
  for (const separator of [',', '\t'])
    for (const ending of ['\n', '\r\n', '']) {
      for (const text of odd) {
        const value = bytesCell(text, separator, ending);
        if (value !== undefined) assertSameNumber(value, parseMetricNumber(text), JSON.stringify(text));
      }
    }
  // The shapes loggers write are read from the bytes, not handed back.
  readFromBytes = 0;
  const common = ['0', '-0', '12', '1700000000050', '0.25', '1e-05', '-3.5E+2', '0.7960062762722373'];
  for (const text of [...common, '1.2752141724340618', '0.30000000000000004', '1.7976931348623157e308'.slice(0, 18)]) {
    assertSameNumber(bytesCell(text, ','), parseMetricNumber(text), text);
  }
  assert.equal(readFromBytes, common.length + 3);
});

test('the bytes reader agrees with Number() on 200,000 random doubles and reads almost all of them itself', () => {
  const random = createRandom(23);
  const bits = new Float64Array(1);
  const words = new Uint32Array(bits.buffer);
  readFromBytes = 0;
  let tried = 0;
  for (let index = 0; index < 100_000; index++) {
    // Round-trip text of values the loggers write (losses, rates, steps)...
    const value = random.next() * 10 ** random.int(-4, 12);
    // ...and of any bit pattern: subnormals, huge exponents, and what Number() alone reads.
    words[0] = random.int(0, 2 ** 32 - 1);
    words[1] = random.int(0, 2 ** 32 - 1);
    for (const text of [String(value), String(bits[0])]) {
      tried++;
      const fromBytes = bytesCell(text, ',');
      if (fromBytes !== undefined) assertSameNumber(fromBytes, Number(text), text);
    }
  }
  // Half the texts are random bit patterns (exponents to ±308, beyond the exact paths); the
  // logger-shaped half is read from the bytes unless it sits on a midpoint.
  assert.ok(readFromBytes > tried * 0.45, `only ${readFromBytes} of ${tried} read from the bytes`);
});

test('the trusted leftover by exponent equals the half ulp less 2^-25 of it that decimalQuotient built from the bits, for every exponent', () => {
  // The computation the table replaced: the ulp written as a double's two words, read back.
  const bits = new Float64Array(1);
  const words = new Uint32Array(bits.buffer);
  const highWordOf = (value: number) => {
    bits[0] = value;
    return words[1]!;
  };
  // Every biased exponent the old computation was right for (from 53, an ulp of 2^-1022 on), and
  // the quotients' own range (2^53 / 10^22 to 10^19) lies within it.
  assert.ok(highWordOf(2 ** 53 / 1e22) >>> 20 >= 53 && highWordOf(1e19) >>> 20 <= 2046);
  for (let biased = 53; biased <= 2046; biased++) {
    words[1] = (biased - 52) << 20;
    words[0] = 0;
    const halfUlp = bits[0]! / 2;
    assertSameNumber(TRUSTED_LEFTOVER_BY_EXPONENT[biased]!, halfUlp - halfUlp * 2 ** -25, `exponent ${biased}`);
  }
});
