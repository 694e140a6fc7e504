import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FileSystem } from '../../../../../src/engine/ports';
import { latestMetricValue } from '../../../../../src/engine/readers/mlflow/metricSeriesBuilder';
import { readLatestMetric } from '../../../../../src/engine/readers/mlflow/readLatestMetric';
import { parsePythonFloat, readMetricHistory } from '../../../../../src/engine/readers/mlflow/readMetricHistory';
import { createMemoryFileSystem } from '../../../../support/memoryFileSystem';

const file = '/s/metrics/loss';

test('readMetricHistory reads 3-field lines and legacy 2-field lines (step 0) in file order', () => {
  const fs = createMemoryFileSystem({ [file]: '1000 0.5 0\n1001 0.25\n1002 1e-05 7\n' });
  const { series, problems, nextOffset, pendingBytes } = readMetricHistory(fs, file);
  assert.deepEqual(problems, []);
  assert.deepEqual(Array.from(series.steps), [0, 0, 7]);
  assert.deepEqual(Array.from(series.values), [0.5, 0.25, 1e-5]);
  assert.deepEqual(Array.from(series.timestamps), [1000, 1001, 1002]);
  assert.ok(series.values instanceof Float64Array);
  assert.equal(nextOffset, fs.files.get(file)!.length);
  assert.equal(pendingBytes, 0);
});

test('readMetricHistory maps Python nan/inf tokens and tolerates extra trailing fields', () => {
  const fs = createMemoryFileSystem({ [file]: '1 nan 0\n2 inf 1\n3 -inf 2\n4 0.5 3 extra\n' });
  const { series, problems } = readMetricHistory(fs, file);
  assert.deepEqual(problems, []);
  assert.ok(Number.isNaN(series.values[0]));
  assert.equal(series.values[1], Number.POSITIVE_INFINITY);
  assert.equal(series.values[2], Number.NEGATIVE_INFINITY);
  assert.equal(series.steps[3], 3);
  assert.equal(parsePythonFloat('1e+16'), 1e16);
  assert.equal(parsePythonFloat('abc'), undefined);
});

test('readMetricHistory leaves a torn last line for the next read and resumes from nextOffset', () => {
  const fs = createMemoryFileSystem({ [file]: '1000 0.5 0\n1001 0.4' });
  const first = readMetricHistory(fs, file);
  assert.equal(first.series.values.length, 1);
  assert.equal(first.pendingBytes, 8);
  fs.appendFile(file, ' 1\n1002 0.3 2\n');
  const second = readMetricHistory(fs, file, first.nextOffset, { firstLine: first.nextLine });
  assert.deepEqual(Array.from(second.series.values), [0.4, 0.3]);
  assert.deepEqual(Array.from(second.series.steps), [1, 2]);
  assert.equal(second.nextLine, 4);
  const third = readMetricHistory(fs, file, second.nextOffset);
  assert.equal(third.series.values.length, 0);
  assert.equal(third.nextOffset, second.nextOffset);
});

test('readMetricHistory parses lines split across chunk boundaries', () => {
  const lines = Array.from({ length: 500 }, (_, index) => `${1000 + index} ${index / 10} ${index}\n`).join('');
  const fs = createMemoryFileSystem({ [file]: lines });
  const { series } = readMetricHistory(fs, file, 0, { chunkSize: 17, firstChunkSize: 5 });
  assert.equal(series.values.length, 500);
  assert.equal(series.values[499], 49.9);
  assert.equal(series.steps[123], 123);
});

test('readMetricHistory reports invalid lines with their line number and keeps the valid ones', () => {
  const fs = createMemoryFileSystem({ [file]: '1000 0.5 0\ngarbage\n1002 x 2\n1003 0.1 3\n' });
  const { series, problems } = readMetricHistory(fs, file);
  assert.deepEqual(Array.from(series.values), [0.5, 0.1]);
  assert.deepEqual(
    problems.map((problem) => [problem.code, problem.line]),
    [
      ['mlflowMetricLineInvalid', 2],
      ['mlflowMetricLineInvalid', 3],
    ],
  );
});

test('readMetricHistory stops on binary junk without a line break and reports it', () => {
  const junk = new Uint8Array(200_000)
    .map((_, index) => (index * 7919) % 251 || 1)
    .map((byte) => (byte === 10 ? 11 : byte));
  const fs = createMemoryFileSystem({ [file]: junk });
  const { series, problems } = readMetricHistory(fs, file);
  assert.equal(series.values.length, 0);
  assert.equal(problems[0]?.code, 'mlflowMetricFileInvalid');
});

test('readMetricHistory returns a problem, not an exception, for a missing file', () => {
  const { problems } = readMetricHistory(createMemoryFileSystem(), '/nope');
  assert.equal(problems[0]?.code, 'mlflowFileUnreadable');
});

/** A 2 GiB metric history that exists only as a readRange function (readFile would explode). */
function hugeMetricFileSystem(size: number): FileSystem {
  const line = (index: number) =>
    `${1_700_000_000_000 + index} ${String(index % 1000).padStart(3, '0')}.5 ${String(index).padStart(10, '0')}\n`;
  const lineBytes = line(0).length; // fixed width, so any byte range maps to known lines
  const base = createMemoryFileSystem();
  return {
    ...base,
    readFile: () => {
      throw new Error('the whole file must never be read');
    },
    stat: () => ({ kind: 'file', size, mtimeMs: 0, ctimeMs: 0, ino: 1, mode: 0o644 }),
    readRange(_path, position, length) {
      const end = Math.min(size, position + length);
      let text = '';
      for (let index = Math.floor(position / lineBytes); index * lineBytes < end; index++) text += line(index);
      const offset = position - Math.floor(position / lineBytes) * lineBytes;
      return new TextEncoder().encode(text.slice(offset, offset + (end - position)));
    },
  };
}

test('readLatestMetric judges a 2 GiB history from its tail and says so', () => {
  const size = 2 * 1024 ** 3;
  const latest = readLatestMetric(hugeMetricFileSystem(size), file);
  const lineBytes = `${1_700_000_000_000} 000.5 0000000000\n`.length;
  assert.equal(latest.value, ((Math.floor(size / lineBytes) - 1) % 1000) + 0.5);
  assert.ok(latest.problems.some((problem) => problem.code === 'mlflowMetricFileLarge'));
});

test('readMetricHistory caps what it reads with maxBytes and reports the rest as not read', () => {
  const read = readMetricHistory(hugeMetricFileSystem(2 * 1024 ** 3), file, 0, { maxBytes: 1 << 20 });
  assert.ok(read.truncated);
  assert.ok(read.series.values.length > 20_000);
  const tooLarge = read.problems.find((problem) => problem.code === 'mlflowMetricFileTooLarge')!;
  assert.match(tooLarge.message, new RegExp(`is ${2 * 1024 ** 3} bytes; only its first 1 MiB were read`));
  assert.match(tooLarge.message, /Log this metric less often/);
});

test('latestMetricValue takes the greatest step, then timestamp, then value', () => {
  const series = (steps: number[], timestamps: number[], values: number[]) => ({
    steps: Float64Array.from(steps),
    timestamps: Float64Array.from(timestamps),
    values: Float64Array.from(values),
  });
  assert.equal(latestMetricValue(series([5, 3], [1, 9], [0.1, 0.2])), 0.1);
  assert.equal(latestMetricValue(series([5, 5], [1, 9], [0.1, 0.2])), 0.2);
  assert.equal(latestMetricValue(series([5, 5], [9, 9], [0.3, 0.2])), 0.3);
  assert.equal(latestMetricValue(series([], [], [])), undefined);
});
