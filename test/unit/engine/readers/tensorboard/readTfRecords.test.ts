import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readTfRecords } from '../../../../../src/engine/readers/tensorboard/readTfRecords';
import { createMemoryFileSystem } from '../../../../support/memoryFileSystem';
import { concatBytes, encodeEvent, frameRecord } from '../../../../support/tfeventsWriter';

const hex = (text: string) =>
  Uint8Array.from(
    text
      .replace(/\s+/g, '')
      .match(/../g)!
      .map((byte) => parseInt(byte, 16)),
  );

function readAll(bytes: Uint8Array, options: { start?: number; chunkBytes?: number } = {}) {
  const fs = createMemoryFileSystem({ '/ws/events.out.tfevents.1': bytes });
  const records: Array<{ offset: number; data: number[] }> = [];
  const scan = readTfRecords(
    fs,
    '/ws/events.out.tfevents.1',
    options.start ?? 0,
    bytes.length,
    (data, start, end, offset) => records.push({ offset, data: [...data.subarray(start, end)] }),
    { chunkBytes: options.chunkBytes },
  );
  return { records, scan };
}

test('readTfRecords reads the spec test record and the writer frames it byte for byte', () => {
  const record = hex('13000000 00000000 0c91321b 1a1143524320746573742c206f6e652074776f 8ad09457');
  const data = new Uint8Array([0x1a, 0x11, ...new TextEncoder().encode('CRC test, one two')]);
  assert.deepEqual(frameRecord(data), record);
  const { records, scan } = readAll(record);
  assert.deepEqual(records, [{ offset: 0, data: [...data] }]);
  assert.deepEqual(scan, { resumeOffset: record.length, endsInsideRecord: false, issues: [] });
});

test('a record with a corrupt payload is reported at its byte offset and skipped; the next one is read', () => {
  const first = frameRecord(encodeEvent({ step: 1 }));
  const second = frameRecord(encodeEvent({ step: 2 }));
  const third = frameRecord(encodeEvent({ step: 3 }));
  second[14] = second[14]! ^ 0xff;
  const { records, scan } = readAll(concatBytes([first, second, third]));
  assert.deepEqual(
    records.map((record) => record.offset),
    [0, first.length + second.length],
  );
  assert.deepEqual(scan.issues, [{ code: 'tfrecordDataCrcMismatch', offset: first.length, skipped: second.length }]);
});

test('a corrupt length resynchronises at the next valid record and reports the skipped span', () => {
  const first = frameRecord(encodeEvent({ step: 1 }));
  const junk = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  const second = frameRecord(encodeEvent({ step: 2 }));
  const bytes = concatBytes([first, junk, second]);
  const { records, scan } = readAll(bytes);
  assert.deepEqual(
    records.map((record) => record.offset),
    [0, first.length + junk.length],
  );
  assert.deepEqual(scan.issues, [{ code: 'tfrecordLengthCrcMismatch', offset: first.length, skipped: junk.length }]);
  assert.equal(scan.resumeOffset, bytes.length);
});

test('a record cut off by the end of the file stops the scan at its start, for a later incremental read', () => {
  const first = frameRecord(encodeEvent({ step: 1 }));
  const second = frameRecord(encodeEvent({ step: 2, values: [{ tag: 'loss', simpleValue: 0.5 }] }));
  for (const cut of [3, 12, second.length - 1]) {
    const { records, scan } = readAll(concatBytes([first, second.subarray(0, cut)]));
    assert.equal(records.length, 1);
    assert.equal(scan.resumeOffset, first.length);
    assert.equal(scan.endsInsideRecord, true);
    assert.deepEqual(scan.issues, []);
  }
});

test('records bigger than a read chunk (a graph_def) are read whole, and small chunks give the same records', () => {
  const records = [
    frameRecord(encodeEvent({ step: 1, graphDefBytes: 5000 })),
    frameRecord(encodeEvent({ step: 2, values: [{ tag: 'a', simpleValue: 1 }] })),
    frameRecord(encodeEvent({ step: 3, graphDefBytes: 70 })),
  ];
  const bytes = concatBytes(records);
  const whole = readAll(bytes);
  const chunked = readAll(bytes, { chunkBytes: 64 });
  assert.equal(whole.records.length, 3);
  assert.deepEqual(chunked.records, whole.records);
  assert.deepEqual(chunked.scan, whole.scan);
});
