import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFileCursor, createFileCursor } from '../../../../src/engine/series/fileCursor';
import { parseMetricNumber } from '../../../../src/engine/series/parseMetricNumber';
import { readCompleteLines } from '../../../../src/engine/series/readCompleteLines';
import { readFileEdges } from '../../../../src/engine/series/readFileEdges';
import { createTextFileTail } from '../../../../src/engine/series/textFileTail';
import { createCsvLogParser } from '../../../../src/engine/readers/csvLogger/createCsvLogParser';
import type { FileSystem } from '../../../../src/engine/ports';
import { createMemoryFileSystem, withFrozenStats } from '../../../support/memoryFileSystem';

test('parseMetricNumber reads Python float text and treats empty and NA cells as no value', () => {
  assert.equal(parseMetricNumber('0.25'), 0.25);
  assert.equal(parseMetricNumber('1e-05'), 1e-5);
  assert.equal(parseMetricNumber('-inf'), Number.NEGATIVE_INFINITY);
  assert.equal(parseMetricNumber('inf'), Number.POSITIVE_INFINITY);
  assert.ok(Number.isNaN(parseMetricNumber('nan')!));
  assert.equal(parseMetricNumber('0'), 0);
  assert.equal(parseMetricNumber(''), undefined);
  assert.equal(parseMetricNumber(' '), undefined);
  assert.equal(parseMetricNumber('NA'), undefined);
  assert.equal(parseMetricNumber('[1, 2]'), undefined);
});

test('readCompleteLines hands over whole lines across small chunks and stops before a torn line', () => {
  const fs = createMemoryFileSystem({ '/f': 'alpha\nbeta\r\ngam' });
  const blocks: string[] = [];
  const result = readCompleteLines(fs, '/f', 0, 16, (text) => void blocks.push(text), { chunkBytes: 3 });
  assert.equal(blocks.join(''), 'alpha\nbeta\r\n');
  assert.deepEqual(result, { endOffset: 12, hasTornTail: true, skippedLongLines: 0 });
});

test('readCompleteLines: a CRLF split across chunks, a torn last line and its completion by an append', () => {
  const fs = createMemoryFileSystem({ '/f': 'step\tloss\r\n1\t0.5\r\n2\t0.2' });
  for (const chunkBytes of [1, 2, 3, 5, 7, 64]) {
    const blocks: string[] = [];
    const first = readCompleteLines(fs, '/f', 0, 23, (text) => void blocks.push(text), { chunkBytes });
    assert.equal(blocks.join(''), 'step\tloss\r\n1\t0.5\r\n', `chunk ${chunkBytes}`);
    assert.deepEqual(first, { endOffset: 18, hasTornTail: true, skippedLongLines: 0 });
  }
  fs.appendFile('/f', '5\r\n3\t');
  const blocks: string[] = [];
  const next = readCompleteLines(fs, '/f', 18, 28, (text) => void blocks.push(text), { chunkBytes: 3 });
  assert.equal(blocks.join(''), '2\t0.25\r\n');
  assert.deepEqual(next, { endOffset: 26, hasTornTail: true, skippedLongLines: 0 });
});

test('readCompleteLines skips an overlong line instead of buffering it without bound', () => {
  const fs = createMemoryFileSystem({ '/f': `a\n${'x'.repeat(100)}\nb\n` });
  const blocks: string[] = [];
  const result = readCompleteLines(fs, '/f', 0, 106, (text) => void blocks.push(text), {
    chunkBytes: 8,
    maxLineBytes: 16,
  });
  assert.equal(blocks.join(''), 'a\nb\n');
  assert.equal(result.skippedLongLines, 1);
});

