import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { DOS2UNIX_CHUNK_SIZE, TEXT_SNIFF_LENGTH, dos2unix, isTextBlock } from '../../engine/hashing/dos2unix';
import type { HashAlgorithm } from '../../engine/hashing/ports';

/**
 * Plain md5 reads 8 MiB at a time: synchronous reads of >= 1 MiB keep md5 near OpenSSL speed,
 * while small stream chunks lose ~40% (PERFORMANCE-TARGETS.md). One buffer per thread is reused.
 */
const PLAIN_READ_SIZE = 8 * 1024 * 1024;

let sharedBuffer: Buffer | undefined;

function readBuffer(): Buffer {
  sharedBuffer ??= Buffer.allocUnsafe(PLAIN_READ_SIZE);
  return sharedBuffer;
}

export interface Md5Result {
  readonly md5: string;
  readonly size: number;
  readonly mode: number;
}

/**
 * md5 of a file's bytes, DVC style (FORMATS.md §1.10). For `md5-dos2unix` the text test looks
 * at the first 512 bytes of the file once (DVC 2.x's per-file rule, which produced the legacy
 * values we compare against) and converts CRLF per 1 MiB chunk, never across chunk boundaries.
 */
export function md5File(path: string, algorithm: HashAlgorithm = 'md5'): Md5Result {
  const descriptor = openSync(path, 'r');
  try {
    const { mode } = fstatSync(descriptor);
    const hash = createHash('md5');
    const buffer = readBuffer();
    const isLegacy = algorithm === 'md5-dos2unix';
    const chunkSize = isLegacy ? DOS2UNIX_CHUNK_SIZE : PLAIN_READ_SIZE;
    let convert: boolean | undefined;
    let size = 0;
    for (;;) {
      const read = readFully(descriptor, buffer, chunkSize);
      if (read === 0) break;
      size += read;
      const chunk = buffer.subarray(0, read);
      if (isLegacy) {
        convert ??= isTextBlock(chunk.subarray(0, TEXT_SNIFF_LENGTH));
        hash.update(convert ? dos2unix(chunk) : chunk);
      } else {
        hash.update(chunk);
      }
      if (read < chunkSize) break;
    }
    return { md5: hash.digest('hex'), size, mode };
  } finally {
    closeSync(descriptor);
  }
}

/** The same hash of bytes already in memory (small files read through the FileSystem port). */
export function md5Bytes(data: Uint8Array, algorithm: HashAlgorithm = 'md5'): string {
  const hash = createHash('md5');
  if (algorithm === 'md5') return hash.update(data).digest('hex');
  const convert = isTextBlock(data.subarray(0, TEXT_SNIFF_LENGTH));
  for (let offset = 0; offset < data.length || offset === 0; offset += DOS2UNIX_CHUNK_SIZE) {
    const chunk = data.subarray(offset, offset + DOS2UNIX_CHUNK_SIZE);
    hash.update(convert ? dos2unix(chunk) : chunk);
    if (data.length === 0) break;
  }
  return hash.digest('hex');
}

/** A short read is not the end of a file on every filesystem; keep reading until full or EOF. */
function readFully(descriptor: number, buffer: Buffer, length: number): number {
  let total = 0;
  while (total < length) {
    const read = readSync(descriptor, buffer, total, length - total, null);
    if (read === 0) break;
    total += read;
  }
  return total;
}

/** DVC's `isexec`: any of the user, group or other execute bits. */
export function isExecutableMode(mode: number): boolean {
  return (mode & 0o111) !== 0;
}
