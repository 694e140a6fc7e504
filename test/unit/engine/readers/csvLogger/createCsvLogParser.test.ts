import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createCsvLogParser } from '../../../../../src/engine/readers/csvLogger/createCsvLogParser';
import { lightningMetricsCsv } from '../../../../support/csvLoggerWriter';
import { blockEndsAt, feedTextAndBytes } from '../../../../support/lineTableFeeds';

const cell = fc.oneof(
  fc.constant(''),
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map(String),
  fc.constantFrom('nan', 'inf', '-inf', 'NA', '1e-05', '"[1, 2]"', '"3.5"'),
  // Any double's round-trip text (16-17 digits, subnormals, 1e308) and the edges of the fast paths.
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.constantFrom('-0', '-0.0', '1e308', '1.7976931348623157e308', '4.9e-324', '2.2250738585072014e-308'),
  fc.constantFrom('9007199254740993', '0.30000000000000004', '1234567890123456789', '12345678901234567890'),
);

/** The obvious reading of one row, for comparison with the in-place fast path. */
function reference(columns: string[], rows: string[][]): Map<string, Array<[number, number]>> {
  const parse = (text: string) => {
    const unquoted = text.startsWith('"') ? text.slice(1, -1) : text;
    if (unquoted === '' || unquoted === 'NA' || unquoted.startsWith('[')) return undefined;
    const special: Record<string, number> = { nan: Number.NaN, inf: Infinity, '-inf': -Infinity };
    return unquoted in special ? special[unquoted] : Number(unquoted);
  };
  const series = new Map<string, Array<[number, number]>>();
  for (const row of rows) {
    const x = parse(row[0]!);
    if (x === undefined) continue;
    columns.forEach((name, index) => {
      if (index === 0) return;
      const value = parse(row[index] ?? '');
      if (value === undefined) return;
      series.set(name, [...(series.get(name) ?? []), [x, value]]);
    });
  }
  return series;
}