test('checkFileCursor tells appended, unchanged, replaced (shrunk or rewritten) and missing apart', () => {
  const fs = createMemoryFileSystem({ '/f': 'h\n1\n' });
  const cursor = createFileCursor(fs, '/f', 4, fs.stat('/f')!);
  assert.equal(checkFileCursor(fs, cursor).change, 'unchanged');
  fs.appendFile('/f', '2\n');
  assert.equal(checkFileCursor(fs, cursor).change, 'appended');
  fs.writeFileAtomic('/f', 'H\n1\n2\n3\n');
  assert.equal(checkFileCursor(fs, cursor).change, 'replaced');
  fs.writeFileAtomic('/f', 'h\n');
  assert.equal(checkFileCursor(fs, cursor).change, 'replaced');
  fs.remove('/f');
  assert.equal(checkFileCursor(fs, cursor).change, 'missing');
});

test('readFileEdges reads the head and the tail of a big file only', () => {
  const lines = Array.from({ length: 10_000 }, (_value, index) => `${index}\t${index / 2}`);
  const fs = createMemoryFileSystem({ '/big.tsv': `step\tv\n${lines.join('\n')}\n` });
  const edges = readFileEdges(fs, '/big.tsv', 64, 64)!;
  assert.equal(edges.isWhole, false);
  assert.ok(edges.head.startsWith('step\tv\n0\t0\n'));
  assert.ok(edges.tail.endsWith('9999\t4999.5\n'));
  assert.ok(edges.tail.length <= 64);
  assert.equal(edges.endsTorn, false);
});

test('a file over the tail cap keeps its newest lines and says how big it is and what to do', () => {
  const fs = createMemoryFileSystem({ '/m.csv': `${'x,1\n'.repeat(10)}step,loss\n0,0.5\n1,0.25\n` });
  const tail = createTextFileTail('/m.csv', () => createCsvLogParser('/m.csv'), { maxBytes: 24 });
  const { problems } = tail.poll(fs);
  assert.deepEqual(
    problems.map((problem) => [problem.code, problem.file]),
    [['fileTooLarge', '/m.csv']],
  );
  assert.match(problems[0]!.message, /^The file is 63 bytes; only its last 24 bytes were read.*Log less often/);
  assert.deepEqual([...tail.parser.builders.get('loss')!.build().values], [0.5, 0.25]);
});

test('a CSV written by a live writer, torn mid-line and mid-number at every poll, is read from its bytes as one read of the whole text', () => {
  const rows = Array.from(
    { length: 40 },
    (_unused, step) => `${step >> 3},${step},${step / 7},${step % 5 ? '' : 'nan'}`,
  );
  const whole = `epoch,step,loss,val\r\n${rows.join('\r\n')}\r\n`;
  const once = createCsvLogParser('/m.csv');
  once.feed(whole, 1);
  const fs = createMemoryFileSystem({ '/m.csv': '' });
  const tail = createTextFileTail('/m.csv', () => createCsvLogParser('/m.csv'));
  // Appends of 1 to 13 bytes: cuts inside numbers, between CR and LF, and at line ends.
  for (let written = 0, size = 1; written < whole.length; written += size, size = (size % 13) + 1) {
    fs.appendFile('/m.csv', whole.slice(written, written + size));
    const { problems } = tail.poll(fs);
    assert.deepEqual(problems, []);
    assert.equal(tail.endsTorn, !whole.slice(0, written + size).endsWith('\n'));
  }
  for (const name of ['epoch', 'loss', 'val']) {
    const expected = once.builders.get(name)!.build();
    const actual = tail.parser.builders.get(name)!.build();
    assert.deepEqual([...actual.steps], [...expected.steps], name);
    assert.deepEqual([...actual.values], [...expected.values], name);
  }
  assert.equal(tail.parser.builders.get('loss')!.length, 40);
});

test('a parser that reads bytes is handed the bytes, never decoded text; the first partial line of a capped read is cut from them', () => {
  const fs = createMemoryFileSystem({ '/m.csv': 'step,loss\n0,0.5\n1,0.25\n' });
  const blocks: string[] = [];
  const parser = {
    builders: new Map(),
    takeProblems: () => [],
    feed(): number {
      throw new Error('text was decoded');
    },
    feedBytes(bytes: Uint8Array, firstLine: number) {
      blocks.push(`${firstLine}:${new TextDecoder().decode(bytes)}`);
      return bytes.filter((byte) => byte === 10).length;
    },
  };
  createTextFileTail('/m.csv', () => parser).poll(fs);
  createTextFileTail('/m.csv', () => parser, { maxBytes: 10 }).poll(fs);
  assert.deepEqual(blocks, ['1:step,loss\n0,0.5\n1,0.25\n', '1:1,0.25\n']);
});

