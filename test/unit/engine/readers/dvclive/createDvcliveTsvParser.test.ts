import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createDvcliveTsvParser } from '../../../../../src/engine/readers/dvclive/createDvcliveTsvParser';
import { blockEndsAt, feedTextAndBytes } from '../../../../support/lineTableFeeds';

const value = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: 0, max: 2 }).map(String),
  fc.constantFrom('-0', '0.0', 'nan', 'inf', '-inf', '1e308', '4.9e-324', '2.2250738585072014e-308', ''),
  fc.constantFrom('9007199254740993', '0.30000000000000004', '12345678901234567890', '1.2345678901234567e-7'),
);

/** What Python's float() makes of a DVCLive cell; undefined when the row is skipped. */
function expectedValue(text: string): number | undefined {
  if (text === '') return undefined;
  const special: Record<string, number> = { nan: Number.NaN, inf: Infinity, '-inf': -Infinity };
  return text in special ? special[text] : Number(text);
}

test('rows of any double (CRLF or not, blocks cut anywhere between lines) read as Number() reads them', () => {
  fc.assert(
    fc.property(fc.array(value, { minLength: 1, maxLength: 30 }), fc.boolean(), fc.nat(), (values, crlf, cutAt) => {
      const ending = crlf ? '\r\n' : '\n';
      const lines = [
        'timestamp\tstep\tloss',
        ...values.map((text, step) => `${1_700_000_000_000 + step}\t${step}\t${text}`),
      ];
      const parser = createDvcliveTsvParser('/loss.tsv', 'loss');
      // Two blocks of whole lines, as readCompleteLines hands them over.
      const cut = 1 + (cutAt % lines.length);
      parser.feed(
        lines
          .slice(0, cut)
          .map((line) => line + ending)
          .join(''),
        1,
      );
      parser.feed(
        lines
          .slice(cut)
          .map((line) => line + ending)
          .join(''),
        cut + 1,
      );
      const expected = values.flatMap((text, step) => {
        const number = expectedValue(text);
        return number === undefined ? [] : [[step, number, 1_700_000_000_000 + step]];
      });
      const built = parser.builders.get('loss')!.build();
      const actual = Array.from(built.steps, (step, index) => [step, built.values[index]!, built.timestamps[index]!]);
      assert.deepEqual(actual, expected);
    }),
    { numRuns: 500 },
  );
});

test('lines without a tab, or with too many, between good rows are skipped and counted; the good rows around them are read', () => {
  const parser = createDvcliveTsvParser('/loss.tsv', 'loss');
  const junk = Array.from({ length: 50 }, (_unused, index) => `junk line ${index}`).join('\n');
  parser.feed(`step\tloss\n0\t0.5\n${junk}\n1\t0.25\r\n2\t0.125\textra\tmore\n3\t1e308\n4\t-0\n5\t4.9e-324\n`, 1);
  const built = parser.builders.get('loss')!.build();
  assert.deepEqual([...built.steps], [0, 1, 3, 4, 5]);
  assert.deepEqual([...built.values], [0.5, 0.25, 1e308, -0, 5e-324]);
  const problems = parser.takeProblems();
  assert.equal(problems.length, 1);
  assert.match(problems[0]!.message, /^51 row\(s\) of loss do not fit/);
  assert.equal(problems[0]!.line, 3);
});

const byteCell = fc.oneof(
  value,
  fc.constantFrom('+1', '.5', '5.', '1e', 'e5', '0x10', ' 1', '1 ', '1_0', '1'.repeat(30), 'NaN', '-Infinity'),
  fc.constantFrom('é', '\u00ff', '1\r', '"0.5"', '"a\tb"', '"', '\ufeff1', '1e-400', '5e-324', '1e309', 'x'),
);
const byteLine = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.nat(2e12), fc.nat(1000), byteCell).map((cells) => cells.join('\t')) },
  { weight: 2, arbitrary: fc.tuple(byteCell, byteCell).map((cells) => cells.join('\t')) },
  { weight: 2, arbitrary: fc.array(byteCell, { minLength: 1, maxLength: 5 }).map((cells) => cells.join('\t')) },
  fc.constantFrom('timestamp\tstep\tloss', 'step\tloss', '', '\r', '\ufeff1700000000000\t1\t0.5'),
);

test('reading from the bytes gives exactly what reading the decoded text gives, for any lines, headers and block cuts', () => {
  fc.assert(
    fc.property(
      fc.option(fc.constantFrom('timestamp\tstep\tloss', 'step\tloss', '\ufefftimestamp\tstep\tloss')),
      fc.array(byteLine, { maxLength: 30 }),
      fc.constantFrom('\n', '\r\n'),
      fc.array(fc.nat(30), { maxLength: 4 }),
      (header, lines, ending, cuts) => {
        const all = header === null ? lines : [header, ...lines];
        const bytes = new TextEncoder().encode(all.map((line) => line + ending).join(''));
        const read = feedTextAndBytes(
          createDvcliveTsvParser('/loss.tsv', 'loss'),
          createDvcliveTsvParser('/loss.tsv', 'loss'),
          bytes,
          blockEndsAt(bytes, cuts),
        );
        assert.equal(read.bytes, read.text);
      },
    ),
    { numRuns: 2000 },
  );
});