test('the in-place row reader agrees with a plain split-and-parse reading, quoted cells included', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 4 }),
      fc.array(fc.array(cell, { minLength: 5, maxLength: 5 }), { maxLength: 20 }),
      fc.boolean(),
      (metricCount, rawRows, crlf) => {
        const columns = ['step', ...Array.from({ length: metricCount }, (_value, index) => `m${index}`)];
        const rows = rawRows.map((row, index) => [String(index), ...row.slice(0, metricCount)]);
        const ending = crlf ? '\r\n' : '\n';
        const text = [columns.join(','), ...rows.map((row) => row.join(','))].map((line) => line + ending).join('');
        const parser = createCsvLogParser('/m.csv');
        parser.feed(text, 1);
        const expected = reference(columns, rows);
        for (const name of columns.slice(1)) {
          const built = parser.builders.get(name)?.build();
          const actual = built ? Array.from(built.steps, (step, index) => [step, built.values[index]!]) : [];
          assert.deepEqual(actual, expected.get(name) ?? [], name);
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('only the named columns are read when names are given', () => {
  const parser = createCsvLogParser('/m.csv', { names: ['loss'] });
  parser.feed('epoch,step,loss,acc\n0,1,0.5,0.9\n', 1);
  assert.deepEqual([...parser.builders.keys()], ['loss']);
  assert.deepEqual([...parser.builders.get('loss')!.build().values], [0.5]);
});

test('a long block without quotes or with junk lines is read in linear time (a guard against per-line block scans)', () => {
  const rows = Array.from(
    { length: 100_000 },
    (_value, step) => `${step},0.5,${step % 7 === 0 ? 'junk line without separators' : '1'}`,
  );
  const text = `step,loss,acc\n${rows.join('\n')}\n`;
  const started = performance.now();
  const parser = createCsvLogParser('/m.csv');
  parser.feed(text, 1);
  // Linear work takes tens of milliseconds; a scan to the block end per line would take minutes.
  assert.ok(performance.now() - started < 10_000);
  assert.equal(parser.builders.get('loss')!.length, 100_000);
});

test('a row narrower or wider than the header is skipped with a located problem, not read into the wrong columns', () => {
  const written = lightningMetricsCsv(
    [
      { step: 0, train_loss: 0.9, val_acc: 0.1 },
      { step: 1, train_loss: 0.8, val_acc: 0.2 },
      { step: 2, train_loss: 0.7, val_acc: 0.3 },
    ],
    { columns: ['step', 'train_loss', 'val_acc'], lineEnding: '\n' },
  );
  // Line 3 lost its middle cell (0.8), line 4 gained one; a plain and a quoted short row.
  const text = written.replace('1,0.8,0.2', '1,0.2').replace('2,0.7,0.3', '2,0.7,0.3,9') + '3,"0.6"\n';
  const parser = createCsvLogParser('/logs/metrics.csv');
  parser.feed(text, 1);
  assert.deepEqual([...parser.builders.get('train_loss')!.build().steps], [0]);
  assert.deepEqual([...parser.builders.get('val_acc')!.build().values], [0.1]);
  assert.deepEqual(
    parser.takeProblems().map((problem) => [problem.code, problem.file, problem.line, problem.message]),
    [
      [
        'seriesRowSkipped',
        '/logs/metrics.csv',
        3,
        '3 row(s) do not have as many fields as the header and were skipped (this one has 2, the header has 3). The file was probably edited or written by two processes at once; the other rows are read.',
      ],
    ],
  );
});

test('cells are found in one pass: x in the middle, empty cells, -0, huge and tiny numbers, 40-column rows', () => {
  const wide = Array.from({ length: 38 }, (_value, index) => `m${index}`);
  const parser = createCsvLogParser('/m.csv');
  parser.feed(
    [
      `epoch,step,loss,${wide.join(',')}`,
      `0,10,-0,${wide.map((_name, index) => (index % 2 === 0 ? '' : `${index}e300`)).join(',')}`,
      `0,,0.5,${wide.map(() => '1').join(',')}`,
      `1,20,1.7976931348623157e308,${wide.map(() => '5e-324').join(',')}`,
      `1,30,,${wide.map(() => '').join(',')},extra`,
      '',
    ].join('\r\n'),
    1,
  );
  const loss = parser.builders.get('loss')!.build();
  assert.deepEqual([...loss.steps], [10, 20]);
  assert.ok(Object.is(loss.values[0], -0));
  assert.equal(loss.values[1], Number.MAX_VALUE);
  assert.deepEqual([...parser.builders.get('m1')!.build().values], [1e300, 5e-324]);
  assert.deepEqual([...parser.builders.get('m0')!.build().steps], [20]);
  assert.deepEqual([...parser.builders.get('epoch')!.build().values], [0, 1]);
  assert.deepEqual(
    parser.takeProblems().map((problem) => [problem.line, problem.message.slice(0, 40)]),
    [
      [5, '1 row(s) do not have as many fields as t'],
      [3, '1 row(s) have no numeric step/epoch and '],
    ],
  );
});

test('rows without a separator, or with too many, between good rows are skipped and counted; the rows around them are read', () => {
  const parser = createCsvLogParser('/metrics.csv');
  const junk = Array.from({ length: 50 }, (_unused, index) => `junk line ${index}`).join('\n');
  parser.feed(`epoch,step,loss,val\n0,0,0.5,\n${junk}\n0,1,,0.25\r\n0,2,0.125,1,9\n0,3,1e308,-0\n0,4,4.9e-324,\n`, 1);
  const loss = parser.builders.get('loss')!.build();
  assert.deepEqual([...loss.steps], [0, 3, 4]);
  assert.deepEqual([...loss.values], [0.5, 1e308, 5e-324]);
  const val = parser.builders.get('val')!.build();
  assert.deepEqual([...val.steps], [1, 3]);
  assert.ok(Object.is(val.values[1], -0));
  const problems = parser.takeProblems();
  assert.equal(problems.length, 1);
  assert.match(problems[0]!.message, /^51 row\(s\) do not have as many fields/);
});

const byteCell = fc.oneof(
  cell,
  fc.constantFrom('+1', '.5', '5.', '1e', 'e5', '0x10', ' 1', '1 ', '1_0', '1'.repeat(30), '-0', 'NaN', '-Infinity'),
  fc.constantFrom('é', '\u00ff', '1\r', '"a,b"', '"', 'x"y', '\ufeff1', '1e-400', '5e-324', '1e309', ''),
);
const byteLine = fc.oneof(
  { weight: 8, arbitrary: fc.array(byteCell, { minLength: 2, maxLength: 5 }).map((cells) => cells.join(',')) },
  { weight: 8, arbitrary: fc.tuple(fc.nat(1000), byteCell, byteCell).map(([step, a, b]) => `0,${step},${a},${b}`) },
  fc.constantFrom('epoch,step,loss,val', 'step,loss', 'epoch,acc', '', '\r', '\ufeffepoch,step,loss,val', 'junk'),
);

test('reading from the bytes gives exactly what reading the decoded text gives, for any lines and any block cuts', () => {
  fc.assert(
    fc.property(
      fc.array(byteLine, { maxLength: 30 }),
      fc.constantFrom('\n', '\r\n'),
      fc.array(fc.nat(30), { maxLength: 4 }),
      fc.constantFrom(undefined, ['loss'], ['val', 'acc']),
      (lines, ending, cuts, names) => {
        const text = `epoch,step,loss,val${ending}${lines.map((line) => line + ending).join('')}`;
        const bytes = new TextEncoder().encode(text);
        const read = feedTextAndBytes(
          createCsvLogParser('/m.csv', { names }),
          createCsvLogParser('/m.csv', { names }),
          bytes,
          blockEndsAt(bytes, cuts),
        );
        assert.equal(read.bytes, read.text);
      },
    ),
    { numRuns: 2000 },
  );
});

test('the common rows are read from the bytes; a nan, a quote or a torn width in a row hands that row alone to the text path', () => {
  const parser = createCsvLogParser('/m.csv', { names: ['loss'] });
  const text = [
    'epoch,step,loss,val',
    '0,0,0.5,',
    '0,1,nan,0.1',
    '0,2,0.25,"x"',
    '0,3,0.125',
    '0,4,-0,1e-05',
    '0,5,0.7960062762722373,\r',
    '',
  ].join('\n');
  assert.equal(parser.feedBytes(new TextEncoder().encode(text), 1), 7);
  const loss = parser.builders.get('loss')!.build();
  assert.deepEqual([...loss.steps], [0, 1, 2, 4, 5]);
  assert.ok(Number.isNaN(loss.values[1]!));
  assert.ok(Object.is(loss.values[3], -0));
  assert.deepEqual([loss.values[0], loss.values[2], loss.values[4]], [0.5, 0.25, 0.7960062762722373]);
  assert.deepEqual(
    parser.takeProblems().map((problem) => [problem.code, problem.line]),
    [['seriesRowSkipped', 5]],
  );
});

test('a parser holds its columns as a data property, kept current by a repeated header (no accessor: with one, scavenges promoted every dead parser)', () => {
  // With `get columns()` a dead parser's closure, builders and series were promoted by every
  // scavenge until the next full collection (most likely through the accessor pair, which V8
  // makes in old space): ~11 kB per parser, one parser per run listed (bench/README, stop 23).
  const parser = createCsvLogParser('/m.csv');
  const descriptor = Object.getOwnPropertyDescriptor(parser, 'columns');
  assert.equal(descriptor?.get, undefined);
  assert.deepEqual(parser.columns, []);
  parser.feed('step,loss\n0,1\n', 1);
  assert.deepEqual(parser.columns, ['step', 'loss']);
  parser.feed('step,loss,acc\n1,0.5,0.9\n', 3);
  assert.deepEqual(parser.columns, ['step', 'loss', 'acc']);
  assert.deepEqual([...parser.builders.get('acc')!.build().values], [0.9]);
});