// The racy rule of the file cursor (issue 17): an equal stat answers 'unchanged' without a read only
// when it could vouch for the bytes read (statCanVouch), and ctime is compared too.

const stampOf = (fs: FileSystem, path: string) => fs.stat(path)!.mtimeMs;

test('a file rewritten with the same size within the same timestamp tick as its read is seen replaced (the cursor was not settled)', () => {
  const disk = withFrozenStats(createMemoryFileSystem({ '/f': 'h\n1\n' }));
  const readAt = stampOf(disk.fs, '/f') + 500;
  const cursor = createFileCursor(disk.fs, '/f', 4, disk.fs.stat('/f')!, readAt);
  disk.fs.writeFileAtomic('/f', 'H\n2\n');
  assert.equal(checkFileCursor(disk.fs, cursor, readAt + 100).change, 'replaced');
});

test('a file rewritten with the same size and its mtime put back is seen replaced, though its cursor was settled (ctime moved)', () => {
  const disk = withFrozenStats(createMemoryFileSystem({ '/f': 'h\n1\n' }));
  const later = stampOf(disk.fs, '/f') + 60_000;
  const cursor = createFileCursor(disk.fs, '/f', 4, disk.fs.stat('/f')!, later);
  disk.fs.writeFileAtomic('/f', 'H\n2\n');
  disk.moveCtime('/f');
  assert.equal(checkFileCursor(disk.fs, cursor, later).change, 'replaced');
});

test('an old untouched file is unchanged without a read; a racy cursor is checked by content until its stat settles', () => {
  const disk = withFrozenStats(createMemoryFileSystem({ '/f': 'h\n1\n' }));
  const written = stampOf(disk.fs, '/f');
  const settled = createFileCursor(disk.fs, '/f', 4, disk.fs.stat('/f')!, written + 60_000);
  const readsBefore = disk.reads();
  assert.equal(checkFileCursor(disk.fs, settled, written + 61_000).change, 'unchanged');
  assert.equal(disk.reads(), readsBefore, 'settled: a stat alone');

  const racy = createFileCursor(disk.fs, '/f', 4, disk.fs.stat('/f')!, written + 500);
  const within = checkFileCursor(disk.fs, racy, written + 1000);
  assert.equal(within.change, 'unchanged');
  assert.equal(within.cursor?.settled, false);
  assert.ok(disk.reads() > readsBefore, 'racy: the bytes are checked');
  const after = checkFileCursor(disk.fs, within.cursor!, written + 2500);
  assert.equal(after.cursor?.settled, true, 'checked after the window: settled from then on');
  const readsSettled = disk.reads();
  assert.equal(checkFileCursor(disk.fs, after.cursor!, written + 3000).change, 'unchanged');
  assert.equal(disk.reads(), readsSettled);
});

test('a tail sees a CSV rewritten with the same size within the same tick as its last poll', () => {
  const disk = withFrozenStats(createMemoryFileSystem({ '/log.csv': 'epoch,loss\n0,0.5\n' }));
  const clock = { now: () => stampOf(disk.fs, '/log.csv') + 500 };
  const tail = createTextFileTail('/log.csv', () => createCsvLogParser('/log.csv'), { clock });
  tail.poll(disk.fs);
  assert.equal(tail.parser.builders.get('loss')?.length, 1);
  disk.fs.writeFileAtomic('/log.csv', 'epoch,loss\n0,0.7\n');
  assert.equal(tail.poll(disk.fs).change, 'reset');
  assert.equal(tail.parser.builders.get('loss')?.lastValue(), 0.7);
});
