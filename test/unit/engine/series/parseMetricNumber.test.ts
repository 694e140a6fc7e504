import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMetricNumber, parseNumberAt } from '../../../../src/engine/series/parseMetricNumber';
import { createRandom } from '../../../../bench/support/createRandom';

/** parseNumberAt on a cell inside a row, as the readers call it: the neighbours must not leak in. */
function cell(text: string): number | undefined {
  const row = `7-\t${text}\t-1e5`;
  return parseNumberAt(row, 3, 3 + text.length);
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
