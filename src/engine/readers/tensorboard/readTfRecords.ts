import type { FileSystem } from '../../ports';
import { maskedCrc32c, maskedCrc32cOf8 } from './crc32c';

/** Why a stretch of an event file was skipped. */
export interface TfRecordIssue {
  readonly code: 'tfrecordLengthCrcMismatch' | 'tfrecordDataCrcMismatch';
  /** Byte offset of the record (or of the bytes skipped) in the file. */
  readonly offset: number;
  /** Bytes skipped before reading could resume (resynchronised), or the record's size. */
  readonly skipped: number;
}

export interface TfRecordScan {
  /** Offset of the first record not read completely: an incremental read resumes here. */
  readonly resumeOffset: number;
  /** True when the file ends inside a record (a writer mid-append, or a killed writer). */
  readonly endsInsideRecord: boolean;
  readonly issues: readonly TfRecordIssue[];
}

const HEADER_BYTES = 12;
const FOOTER_BYTES = 4;
/** Event protobufs are small; a graph_def can be megabytes. A bigger length is corruption. */
const MAX_RECORD_BYTES = 1 << 30;

/**
 * Reads TFRecord framing (FORMATS.md 5.2) from `start` to `end` in chunks, verifying the masked
 * CRC-32C of every length and every payload. A record with a bad payload CRC is skipped (its
 * length was verified, so reading goes on after it). A bad length CRC means the position is not a
 * record boundary: the reader scans forward byte by byte for the next header whose length CRC
 * and payload CRC both verify (a false match has odds of about 2^-64), and reports the skipped
 * span. A record cut off by the end of the file stops the scan there, so a live file can be read
 * again from `resumeOffset` once the writer has finished the record.
 */
export function readTfRecords(
  fs: FileSystem,
  path: string,
  start: number,
  end: number,
  onRecord: (data: Uint8Array, dataStart: number, dataEnd: number, offset: number) => void,
  options: { chunkBytes?: number; signal?: AbortSignal } = {},
): TfRecordScan {
  const chunkBytes = options.chunkBytes ?? 8 * 1024 * 1024;
  const issues: TfRecordIssue[] = [];
  let position = start;
  let resyncFrom: number | undefined;
  while (position < end) {
    if (options.signal?.aborted) break;
    const chunk = fs.readRange(path, position, Math.min(Math.max(chunkBytes, HEADER_BYTES), end - position));
    if (chunk.length < HEADER_BYTES) break;
    let local = 0;
    let needMore = 0;
    while (local + HEADER_BYTES <= chunk.length) {
      const header = readHeader(chunk, local);
      if (header === undefined) {
        resyncFrom ??= position + local;
        local++;
        continue;
      }
      const recordBytes = HEADER_BYTES + header + FOOTER_BYTES;
      if (local + recordBytes > chunk.length) {
        needMore = recordBytes;
        break;
      }
      const dataStart = local + HEADER_BYTES;
      const dataEnd = dataStart + header;
      const dataOk = readUint32(chunk, dataEnd) === maskedCrc32c(chunk, dataStart, dataEnd);
      if (resyncFrom !== undefined) {
        // While resynchronising, a header only counts when its payload verifies too.
        if (!dataOk) {
          local++;
          continue;
        }
        issues.push({ code: 'tfrecordLengthCrcMismatch', offset: resyncFrom, skipped: position + local - resyncFrom });
        resyncFrom = undefined;
      }
      if (dataOk) onRecord(chunk, dataStart, dataEnd, position + local);
      else issues.push({ code: 'tfrecordDataCrcMismatch', offset: position + local, skipped: recordBytes });
      local += recordBytes;
    }
    if (needMore > 0 && local === 0) {
      if (position + needMore > end) return finish(position, true);
      // One record bigger than the chunk (a large graph_def): read exactly that record next.
      const record = fs.readRange(path, position, needMore);
      if (record.length < needMore) return finish(position, true);
      const dataEnd = HEADER_BYTES + needMore - HEADER_BYTES - FOOTER_BYTES;
      const dataOk = readUint32(record, dataEnd) === maskedCrc32c(record, HEADER_BYTES, dataEnd);
      if (resyncFrom !== undefined) {
        if (!dataOk) {
          position++;
          continue;
        }
        issues.push({ code: 'tfrecordLengthCrcMismatch', offset: resyncFrom, skipped: position - resyncFrom });
        resyncFrom = undefined;
      }
      if (dataOk) onRecord(record, HEADER_BYTES, dataEnd, position);
      else issues.push({ code: 'tfrecordDataCrcMismatch', offset: position, skipped: needMore });
      position += needMore;
      continue;
    }
    if (local === 0) break;
    position += local;
    if (needMore === 0 && position + HEADER_BYTES > end) break;
  }
  return finish(position, position < end);

  function finish(resumeOffset: number, endsInsideRecord: boolean): TfRecordScan {
    if (resyncFrom !== undefined && resumeOffset > resyncFrom) {
      issues.push({ code: 'tfrecordLengthCrcMismatch', offset: resyncFrom, skipped: resumeOffset - resyncFrom });
    }
    return { resumeOffset, endsInsideRecord, issues };
  }
}

/** The record length when the header's length CRC verifies and the length is plausible. */
function readHeader(bytes: Uint8Array, offset: number): number | undefined {
  const low = readUint32(bytes, offset);
  const high = readUint32(bytes, offset + 4);
  if (high !== 0 || low > MAX_RECORD_BYTES) return undefined;
  if (readUint32(bytes, offset + 8) !== maskedCrc32cOf8(bytes, offset)) return undefined;
  return low;
}

function readUint32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
}
